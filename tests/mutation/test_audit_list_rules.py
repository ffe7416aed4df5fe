"""The admin's audit view: newest first, at most ``limit`` rows, each filter exact at its
edges (a row at midnight belongs to the day it starts), local days turned into stored UTC.

Found by mutation testing (docs/testing.md): the filters were tried only with rows well
inside the days asked for, so a filter one second off, or a limit that was not kept, went
unnoticed.
"""

from __future__ import annotations

import time
from datetime import date, datetime

import pytest

from practice_rx.services.audit import AuditFilter, AuditRow, AuditWriter, utc_start_of
from tests.support.factories import admin, make_user


def _rows_at(services, at: datetime, user_id: int, count: int = 1) -> None:
    with services.db.transaction() as session:
        services.audit.audit.record_many(session, at=at, user_id=user_id, rows=[
            AuditRow("patient_view", "patient", after={"n": n}) for n in range(count)])


def test_the_view_keeps_its_limit_of_500_newest_first(services):
    viewer = admin(services)
    _rows_at(services, datetime(2026, 11, 24, 10, 0), viewer, 510)
    rows = services.audit.list(viewer)
    assert len(rows) == 500
    assert [row.id for row in rows] == sorted((row.id for row in rows), reverse=True)
    assert rows[0].after == {"n": 509}
    assert [row.after for row in services.audit.list(viewer, limit=2)] == [{"n": 509},
                                                                            {"n": 508}]


def test_the_user_filter_keeps_only_that_users_rows(services):
    viewer = admin(services)
    gp = make_user(services)
    _rows_at(services, datetime(2026, 11, 24, 10, 0), gp.id, 3)
    _rows_at(services, datetime(2026, 11, 24, 10, 0), viewer, 2)
    rows = services.audit.list(viewer, AuditFilter(user_id=gp.id))
    assert {row.user_id for row in rows} == {gp.id}
    assert sum(1 for row in rows if "n" in row.after) == 3


def _in_zone(monkeypatch, zone: str):
    """The process's local time zone set to ``zone`` for one test, then put back."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def utc(monkeypatch):
    yield from _in_zone(monkeypatch, "UTC")


def test_a_row_at_midnight_belongs_to_the_day_it_starts(services, utc):
    viewer = admin(services)
    _rows_at(services, datetime(2026, 11, 24, 23, 59, 59), viewer)
    _rows_at(services, datetime(2026, 11, 25, 0, 0), viewer)
    on_25 = services.audit.list(viewer, AuditFilter(date_from=date(2026, 11, 25),
                                                     date_to=date(2026, 11, 25)))
    assert [row.at for row in on_25] == [datetime(2026, 11, 25, 0, 0)]
    to_24 = services.audit.list(viewer, AuditFilter(date_from=date(2026, 11, 24),
                                                     date_to=date(2026, 11, 24)))
    assert datetime(2026, 11, 25, 0, 0) not in [row.at for row in to_24]
    assert datetime(2026, 11, 24, 23, 59, 59) in [row.at for row in to_24]


@pytest.fixture
def london(monkeypatch):
    yield from _in_zone(monkeypatch, "Europe/London")


def test_a_local_summer_day_starts_at_23_00_utc_the_day_before(london):
    """Stored times are UTC; in British Summer Time local midnight is 23:00 UTC."""
    assert utc_start_of(date(2026, 7, 1)) == datetime(2026, 6, 30, 23, 0)
    assert utc_start_of(date(2026, 12, 1)) == datetime(2026, 12, 1, 0, 0)


def test_a_writer_keeps_the_key_path_it_first_found(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICE_RX_AUDIT_KEY_FILE", str(tmp_path / "first.key"))
    writer = AuditWriter("desk-1")
    assert writer.key_path() == tmp_path / "first.key"
    monkeypatch.setenv("PRACTICE_RX_AUDIT_KEY_FILE", str(tmp_path / "second.key"))
    assert writer.key_path() == tmp_path / "first.key"
    given = AuditWriter("desk-2", key_file=tmp_path / "given.key")
    assert given.key_path() == tmp_path / "given.key"


def test_the_writer_holds_the_audit_lock_on_postgresql(services, backend):
    """Two workstations saving at once must not fork the chain: the append takes the lock."""
    if backend != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's (SQLite's write lock does the same)")
    from sqlalchemy import text

    viewer = admin(services)
    with services.db.transaction() as session:
        services.audit.audit.record_many(session, at=datetime(2026, 11, 24, 10, 0),
                                         user_id=viewer, rows=[AuditRow("patient_view",
                                                                        "patient")])
        held = session.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND pid = pg_backend_pid() AND objid = 727001")).scalar()
    assert held == 1
