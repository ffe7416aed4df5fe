"""``practice-rx`` shows the login before the database is open, and opens it behind it."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from practice_rx.services.demo import DEMO_PASSWORD
from practice_rx.ui import app as ui_app
from practice_rx.ui.starting import Starting
from tests.ui.helpers import settle


def test_the_login_takes_typing_before_the_database_opens_and_sign_in_waits_for_it(
        demo_core_on_each_backend, qtbot, monkeypatch):
    url = demo_core_on_each_backend.services.db.engine.url.render_as_string(
        hide_password=False)
    gate, real = threading.Event(), ui_app.open_core

    def held(*args, **options):  # the database "opens" only when the test says
        assert gate.wait(30)
        return real(*args, **options)

    monkeypatch.setattr(ui_app, "open_core", held)
    starting = Starting(url)
    login = starting.start()
    try:
        QTest.keyClicks(login.username, "dr.patel")
        QTest.keyClicks(login.password, DEMO_PASSWORD)
        assert (login.username.text(), login.password.text()) == ("dr.patel", DEMO_PASSWORD)
        QTest.keyClick(login.password, Qt.Key.Key_Return)
        assert login.session is None and starting.result is None  # nothing to check against
        assert login.checking.text() == "Opening the database…"
        assert not login.sign_in_button.isEnabled()
        gate.set()
        qtbot.waitUntil(lambda: starting.result is not None
                        and starting.result.window.isVisible(), timeout=30_000)
        opened = starting.result
        assert opened.session.user.username == "dr.patel"
        qtbot.waitUntil(lambda: opened.window.worklist.model.total > 0, timeout=10_000)
        settle(qtbot, opened.session)
    finally:
        gate.set()
        starting.close()


def test_a_database_that_cannot_be_opened_is_said_on_the_login(qtbot):
    starting = Starting("nosuch://nowhere")
    failures = []
    starting.failed.connect(failures.append)
    login = starting.start()
    try:
        qtbot.waitUntil(lambda: login.open_failed, timeout=30_000)
        assert "PracticeRx cannot open the database" in login.message.text()
        assert "nosuch" in login.message.text() and login.message.isVisible()
        assert not login.sign_in_button.isEnabled()
        login.password.setText("anything")
        QTest.keyClick(login.password, Qt.Key.Key_Return)
        assert login.checking.isHidden() and starting.result is None
        assert failures and "--database URL" in failures[0]
    finally:
        login.close()
        starting.close()


def test_a_newer_database_is_refused_on_the_login_untouched(tmp_path, qtbot):
    import sqlalchemy

    url = f"sqlite:///{tmp_path / 'newer.sqlite3'}"
    ui_app.open_core(url).app.close()
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    before = (tmp_path / "newer.sqlite3").read_bytes()
    starting = Starting(url)
    login = starting.start()
    try:
        qtbot.waitUntil(lambda: login.open_failed, timeout=30_000)
        assert "PracticeRx cannot open the database" in login.message.text()
        assert (tmp_path / "newer.sqlite3").read_bytes() == before
    finally:
        login.close()
        starting.close()


def test_closing_the_login_while_the_database_opens_quits_and_closes_it(
        demo_core, qtbot, monkeypatch):
    url = demo_core.services.db.engine.url.render_as_string(hide_password=False)
    gate, real, closed = threading.Event(), ui_app.open_core, []

    def held(*args, **options):
        assert gate.wait(30)
        core = real(*args, **options)
        close = core.app.close
        core.app.close = lambda: (closed.append(True), close())
        return core

    monkeypatch.setattr(ui_app, "open_core", held)
    starting = Starting(url)
    cancelled = []
    starting.cancelled.connect(lambda: cancelled.append(True))
    starting.start().reject()
    assert cancelled == [True]
    gate.set()
    starting.wait()
    qtbot.wait(50)  # the "opened" news arrives after the login has gone: nothing is built
    assert starting.result is None
    starting.close()
    assert closed == [True]
