"""Opening databases: migrations on both backends, refusals, and unreachable servers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from practice_rx.errors import DatabaseError, SchemaTooNewError
from practice_rx.storage import migrate
from practice_rx.storage.database import Database, safe_url
from practice_rx.storage.models import Base


def test_upgrade_from_empty_to_head(empty_url):
    db = Database.open(empty_url)
    try:
        with db.engine.connect() as connection:
            assert migrate.current_revision(connection) == migrate.head_revision()
        tables = set(inspect(db.engine).get_table_names())
        assert {"patient", "referral", "referral_event", "service", "letter"} <= tables
    finally:
        db.close()


def _made_here(dialect: str):
    """Compare an index declared for one backend only (``Index.ddl_if``) on that one."""
    def include(item, _name, type_, _reflected, _compare_to) -> bool:
        only = getattr(item, "_ddl_if", None) if type_ == "index" else None
        return only is None or only.dialect == dialect
    return include


def test_models_match_the_migrations(empty_url):
    db = Database.open(empty_url)
    try:
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_object": _made_here(connection.dialect.name)})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        db.close()


def test_migrations_downgrade_to_empty_and_up_again(empty_url):
    db = Database.open(empty_url)
    try:
        with db.engine.begin() as connection:
            from alembic import command

            command.downgrade(migrate.alembic_config(connection), "base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(db.engine)
        assert "referral" in inspect(db.engine).get_table_names()
    finally:
        db.close()


def test_single_head_and_the_models_know_it():
    from practice_rx.storage.models import SCHEMA_REVISION

    assert migrate.script().get_heads() == [SCHEMA_REVISION]


def test_opening_twice_changes_nothing(db_url):
    Database.open(db_url).close()
    db = Database.open(db_url)
    with db.engine.connect() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()
    db.close()


def _stamp_future(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'zz99_from_the_future'"))
    engine.dispose()


def test_newer_schema_is_refused_and_left_untouched_sqlite(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    Database.open(url).close()
    _stamp_future(url)
    before = hashlib.sha256((tmp_path / "new.sqlite3").read_bytes()).hexdigest()
    with pytest.raises(SchemaTooNewError, match="newer version of PracticeRx"):
        Database.open(url)
    after = hashlib.sha256((tmp_path / "new.sqlite3").read_bytes()).hexdigest()
    assert before == after


def test_newer_schema_is_refused_on_every_backend(db_url):
    _stamp_future(db_url)
    with pytest.raises(SchemaTooNewError, match="left untouched"):
        Database.open(db_url)
    engine = create_engine(db_url)
    with engine.connect() as connection:
        assert migrate.current_revision(connection) == "zz99_from_the_future"
    engine.dispose()


def test_unreachable_server_gives_a_clear_message():
    url = "postgresql+psycopg://practice:secret@127.0.0.1:9/practice"
    with pytest.raises(DatabaseError) as caught:
        Database.open(url)
    message = str(caught.value)
    assert "Cannot open the database at postgresql+psycopg://practice:***@127.0.0.1:9/practice" in message
    assert "secret" not in message
    assert "server is running" in message


@pytest.mark.parametrize("url", ["not a url", "mysql://x@y/z"])
def test_bad_urls_say_what_is_expected(url):
    with pytest.raises(DatabaseError, match="Database URL"):
        Database.open(url)


def test_safe_url_hides_password():
    assert safe_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"


def test_sqlite_is_wal_with_foreign_keys(tmp_path):
    db = Database.open(f"sqlite:///{tmp_path / 'deep' / 'folder' / 'p.sqlite3'}")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.close()


def test_upgrade_keeps_existing_rows(empty_url):
    from datetime import datetime

    engine = create_engine(empty_url)
    migrate.upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO user_account (username, display_name, role, job_title, active, created_at)"
            " VALUES ('sam', 'Sam Jones', 'receptionist', '', true, :at)"), {"at": datetime(2026, 1, 1)})
    engine.dispose()
    db = Database.open(empty_url)
    with db.engine.connect() as connection:
        row = connection.execute(text(
            "SELECT username, failed_logins, password_hash FROM user_account")).one()
    assert tuple(row) == ("sam", 0, None)
    db.close()


def test_check_connection_says_what_is_there(empty_url, tmp_path):
    from practice_rx.storage.database import check_connection

    assert "empty" in check_connection(empty_url)
    Database.open(empty_url).close()
    assert "ready" in check_connection(empty_url)
    _stamp_future(empty_url)
    assert "newer PracticeRx" in check_connection(empty_url)
    with pytest.raises(DatabaseError, match="Cannot connect to postgresql"):
        check_connection("postgresql+psycopg://nobody@127.0.0.1:9/none")
