"""The login dialog shows the service's answer as it is; the first admin; signing out."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from practice_rx.services.auth import MAX_FAILURES, REFUSED
from practice_rx.services.demo import DEMO_PASSWORD
from practice_rx.ui.login import MISMATCH, FirstAdminDialog, LoginDialog, SignIn
from practice_rx.ui.session import Session
from tests.ui.conftest import make_window
from tests.ui.helpers import settle, top_level

PASSWORD = "a long enough password"


@pytest.fixture
def session(core, qtbot):
    session = Session(core)
    yield session
    settle(qtbot, session)


@pytest.fixture
def nurse(core):
    return core.services.users.create("nurse.khan", "Amira Khan", "clinician", PASSWORD)


def login(qtbot, session, username: str, password: str) -> LoginDialog:
    """A login dialog with the details typed and Enter pressed; waits for the answer."""
    dialog = LoginDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText(username)
    QTest.keyClicks(dialog.password, password)
    QTest.keyClick(dialog.password, Qt.Key.Key_Return)
    settle(qtbot, session)
    return dialog


def test_right_password_signs_in(qtbot, session, nurse):
    dialog = LoginDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    QTest.keyClicks(dialog.username, "nurse.khan")
    QTest.keyClicks(dialog.password, PASSWORD)
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as signal:
        QTest.keyClick(dialog.password, Qt.Key.Key_Return)
    assert signal.args[0].id == nurse.id
    assert dialog.user.id == nurse.id and dialog.result() == LoginDialog.DialogCode.Accepted
    assert not dialog.message.isVisible()


def test_wrong_password_shows_the_services_message(qtbot, session, nurse):
    dialog = login(qtbot, session, "nurse.khan", "not my password")
    assert dialog.isVisible() and dialog.user is None
    assert dialog.message.isVisible() and dialog.message.text() == REFUSED
    assert dialog.password.text() == ""  # to type again
    # and Enter still signs in (not the Quit button, which must never be the default)
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000):
        QTest.keyClicks(dialog.password, PASSWORD)
        QTest.keyClick(dialog.password, Qt.Key.Key_Return)
    # a username nobody has gets the same words: names cannot be probed
    settle(qtbot, session)
    assert login(qtbot, session, "nobody.here", PASSWORD).message.text() == REFUSED


def test_lockout_after_five_failures_is_shown(qtbot, session, nurse):
    dialog = LoginDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText("nurse.khan")
    for _ in range(MAX_FAILURES):
        QTest.keyClicks(dialog.password, "guess")
        dialog.submit()
        settle(qtbot, session)
        assert dialog.message.text() == REFUSED
    QTest.keyClicks(dialog.password, PASSWORD)  # even the right password, now
    dialog.submit()
    settle(qtbot, session)
    text = dialog.message.text()
    # The same words as a wrong password (which say how the lock works), so a locked
    # account cannot be told from an unknown one.
    assert text == REFUSED and f"After {MAX_FAILURES} failed tries" in text
    assert "15 minutes" in text and dialog.user is None and dialog.isVisible()


def test_a_disabled_user_cannot_sign_in(qtbot, session, nurse, core):
    core.services.users.set_active(None, nurse.id, False)
    dialog = login(qtbot, session, "nurse.khan", PASSWORD)
    assert dialog.user is None and not session.signed_in
    assert dialog.message.text() == "This account is disabled; ask a practice admin"


def test_first_admin_is_created_then_signs_in(qtbot, session, core):
    assert core.services.users.needs_first_admin()
    flow = SignIn(session)
    flow.start()
    qtbot.waitUntil(lambda: top_level(FirstAdminDialog) is not None)
    dialog = top_level(FirstAdminDialog)

    # the two passwords must match before anything is asked of the service
    dialog.username.setText("p.morgan")
    dialog.display_name.setText("Pat Morgan")
    dialog.password.setText(PASSWORD)
    dialog.again.setText(PASSWORD + "!")
    dialog.submit()
    assert dialog.messages["again"].message == MISMATCH
    # the service's own rules, beside their fields
    dialog.password.setText("short")
    dialog.again.setText("short")
    dialog.submit()
    settle(qtbot, session)
    assert dialog.messages["password"].message == "Password: use at least 10 characters"
    assert not dialog.messages["again"].message
    assert core.services.users.needs_first_admin()

    dialog.password.setText(PASSWORD)
    dialog.again.setText(PASSWORD)
    dialog.submit()
    settle(qtbot, session)
    admin = core.services.users.by_username("p.morgan")
    assert admin.role == "admin" and admin.display_name == "Pat Morgan"
    assert not core.services.users.needs_first_admin()

    login_dialog = top_level(LoginDialog)
    assert login_dialog is not None
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert login_dialog.username.text() == "p.morgan"
    with qtbot.waitSignal(flow.signed_in, timeout=10_000):
        QTest.keyClicks(login_dialog.password, PASSWORD)
        QTest.keyClick(login_dialog.password, Qt.Key.Key_Return)
    assert session.user.id == admin.id


def test_a_taken_username_is_shown_beside_its_field(qtbot, session, core, nurse):
    dialog = FirstAdminDialog(session)
    qtbot.addWidget(dialog)
    dialog.username.setText("nurse.khan")
    dialog.password.setText(PASSWORD)
    dialog.again.setText(PASSWORD)
    dialog.submit()
    settle(qtbot, session)
    assert dialog.messages["username"].message == "Username: 'nurse.khan' is already taken"


def test_sign_out_returns_to_the_login_and_switches_user(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "reception.jones", "receptionist")
    session = window.session
    window.worklist.filters.text.setText("smi")  # a search for a patient
    window.act_sign_out.trigger()  # nothing unsaved: no question
    login_dialog = top_level(LoginDialog)
    assert login_dialog is not None
    assert not window.isVisible() and not session.signed_in
    assert window.user_label.text() == "Not signed in"
    assert window.worklist.filters.text.text() == ""  # not left for the next user

    login_dialog.username.setText("admin")
    QTest.keyClicks(login_dialog.password, DEMO_PASSWORD)
    QTest.keyClick(login_dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(window.isVisible, timeout=10_000)
    settle(qtbot, session)
    assert session.user.username == "admin"
    assert window.user_label.text() == "Pat Morgan (Practice admin)"
    assert window.act_audit.isEnabled() and window.act_users.isEnabled()
    assert window.worklist.model.total == 300


def test_sign_out_asks_before_discarding_unsaved_work(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "reception.jones", "receptionist")
    session = window.session
    row = session.services.worklist.page(session.user.id, window.worklist.model.query).rows[0]
    window.detail.show_referral(row.id)
    settle(qtbot, session)
    QTest.keyClicks(window.detail.note, "Rang the service")

    box = window.sign_out()
    assert box is not None and box.isVisible()
    assert "a note you have not added yet" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert session.signed_in and window.isVisible()
    assert window.detail.note.toPlainText() == "Rang the service"

    box = window.sign_out()
    box.button(QMessageBox.StandardButton.Discard).click()
    assert not session.signed_in and not window.isVisible()
    assert window.detail.note.toPlainText() == "" and window.detail.referral is None
    login_dialog = top_level(LoginDialog)
    assert login_dialog is not None
