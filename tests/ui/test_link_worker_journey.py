"""A link worker's whole case, by keyboard, on SQLite and PostgreSQL: a self-referral entered,
allocated and contacted, a baseline questionnaire, a plan agreed with the person, the case
in progress, a follow-up at closing, the case closed, and the message back to the GP."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import shiboken6
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from practice_rx.services.practice import PracticeDetails
from practice_rx.startup import App
from practice_rx.ui.casework.closing_dialog import ClosingDialog
from practice_rx.ui.casework.measure_dialog import MeasureEntryDialog
from practice_rx.ui.casework.plan_editor import PlanEditor
from practice_rx.ui.status_dialog import StatusDialog
from tests.caseload.allocated_case import current
from tests.support.factories import admin
from tests.ui.conftest import open_core
from tests.ui.helpers import focused, press, settle, type_into_focus
from tests.ui.test_caseload_journey import first_contact_by_keyboard

ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def core_on_each_backend(db_url: str) -> Iterator[App]:
    app = open_core(db_url)
    yield app
    app.close()


def _shown(qtbot, session, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot, session)
    return dialog


def _gone(qtbot, dialog) -> None:
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())


def _alt(qtbot, letter: str) -> None:
    press(getattr(Qt.Key, f"Key_{letter.upper()}"), ALT)
    qtbot.wait(150)  # a button's mnemonic clicks a moment later


def _loneliness(qtbot, session, referral_id: int, downs: tuple[int, int, int],
                occasion: str = "") -> None:
    """The three UCLA questions, each ``downs`` steps down its scale from the first answer;
    ``occasion`` typed into its list ("Closing"), else the one offered."""
    dialog = _shown(qtbot, session, MeasureEntryDialog(session, referral_id, "ucla3"))
    if occasion:
        press(Qt.Key.Key_C, ALT)
        assert focused() is dialog.occasion
        QTest.keyClicks(dialog.occasion, occasion)
    for number, steps in enumerate(downs, start=1):
        press(getattr(Qt.Key, f"Key_{number}"), ALT)
        for _ in range(steps + 1):
            press(Qt.Key.Key_Down)
    _alt(qtbot, "s")
    settle(qtbot, session)
    _gone(qtbot, dialog)


def test_from_a_self_referral_to_a_closed_case_and_the_message_back(core_on_each_backend,
                                                                   qtbot):
    app = core_on_each_backend
    services = app.services
    session, referral_id = first_contact_by_keyboard(app, qtbot)
    worker = session.user

    # the baseline at the first contact: lonely often on two of the three questions
    _loneliness(qtbot, session, referral_id, (2, 2, 1))

    # the plan, in the person's words, agreed with her and her daughter
    editor = _shown(qtbot, session, PlanEditor(session, referral_id))
    assert editor.what_matters.hasFocus()
    QTest.keyClicks(editor.what_matters, "Seeing people again, and getting out of the flat")
    _alt(qtbot, "o")
    QTest.keyClicks(editor.outcomes, "Out of the house twice a week")
    _alt(qtbot, "a")  # an action: the Who cell opens for typing
    QTest.keyClicks(editor.focusWidget(), "Joan")
    QTest.keyClick(editor.focusWidget(), Qt.Key.Key_Tab)
    QTest.keyClicks(editor.focusWidget(), "Go to the Tuesday lunch club")
    QTest.keyClick(editor.focusWidget(), Qt.Key.Key_Return)
    _alt(qtbot, "b")
    QTest.keyClicks(editor.agreed_others, "her daughter")
    _alt(qtbot, "g")
    settle(qtbot, session)
    _gone(qtbot, editor)

    # the plan under way: In progress, chosen from the status list by keyboard
    dialog = _shown(qtbot, session, StatusDialog(
        session, services.referrals.get(worker.id, referral_id)))
    targets = [dialog.statuses.item(row).data(Qt.ItemDataRole.UserRole + 1)
               for row in range(dialog.statuses.count())]
    assert "completed" not in targets and "contacted" not in targets
    dialog.statuses.setFocus()
    while dialog.statuses.currentItem().data(Qt.ItemDataRole.UserRole + 1) != "in_progress":
        press(Qt.Key.Key_Down)
    press(Qt.Key.Key_Return)
    settle(qtbot, session)
    _gone(qtbot, dialog)
    assert current(services, referral_id).status == "in_progress"

    # the follow-up at closing: less lonely on every question
    _loneliness(qtbot, session, referral_id, (0, 1, 0), occasion="Closing")

    closing = _shown(qtbot, session, ClosingDialog(session, referral_id))
    assert focused() is closing.goal_buttons["fully"]
    press(Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: closing.chosen() == "fully")
    _alt(qtbot, "u")
    assert focused() is closing.summary
    type_into_focus("Goes to the lunch club every week and sees her neighbours.")
    with qtbot.waitSignal(closing.closed, timeout=10_000):
        press(Qt.Key.Key_Return)
    settle(qtbot, session)
    closed = current(services, referral_id)
    assert closed.status == "completed" and closed.source == "self_referral"

    scores = [(r.occasion, r.scores["total"]) for r in
              services.outcome_measures.results(worker.id, referral_id)]
    assert scores == [("baseline", 8.0), ("closing", 4.0)]
    services.practice.save(admin(services), PracticeDetails(
        "Y99901", "Beeston Hill Surgery", address="1 Beeston Road\nLeeds", postcode="LS11 6AB",
        phone="0113 496 0000"))
    letter = services.letters.generate(worker.id, referral_id, "message_back")
    text = " ".join(" ".join(page.extract_text() for page in
                             PdfReader(io.BytesIO(letter.pdf)).pages).split())
    assert "Seeing people again, and getting out of the flat" in text
    assert "Out of the house twice a week" in text
    assert "8 → 4" in text and "871731000000106" in text
    assert "interim" not in text.lower()
