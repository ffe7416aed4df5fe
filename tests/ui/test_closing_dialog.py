"""The "Close case" dialog, by keyboard, on a real database: the connections and scores shown
read-only, every problem named before anything is saved, and a closed case completed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from practice_rx.storage.caseload_models import CaseClosure
from practice_rx.storage.models import Referral
from practice_rx.ui.casework.closing_dialog import ClosingDialog
from practice_rx.ui.session import Session
from tests.letters.casework_world import add_casework, in_progress, practice
from tests.ui.helpers import focused, press, settle, type_into_focus


@pytest.fixture
def opened(core, qtbot):
    services = core.services
    practice(services)
    case = in_progress(services)
    add_casework(services, case)
    session = Session(core, case.worker)
    dialog = ClosingDialog(session, case.referral.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot, session)
    return session, case, dialog


def stored(services, referral_id):
    with services.db.reading() as session:
        return session.get(CaseClosure, referral_id), session.get(Referral, referral_id).status


def test_it_shows_the_connections_and_latest_scores_read_only(opened):
    _, case, dialog = opened
    assert "SMITHSON, Joan" in dialog.banner.text()
    assert dialog.connections.text() == ("• Leeds Walking Friends: Attending (connected)\n"
                                         "• Citizens Advice Leeds: Did not start")
    scores = dialog.scores.text()
    assert "Loneliness (three-item UCLA scale)" in scores
    assert "Total \u2013 8 \u2192 4, better (lower is better)" in scores
    assert ("Overall, how satisfied are you with your life nowadays? \u2013 4 \u2192 6, better"
            in scores)
    assert dialog.windowTitle() == f"Close the case: referral {case.referral.id}"


def test_a_case_is_closed_by_keyboard(opened, qtbot):
    session, case, dialog = opened
    assert focused() is dialog.goal_buttons["fully"]
    press(Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # Partly met
    qtbot.waitUntil(lambda: dialog.chosen() == "partly")  # a mnemonic clicks after a moment
    assert dialog.why_not.isEnabled()
    press(Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    assert focused() is dialog.why_not
    type_into_focus("She missed the advice appointment.")
    press(Qt.Key.Key_Tab)
    assert focused() is dialog.summary
    type_into_focus("Walks with the group every week.")
    with qtbot.waitSignal(dialog.closed, timeout=10_000):
        press(Qt.Key.Key_Return)
    settle(qtbot, session)
    closure, status = stored(session.services, case.referral.id)
    assert status == "completed"
    assert (closure.goals_met, closure.why_not, closure.summary) == (
        "partly", "She missed the advice appointment.", "Walks with the group every week.")
    assert not dialog.isVisible()


def test_every_problem_is_named_and_nothing_saved(opened, qtbot):
    session, case, dialog = opened
    press(Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # Not met, and nothing typed
    qtbot.waitUntil(lambda: dialog.chosen() == "not_met")
    dialog.summary.setFocus()
    press(Qt.Key.Key_Return)
    settle(qtbot, session)
    text = dialog.message.message
    assert "Why not: say why the goals were not fully met" in text
    assert "Summary: write a short summary" in text
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert stored(session.services, case.referral.id) == (None, "in_progress")


def test_fully_met_needs_no_why_not(opened, qtbot):
    session, case, dialog = opened
    press(Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.chosen() == "fully")
    assert not dialog.why_not.isEnabled()
    press(Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    type_into_focus("All goals met.")
    with qtbot.waitSignal(dialog.closed, timeout=10_000):
        press(Qt.Key.Key_Return)
    assert stored(session.services, case.referral.id)[0].goals_met == "fully"


def test_escape_with_nothing_typed_closes_and_it_fits_a_practice_screen(opened, qtbot):
    _, _, dialog = opened
    assert dialog.minimumSizeHint().height() <= 768 - 48 - 30
    assert dialog.sizeHint().width() <= 1366 and dialog.height() <= 768 - 48 - 30
    screen = QApplication.primaryScreen().availableGeometry()
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height()
    press(Qt.Key.Key_Escape)
    assert not dialog.isVisible()
