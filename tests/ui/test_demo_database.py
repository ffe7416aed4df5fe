"""``practice-rx --demo`` makes its own demo database and shows no other as one."""

from __future__ import annotations

import shutil

import pytest

from practice_rx.services.demo import DemoSize
from practice_rx.services.demo_guard import DemoRefused, is_demo_database
from practice_rx.storage.database import Database
from practice_rx.ui import app as ui_app


def test_the_demo_database_is_new_and_marked_as_one():
    url, folder = ui_app.demo_database(DemoSize(patients=5, referrals=10, services=3))
    try:
        assert folder.name.startswith("practice-rx-demo-") and str(folder) in url
        db = Database.open(url, read_only=True)
        with db.connect() as connection:
            assert is_demo_database(connection)
        db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_demo_with_a_practice_database_is_refused(tmp_path, qtbot):
    """Its login screen would give the published demo password: only a demo database."""
    url = f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    with pytest.raises(DemoRefused, match="is not a demo database"):
        ui_app.open_app(url, demo=True, discovered=[])
