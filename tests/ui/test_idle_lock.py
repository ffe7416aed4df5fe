"""The screen locks after idle minutes, and unlocking gives back everything as it was."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from practice_rx.services.auth import REFUSED
from practice_rx.services.demo import DEMO_PASSWORD
from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.storage.models import Patient
from practice_rx.ui.idle_lock import Cover, LockDialog
from practice_rx.ui.login import LoginDialog
from practice_rx.ui.new_referral import FORM, NewReferralDialog
from tests.ui.conftest import make_window
from tests.ui.helpers import settle, top_level


def a_patient(core) -> Patient:
    with core.services.db.reading() as db_session:
        return db_session.scalars(select(Patient).order_by(Patient.id).limit(1)).one()


NOTE = "Spoke to the patient's daughter; she will ring ba"
WHAT_MATTERS = "Getting out to the allotment again, and meet"


def half_done_work(window, qtbot):
    """A half-written note on a referral, and a new referral's form half filled in."""
    session = window.session
    row = session.services.worklist.page(session.user.id, WorklistQuery(
        WorklistFilter(statuses=frozenset({"sent"})))).rows[0]
    window.detail.show_referral(row.id)
    settle(qtbot, session)
    QTest.keyClicks(window.detail.note, NOTE)

    new = window.new_referral()
    new._patient_chosen(a_patient(session.app))
    settle(qtbot, session)
    assert new.step == FORM
    renderer = new.renderer
    renderer.editor("consent_given").yes.setChecked(True)
    what_matters = renderer.editor("what_matters").edit
    what_matters.setFocus()
    QTest.keyClicks(what_matters, WHAT_MATTERS)
    return new


def lock_soon(window, qtbot, minutes: float = 0.004) -> LockDialog:
    """A tiny idle time (0.24 s), then wait for the lock."""
    window.idle.set_minutes(minutes)
    window.idle.arm()
    assert not window.idle.locked
    qtbot.waitUntil(lambda: window.idle.locked, timeout=5_000)
    dialog = window.idle.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def unlock_with(qtbot, window, dialog: LockDialog, password: str) -> None:
    dialog.password.setText(password)
    QTest.keyClick(dialog.password, Qt.Key.Key_Return)
    settle(qtbot, window.session)


