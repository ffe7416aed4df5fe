"""Someone else changes the referral first: a clear message, a reload, nothing typed lost."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.ui.messages import CONFLICT_TITLE
from tests.ui.helpers import message_box, settle


def _open_sent(window, qtbot):
    session = window.session
    services = session.services
    row = services.worklist.page(
        session.user.id, WorklistQuery(WorklistFilter(statuses=frozenset({"sent"})))).rows[0]
    window.detail.show_referral(row.id)
    settle(qtbot, window.session)
    return row


def test_status_conflict_shows_a_dialog_reloads_and_keeps_the_note(window, qtbot):
    session = window.session
    services = session.services
    row = _open_sent(window, qtbot)
    dialog = window.update_status()
    QTest.keyClick(dialog.statuses, Qt.Key.Key_Tab)
    QTest.keyClicks(dialog.note, "Accepted by phone, first session booked")

    # another workstation adds a note meanwhile
    other = services.users.ensure("dr.okafor", "Dr Chidi Okafor")
    services.referrals.add_note(other.id, row.id, row.version, "Patient rang in")

    QTest.keyClick(dialog.note, Qt.Key.Key_Return)
    settle(qtbot, session)
    box = message_box(dialog, "conflict")
    assert box is not None and box.windowTitle() == CONFLICT_TITLE
    assert "another workstation" in box.text() and "note has been kept" in box.informativeText()
    assert dialog.isVisible()
    assert dialog.note.text() == "Accepted by phone, first session booked"
    assert dialog.referral.version == row.version + 1  # reloaded
    assert services.referrals.get(session.user.id, row.id).status == "sent"  # nothing overwritten

    box.accept()
    QTest.keyClick(dialog.note, Qt.Key.Key_Return)
    settle(qtbot, session)
    saved = services.referrals.get(session.user.id, row.id)
    assert saved.status == "accepted"
    assert saved.events[-1].note == "Accepted by phone, first session booked"
    assert "Patient rang in" in [note.text for note in saved.notes]
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()


def test_note_conflict_keeps_the_note_in_the_box(window, qtbot):
    session = window.session
    services = session.services
    row = _open_sent(window, qtbot)
    window.focus_note()
    QTest.keyClicks(window.detail.note, "Left a voicemail")
    services.referrals.change_status(
        services.users.ensure("linkworker.ahmed", "Nadia Ahmed", "link_worker").id, row.id,
        row.version, "accepted")
    QTest.keyClick(window.detail.note, Qt.Key.Key_Return)
    settle(qtbot, session)
    box = message_box(window.detail, "conflict")
    assert box is not None and "another workstation" in box.text()
    assert window.detail.note.text() == "Left a voicemail"
    assert window.detail.referral.status == "accepted"  # reloaded: the other change shows
    box.accept()
    QTest.keyClick(window.detail.note, Qt.Key.Key_Return)
    settle(qtbot, session)
    assert "Left a voicemail" in [note.text for note in
                                  services.referrals.get(session.user.id, row.id).notes]
    assert window.detail.note.text() == ""
