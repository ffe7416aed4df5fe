"""``practice-rx`` and ``practice-rx --demo`` open with the login, then the main window."""

from __future__ import annotations

import argparse

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from practice_rx.ui import app as ui_app
from practice_rx.ui.login import FirstAdminDialog, LoginDialog
from practice_rx.ui.operations import Operations
from tests.ui.helpers import settle


def visible(kind):
    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, kind) and w.isVisible()), None)


def test_demo_opens_populated_after_one_enter_and_tidies_up(qtbot, monkeypatch):
    from practice_rx.services.demo import DemoSize

    real = ui_app.demo_database
    monkeypatch.setattr(ui_app, "demo_database",
                        lambda size=None: real(DemoSize(patients=40, referrals=120, services=8)))
    opened = ui_app.open_app(demo=True, discovered=[])
    qtbot.addWidget(opened.window)
    assert not opened.session.signed_in
    opened.window.ask_sign_in()
    qtbot.waitUntil(lambda: visible(LoginDialog) is not None)
    login = visible(LoginDialog)
    assert login.username.text() == "dr.patel"
    assert "practice-rx-demo" in login.demo_hint.text()
    assert not opened.window.isVisible()  # nothing of the practice shows before signing in

    QTest.keyClick(QApplication.focusWidget() or login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: opened.window.isVisible())
    settle(qtbot, opened.session)
    assert opened.window.worklist.model.total == 120
    assert opened.session.user.username == "dr.patel"
    assert "demo" in opened.window.database_label.text()
    assert opened.window.windowTitle() == "PracticeRx – Beeston Hill Surgery (demo)"
    folder = opened.temporary[0]
    assert folder.exists()
    opened.close()
    assert not folder.exists()


def test_run_asks_for_the_first_admin_then_the_login(qtbot, tmp_path, monkeypatch):
    seen = {}

    class Application:
        """Stands in for QApplication.exec, which a test must not enter (or quit)."""

        def quit(self) -> None:
            seen["quit"] = True

        def exec(self) -> int:
            qtbot.waitUntil(lambda: visible(FirstAdminDialog) is not None)
            first = visible(FirstAdminDialog)
            first.username.setText("p.morgan")
            first.display_name.setText("Pat Morgan")
            first.password.setText("correct horse battery")
            first.again.setText("correct horse battery")
            QTest.keyClick(first.again, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: visible(LoginDialog) is not None)
            login = visible(LoginDialog)
            assert login.username.text() == "p.morgan"
            QTest.keyClicks(login.password, "correct horse battery")
            QTest.keyClick(login.password, Qt.Key.Key_Return)
            window = None

            def shown() -> bool:
                nonlocal window
                window = next((w for w in QApplication.topLevelWidgets()
                               if w.objectName() == "main_window" and w.isVisible()), None)
                return window is not None

            qtbot.waitUntil(shown)
            qtbot.waitUntil(lambda: window.worklist.summary.text() != "")
            seen["user"] = window.user_label.text()
            seen["summary"] = window.worklist.summary.text()
            Operations.wait_for_all()
            return 0

    monkeypatch.setattr(ui_app, "qt_application", Application)
    code = ui_app.run(argparse.Namespace(database=None, demo=False))
    assert code == 0
    assert (tmp_path / "data" / "practice-rx" / "practice-rx.sqlite3").exists()
    assert seen["user"] == "Pat Morgan (Practice admin)"
    assert seen["summary"].startswith("0 referrals")
    assert "quit" not in seen


def test_closing_the_login_ends_the_application(qtbot, tmp_path, monkeypatch):
    quits = []

    class Application:
        def quit(self) -> None:
            quits.append(True)

        def exec(self) -> int:
            qtbot.waitUntil(lambda: visible(FirstAdminDialog) is not None)
            visible(FirstAdminDialog).reject()
            qtbot.waitUntil(lambda: bool(quits))
            return 0

    monkeypatch.setattr(ui_app, "qt_application", Application)
    assert ui_app.run(argparse.Namespace(database=None, demo=False)) == 0
    assert quits == [True]


def test_launch_shows_the_login_first_or_signs_in_a_tool_directly(demo_core, qtbot):
    url = demo_core.services.db.engine.url.render_as_string(hide_password=False)
    opened = ui_app.launch(url)
    try:
        login = visible(LoginDialog)
        assert login is not None and not opened.window.isVisible()
        assert login.username.text() == "" and login.password.text() == ""
    finally:
        login.close()
        opened.close()
    opened = ui_app.launch(url, sign_in_as="linkworker.ahmed")  # the start-up benchmark's way
    try:
        assert opened.window.isVisible() and opened.session.user.username == "linkworker.ahmed"
        settle(qtbot, opened.session)
    finally:
        opened.close()
