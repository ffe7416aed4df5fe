"""Batch chasers you choose: a ticked list, the count, a confirmation, each chase recorded."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from practice_rx.storage.models import ReferralChase
from practice_rx.ui.worklist_filters import OVERDUE
from tests.ui.helpers import settle


def chases(session) -> list[int]:
    with session.services.db.reading() as db:
        return sorted(db.scalars(select(ReferralChase.referral_id)))


def test_recent_chases_are_not_ticked_and_nothing_is_made_without_a_yes(receptionist_window,
                                                                         qtbot):
    window = receptionist_window
    session = window.session
    services, user_id = session.services, session.user.id
    listed = services.chasing.candidates(user_id)
    assert len(listed.candidates) >= 3
    chased_first = listed.candidates[0].row.id
    services.chasing.make_letters(user_id, [chased_first], listed.listed_at)
    before = chases(session)  # the demo's phone chases, and that one

    window.sidebar.statuses.choose(OVERDUE)
    settle(qtbot, session)
    dialog = window.chaser_letters()
    settle(qtbot, session)
    model = dialog.model
    total = model.rowCount()
    assert total == len(listed.candidates)
    assert chased_first not in model.chosen() and len(model.chosen()) == total - 1
    assert "not ticked" in dialog.explain.text()
    assert dialog.count.text() == f"{total - 1} of {total} ticked to chase."

    # Space on the highlighted (second) row unticks it, from the keyboard
    dialog.table.setFocus()
    QTest.keyClick(dialog.table, Qt.Key.Key_Down)
    second = model.candidates[dialog.table.currentIndex().row()].row.id
    assert second != chased_first
    QTest.keyClick(dialog.table, Qt.Key.Key_Space)
    assert second not in model.chosen()
    assert dialog.make_button.text() == f"&Make {total - 2} chaser letters…"

    box = dialog.make()
    assert f"Make {total - 2} chaser letters?" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    settle(qtbot, session)
    assert chases(session) == before  # nothing made without a yes

    chosen = model.chosen()
    dialog.make().button(QMessageBox.StandardButton.Yes).click()
    settle(qtbot, session)
    assert chases(session) == sorted([*before, *chosen])
    assert f"{len(chosen)} chaser letters saved" in window.statusBar().currentMessage()
    assert chases(session).count(second) == before.count(second)  # unticked: not chased
