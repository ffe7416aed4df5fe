"""Backup and restore round trips, comparing every row, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from practice_rx.cli import main
from practice_rx.errors import SchemaTooNewError
from practice_rx.services.demo import DemoSize, fill
from practice_rx.startup import start
from practice_rx.storage.backup import restore
from practice_rx.storage.models import Base


def every_row(db) -> dict[str, list[tuple]]:
    with db.engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(
                select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


def test_round_trip_restores_every_row(db_url, tmp_path, clock, capsys):
    app = start(db_url, clock=clock)
    fill(app.services.db, DemoSize(patients=30, referrals=120, services=12), clock=clock)
    before = every_row(app.services.db)
    assert sum(map(len, before.values())) > 500
    app.close()

    backup_file = tmp_path / "practice.backup"
    assert main(["--database", db_url, "backup", str(backup_file)]) == 0
    assert backup_file.stat().st_size > 0

    app = start(db_url, clock=clock)  # a day's work after the backup, to be undone
    fill(app.services.db, DemoSize(patients=5, referrals=9, services=12), clock=clock, seed=9)
    assert every_row(app.services.db) != before
    app.close()

    assert main(["--database", db_url, "restore", str(backup_file)]) == 2  # asks first
    assert "--yes" in capsys.readouterr().err
    assert main(["--database", db_url, "restore", str(backup_file), "--yes"]) == 0
    app = start(db_url, clock=clock)
    try:
        assert every_row(app.services.db) == before
    finally:
        app.close()


def test_a_backup_from_a_newer_version_is_not_restored(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    start(url).close()
    newer = tmp_path / "newer.backup"
    assert main(["--database", url, "backup", str(newer)]) == 0
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'zz99'")
    before = (tmp_path / "live.sqlite3").read_bytes()
    with pytest.raises(SchemaTooNewError, match="nothing was restored"):
        restore(url, newer)
    assert (tmp_path / "live.sqlite3").read_bytes() == before
