"""Demo data stays in demo databases (issue 11, finding 2), through the CLI on both backends.

Before: ``practice-rx demo`` on a practice's database added an ``admin`` with the
published demo password, five more staff and synthetic patients, without asking and
without an audit row, and without ``--database`` it filled the configured database.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from practice_rx.cli import main
from practice_rx.services import Services
from practice_rx.services.demo import DEMO_PASSWORD, DemoSize, _ensure_staff, fill
from practice_rx.services.demo_guard import DEMO_USERNAMES, DemoRefused, is_demo_database
from practice_rx.storage.database import Database
from practice_rx.storage.models import AuditEvent, User

SMALL = ["--patients", "5", "--referrals", "12", "--services", "12"]


def _state(url: str) -> tuple[dict[str, int], str | None]:
    """Every table's row count, and a SQLite file's bytes' digest: to see nothing changed."""
    db = Database.open(url, read_only=True)
    try:
        counts = db.table_counts()
    finally:
        db.close()
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else None
    return counts, digest


def _demo(url: str | None, capsys) -> tuple[int, str]:
    args = (["--database", url] if url else []) + ["demo", *SMALL]
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_practice_database_with_a_real_user_is_refused_and_untouched(db_url, capsys):
    services = Services(Database.open(db_url))
    services.users.create("kim.lee", "Kim Lee", "admin", "a long enough password")
    services.db.close()
    before = _state(db_url)
    code, said = _demo(db_url, capsys)
    assert code == 2
    assert "holds what is not demo data (1 user)" in said and "Nothing was written" in said
    assert "Traceback" not in said and "practice-rx-demo" not in said
    assert _state(db_url) == before


def test_an_unmarked_database_of_demo_like_data_is_refused(db_url, capsys):
    """Demo staff and a synthetic patient, but the database was never marked a demo one."""
    services = Services(Database.open(db_url))
    services.users.ensure("dr.patel", "Dr Asha Patel")
    with services.db.transaction() as session:
        _ensure_staff(session, services.clock(), [])
    services.db.close()
    before = _state(db_url)
    code, said = _demo(db_url, capsys)
    assert code == 2 and "is not marked as a demo database" in said
    assert _state(db_url) == before


def test_a_new_database_becomes_a_demo_database_audited_and_can_be_filled_again(
        empty_url, capsys):
    assert _demo(empty_url, capsys)[0] == 0
    assert _demo(empty_url, capsys)[0] == 0  # a demo database takes more demo data
    db = Database.open(empty_url, read_only=True)
    try:
        with db.connect() as connection:
            assert is_demo_database(connection)
        with db.reading() as session:
            audited = session.scalars(select(AuditEvent).where(
                AuditEvent.action == "demo_data_added")).all()
            usernames = set(session.scalars(select(User.username)))
    finally:
        db.close()
    assert len(audited) == 2 and audited[0].after["patients"] == 5
    assert usernames == set(DEMO_USERNAMES)


def test_a_demo_database_someone_added_a_real_user_to_is_refused(empty_url, capsys):
    assert _demo(empty_url, capsys)[0] == 0
    services = Services(Database.open(empty_url))
    services.users.create("kim.lee", "Kim Lee", "clinician", "a long enough password")
    services.db.close()
    before = _state(empty_url)
    code, said = _demo(empty_url, capsys)
    assert code == 2 and "not demo data" in said
    assert _state(empty_url) == before


def test_demo_without_database_never_fills_the_configured_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("PRACTICE_RX_DATABASE_URL", raising=False)
    code, said = _demo(None, capsys)
    assert code == 2 and "needs --database" in said and "practice-rx --demo" in said
    assert not (tmp_path / "data").exists()


def test_fill_itself_refuses_a_practice_database(db, clock):
    """The guard is in the service, so no other caller can put demo accounts in a live one."""
    services = Services(db, clock)
    services.users.create("kim.lee", "Kim Lee", "admin", "a long enough password")
    with pytest.raises(DemoRefused, match="not demo data"):
        fill(db, DemoSize(patients=2, referrals=2, services=2), clock=clock)
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
        assert not session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "demo_data_added"))


def test_the_demo_staff_are_the_usernames_the_guard_knows(db, clock):
    with db.transaction() as session:
        _ensure_staff(session, clock(), [])
    with db.reading() as session:
        assert tuple(session.scalars(select(User.username).order_by(User.id))) == DEMO_USERNAMES
    assert DEMO_PASSWORD == "practice-rx-demo"


def test_the_published_demo_password_is_refused_outside_a_demo_database(services, db):
    """Finding 2: accounts with the published password exist only in demo databases."""
    from practice_rx.errors import ValidationError
    from tests.support.factories import admin

    with pytest.raises(ValidationError) as caught:
        services.users.create("pat", "Pat Morgan", "admin", DEMO_PASSWORD)
    assert caught.value.errors == {
        "password": "Password: that is the published demo password; choose your own"}
    someone = services.users.create("sam", "Sam Jones", "receptionist", "a long password")
    with pytest.raises(ValidationError, match="published demo password"):
        services.users.reset_password(admin(services), someone.id, DEMO_PASSWORD)
    assert services.auth.login("sam", "a long password").username == "sam"