def test_idle_lock_keeps_half_typed_work_exactly(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    new = half_done_work(window, qtbot)
    typed = new.renderer.editor("what_matters").edit

    dialog = lock_soon(window, qtbot)
    # every window is covered: the main window and the half-written referral
    covered = {cover.parentWidget() for cover in window.idle.covers if cover.isVisible()}
    assert {window, new} <= covered
    cover = next(c for c in window.idle.covers if c.parentWidget() is window)
    assert cover.geometry() == window.rect()
    assert isinstance(cover, Cover) and "Dr Asha Patel" in dialog.who.text()
    assert QApplication.activeModalWidget() is dialog
    # nothing typed now reaches what is behind the lock
    QTest.keyClicks(window.detail.note, "zzz")
    QTest.keyClicks(typed, "zzz")
    assert window.detail.note.toPlainText() == NOTE
    assert typed.toPlainText() == WHAT_MATTERS

    # the wrong password keeps it locked, with the service's message
    unlock_with(qtbot, window, dialog, "not my password")
    assert window.idle.locked and dialog.isVisible()
    assert dialog.message.text() == REFUSED
    assert all(c.isVisible() for c in window.idle.covers)

    # the right one lifts the lock; everything is as it was, to the character
    window.idle.set_minutes(10)  # so it does not lock again while the test looks
    unlock_with(qtbot, window, dialog, DEMO_PASSWORD)
    assert not window.idle.locked, dialog.message.text()
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert window.detail.note.toPlainText() == NOTE
    assert typed.toPlainText() == WHAT_MATTERS
    assert new.isVisible() and new.step == FORM
    assert new.renderer.editor("consent_given").yes.isChecked()
    assert not any(shiboken6.isValid(c) and c.isVisible() for c in window.idle.covers)
    assert QApplication.focusWidget() is typed  # the cursor is back where it was
    QTest.keyClicks(typed, " people")
    assert typed.toPlainText() == WHAT_MATTERS + " people"
    assert window.idle.timer.isActive()  # counting again
    new._discard_confirmed = True
    new.reject()


def test_the_lock_needs_no_typing_to_start_and_activity_delays_it(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    window.idle.set_minutes(0.01)  # 0.6 s
    window.idle.arm()
    for _ in range(4):  # typing for longer than the idle time keeps it open
        qtbot.wait(250)
        QTest.keyClick(window.worklist.filters.text, Qt.Key.Key_Shift)
        assert not window.idle.locked
    qtbot.waitUntil(lambda: window.idle.locked, timeout=5_000)
    window.idle.set_minutes(10)
    unlock_with(qtbot, window, window.idle.dialog, DEMO_PASSWORD)
    assert not window.idle.locked


def test_escape_does_not_unlock_and_only_the_user_signed_in_can(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    dialog = lock_soon(window, qtbot)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    dialog.close()
    assert window.idle.locked and dialog.isVisible()
    # someone else's password (the demo users share one, so change it) does not unlock
    services = window.session.services
    other = services.users.by_username("dr.okafor")
    services.users.reset_password(None, other.id, "okafor's own password")
    unlock_with(qtbot, window, dialog, "okafor's own password")
    assert window.idle.locked and dialog.message.text() == REFUSED


def test_someone_else_signs_out_from_the_lock_after_a_question(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    session = window.session
    new = half_done_work(window, qtbot)
    dialog = lock_soon(window, qtbot)

    dialog.sign_out_button.click()
    box = top_level(QMessageBox, "discard_on_sign_out")
    assert box is not None and box.parentWidget() is dialog  # reachable over the lock
    assert "a note you have not added yet" in box.text() and "New referral" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert window.idle.locked and session.signed_in  # still locked, nothing lost
    assert window.detail.note.toPlainText() == NOTE

    dialog.sign_out_button.click()
    box = top_level(QMessageBox, "discard_on_sign_out")
    box.button(QMessageBox.StandardButton.Discard).click()
    assert not session.signed_in and not window.idle.locked
    assert not window.isVisible() and not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert not shiboken6.isValid(new) or not new.isVisible()
    assert window.detail.note.toPlainText() == ""
    login = top_level(LoginDialog)
    assert login is not None
    assert window.findChild(NewReferralDialog) is None or not window.findChild(
        NewReferralDialog).isVisible()


def test_lock_now_from_the_menu_and_keyboard(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "reception.jones", "receptionist")
    assert window.act_lock.isEnabled() and window.act_lock.shortcut().toString() == "Ctrl+L"
    window.act_lock.trigger()
    assert window.idle.locked
    assert "You locked the screen" in " ".join(
        label.text() for label in window.idle.dialog.findChildren(type(window.idle.dialog.who)))
    window.idle.set_minutes(10)
    unlock_with(qtbot, window, window.idle.dialog, DEMO_PASSWORD)
    assert not window.idle.locked


def test_a_window_opening_while_locked_is_covered_too(demo_core, qtbot):
    from practice_rx.ui import messages

    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    lock_soon(window, qtbot)
    box = messages.show(window, "Note added", "A message from work that finished")
    qtbot.waitUntil(lambda: any(shiboken6.isValid(c) and c.parentWidget() is box
                                for c in window.idle.covers))
    covers = list(window.idle.covers)
    window.idle.set_minutes(10)
    unlock_with(qtbot, window, window.idle.dialog, DEMO_PASSWORD)
    assert box.isVisible()
    assert all(not shiboken6.isValid(c) or not c.isVisible() for c in covers)
    box.close()
