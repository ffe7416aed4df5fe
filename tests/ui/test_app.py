"""``practice-rx`` and ``practice-rx --demo`` open the main window."""

from __future__ import annotations

import argparse

from PySide6.QtWidgets import QApplication

from practice_rx.ui import app as ui_app
from practice_rx.ui.operations import Operations
from tests.ui.helpers import settle


def test_demo_opens_populated_and_tidies_up(qtbot, monkeypatch):
    from practice_rx.services.demo import DemoSize

    real = ui_app.demo_database
    monkeypatch.setattr(ui_app, "demo_database",
                        lambda size=None: real(DemoSize(patients=40, referrals=120, services=8)))
    opened = ui_app.open_app(demo=True, discovered=[])
    qtbot.addWidget(opened.window)
    opened.window.show()
    settle(qtbot, opened.session)
    assert opened.window.worklist.model.total == 120
    assert opened.session.user.username == "dr.patel"
    assert "demo" in opened.window.database_label.text()
    assert opened.window.windowTitle() == "PracticeRx – Beeston Hill Surgery (demo)"
    folder = opened.temporary[0]
    assert folder.exists()
    opened.close()
    assert not folder.exists()


def test_run_opens_the_default_database_and_returns_when_closed(qtbot, tmp_path, monkeypatch):
    seen = {}

    class Application:
        """Stands in for QApplication.exec, which a test must not enter (or quit)."""

        def exec(self) -> int:
            window = next(w for w in QApplication.topLevelWidgets()
                          if w.objectName() == "main_window" and w.isVisible())
            qtbot.waitUntil(lambda: window.worklist.summary.text() != "")
            seen["user"] = window.user_label.text()
            seen["summary"] = window.worklist.summary.text()
            Operations.wait_for_all()
            return 0

    monkeypatch.setattr(ui_app, "qt_application", Application)
    code = ui_app.run(argparse.Namespace(database=None, demo=False))
    assert code == 0
    assert (tmp_path / "data" / "practice-rx" / "practice-rx.sqlite3").exists()
    assert "Clinician" in seen["user"]
    assert seen["summary"].startswith("0 referrals")
