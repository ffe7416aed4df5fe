"""A receptionist chases the overdue list: filter, open, change a status with a note."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.ui.status_dialog import StatusDialog
from practice_rx.ui.worklist_model import OVERDUE_ROLE, ROW_ROLE
from tests.ui.helpers import press, settle


def test_receptionist_filters_overdue_and_updates_a_status_by_keyboard(window, qtbot):
    session = window.session
    services = session.services
    overdue_total = services.worklist.status_counts(session.user.id)["overdue"]
    assert overdue_total > 0
    assert window.worklist.model.total == 300

    QTest.keyClick(window, Qt.Key.Key_O,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, session)
    model = window.worklist.model
    assert model.total == overdue_total
    assert all(model.data(model.index(row, 0), OVERDUE_ROLE) for row in range(model.total))
    assert "Overdue – to chase" in window.sidebar.statuses.currentItem().text()

    # Down to the first row, Enter to open it
    assert QApplication.focusWidget() is window.worklist.table
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_Home)
    settle(qtbot, session)
    row = model.data(model.index(window.worklist.table.currentIndex().row(), 0), ROW_ROLE)
    press(Qt.Key.Key_Return)
    settle(qtbot, session)
    assert window.detail.referral.id == row.id
    assert "OVERDUE" in window.detail.status_line.text()

    # Ctrl+U, type a note, Enter: two keystrokes and the note
    press(Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(StatusDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.statuses)
    expected = dialog.chosen()
    assert expected == ("accepted" if row.status == "sent" else "contacted")
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.note
    QTest.keyClicks(dialog.note, "Service phoned to confirm")
    press(Qt.Key.Key_Return)
    settle(qtbot, session)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())

    saved = services.referrals.get(session.user.id, row.id)
    assert saved.status == expected
    last = saved.events[-1]
    assert (last.from_status, last.to_status, last.note) == (row.status, expected,
                                                             "Service phoned to confirm")
    assert last.user.username == "reception.jones"

    # the timeline shows who, when, from, to and the note
    timeline = window.detail.timeline
    item = timeline.topLevelItem(timeline.topLevelItemCount() - 1)
    assert item.text(1) == "Sam Jones"
    assert "→" in item.text(2) and item.text(3) == "Service phoned to confirm"
    # and the list has moved on: it is no longer overdue
    settle(qtbot, session)
    assert model.total == overdue_total - 1
    assert services.worklist.page(
        session.user.id, WorklistQuery(WorklistFilter(overdue_only=True))).total \
        == overdue_total - 1


def test_only_allowed_transitions_are_offered(window, qtbot):
    session = window.session
    services = session.services
    completed = services.worklist.page(
        session.user.id, WorklistQuery(WorklistFilter(statuses=frozenset({"completed"})))).rows[0]
    sent = services.worklist.page(
        session.user.id, WorklistQuery(WorklistFilter(statuses=frozenset({"sent"})))).rows[0]
    window.detail.show_referral(sent.id)
    settle(qtbot, session)
    offered = {b.objectName() for b in window.detail.findChildren(type(window.detail.update_button))
               if b.objectName().startswith("to_") and b.isVisible()}
    assert offered == {"to_accepted", "to_rejected", "to_cancelled"}

    window.detail.show_referral(completed.id)
    settle(qtbot, session)
    offered = [b for b in window.detail.findChildren(type(window.detail.update_button))
               if b.objectName().startswith("to_") and b.isVisible()]
    assert offered == [] and not window.detail.update_button.isEnabled()


def test_rejecting_needs_a_reason_and_keeps_the_dialog_open(window, qtbot):
    session = window.session
    sent = session.services.worklist.page(
        session.user.id, WorklistQuery(WorklistFilter(statuses=frozenset({"sent"})))).rows[0]
    window.detail.show_referral(sent.id)
    settle(qtbot, session)
    dialog = window.detail.update_status("rejected")
    assert dialog.chosen() == "rejected" and "reason" in dialog.note_hint.text()
    dialog.submit()
    settle(qtbot, session)
    assert dialog.isVisible()
    assert "reason is required" in dialog.message.text()
    QTest.keyClicks(dialog.note, "No capacity until spring")
    QTest.keyClick(dialog.note, Qt.Key.Key_Return)
    settle(qtbot, session)
    assert session.services.referrals.get(session.user.id, sent.id).status == "rejected"


def test_status_counts_follow_the_filters(window, qtbot):
    session = window.session
    counts = session.services.worklist.status_counts(session.user.id)
    texts = [window.sidebar.statuses.item(i).text() for i in range(window.sidebar.statuses.count())]
    assert f"All referrals  ({sum(v for k, v in counts.items() if k != 'overdue'):,})" in texts
    assert f"Overdue – to chase  ({counts['overdue']:,})" in texts
