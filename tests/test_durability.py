"""Durable on a power cut (issue 11, finding 11): SQLite commits with synchronous=FULL.

Before: WAL with synchronous=NORMAL, which can lose the last acknowledged saves.
The cost is measured by bench/durability.py (docs/performance.md).
"""

from __future__ import annotations

import pytest

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


def test_every_sqlite_connection_syncs_each_commit(db, backend):
    if backend != "sqlite":
        pytest.skip("PostgreSQL's durability is the server's settings (the test cluster "
                    "turns fsync off for speed)")
    with db.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == FULL

