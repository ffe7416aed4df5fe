"""The status dialog: the patient banner, and a change dated when it happened."""

from __future__ import annotations

from datetime import timedelta

import shiboken6
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtTest import QTest

from practice_rx.domain.identifiers import format_nhs_number, local_time
from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.ui.status_dialog import StatusDialog
from tests.ui.helpers import settle


def _open_sent(window, qtbot):
    session = window.session
    row = session.services.worklist.page(session.user.id, WorklistQuery(
        WorklistFilter(statuses=frozenset({"sent"})))).rows[0]
    dialog = StatusDialog(session, session.services.referrals.get(session.user.id, row.id),
                          "accepted", window)
    dialog.show()
    return session, row, dialog


def test_the_dialog_shows_whose_referral_it_changes(receptionist_window, qtbot):
    session, row, dialog = _open_sent(receptionist_window, qtbot)
    text = dialog.banner.text()
    assert dialog.banner.isVisible()
    assert format_nhs_number(row.nhs_number) in text and f"Referral {row.id}" in text
    assert row.patient_name in text
    assert dialog.windowTitle() == f"Update status: referral {row.id}"
    dialog.reject()


def test_a_status_dated_when_it_happened_keeps_both_times(receptionist_window, qtbot):
    session, row, dialog = _open_sent(receptionist_window, qtbot)
    referral = session.services.referrals.get(session.user.id, row.id)
    sent_at = referral.events[-1].occurred_at
    assert not dialog.happened.when.isEnabled()  # "now" unless the user says otherwise
    QTest.mouseClick(dialog.happened.earlier, Qt.MouseButton.LeftButton)
    assert dialog.happened.when.isEnabled()
    # ticked but left at now: said, nothing saved
    dialog.save_button.click()
    assert "choose a time earlier than now" in dialog.message.message
    # before the previous event: the service's refusal is shown, nothing saved
    dialog.happened.when.setDateTime(QDateTime(local_time(sent_at - timedelta(days=3))))
    dialog.save_button.click()
    settle(qtbot, session)
    assert "cannot be before the referral's previous change" in dialog.message.message
    assert session.services.referrals.get(session.user.id, row.id).status == "sent"
    chosen = (sent_at + timedelta(hours=1)).replace(second=0, microsecond=0)
    dialog.happened.when.setDateTime(QDateTime(local_time(chosen)))
    QTest.keyClicks(dialog.note, "Accepted by phone")
    dialog.save_button.click()
    settle(qtbot, session)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())
    event = session.services.referrals.get(session.user.id, row.id).events[-1]
    assert event.to_status == "accepted" and event.note == "Accepted by phone"
    assert event.occurred_at == chosen
    assert event.at > event.occurred_at


def test_the_timeline_shows_when_it_happened_when_it_was_recorded_and_each_chase(
        receptionist_window, qtbot):
    from datetime import datetime

    from practice_rx.ui.formatting import moment

    window = receptionist_window
    session = window.session
    services, user_id = session.services, session.user.id
    row = services.chasing.candidates(user_id).candidates[0].row
    referral = services.referrals.get(user_id, row.id)
    services.chasing.make_letters(user_id, [row.id], datetime.max)
    happened = (referral.events[-1].occurred_at + timedelta(minutes=30)).replace(microsecond=0)
    target = "accepted" if row.status == "sent" else "contacted"
    services.referrals.change_status(user_id, row.id, referral.version, target, "By phone",
                                     occurred_at=happened)
    window.detail.show_referral(row.id)
    settle(qtbot, session)
    items = [window.detail.timeline.topLevelItem(i)
             for i in range(window.detail.timeline.topLevelItemCount())]
    texts = [[item.text(c) for c in range(4)] for item in items]
    changed = next(t for t in texts if t[3] == "By phone")
    assert changed[0].startswith(moment(happened) + "\n(recorded ")
    chase = next(t for t in texts if t[2].startswith("Chased the service: chaser letter"))
    assert chase[1] == session.user.display_name
    # in the order things happened: the back-dated change comes before today's chase
    assert texts.index(changed) < texts.index(chase)


def test_escape_with_a_note_typed_asks_before_discarding_it(receptionist_window, qtbot):
    """Found at the desk: Esc threw away "Service rang to accept" without a word."""
    from PySide6.QtWidgets import QMessageBox

    from tests.ui.helpers import message_box

    session, row, dialog = _open_sent(receptionist_window, qtbot)
    QTest.keyClicks(dialog.note, "Service rang to accept")
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    box = message_box(dialog, "discard")
    assert box is not None and dialog.isVisible()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()  # keep editing
    assert dialog.isVisible() and dialog.note.text() == "Service rang to accept"
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    message_box(dialog, "discard").button(QMessageBox.StandardButton.Discard).click()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())
    assert session.services.referrals.get(session.user.id, row.id).status == "sent"
