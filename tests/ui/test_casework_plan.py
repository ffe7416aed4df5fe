"""The plan editor and its history, driven by keyboard on a real database."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from practice_rx.domain.identifiers import format_date
from practice_rx.ui.casework.plan_editor import PlanEditor
from practice_rx.ui.casework.plan_history import PlanHistory
from practice_rx.ui.session import Session
from tests.caseload.casework_cases import PLAN, agree_plan, open_case
from tests.ui.helpers import press, settle

FITS = (1366 - 16, 768 - 48 - 40)  # a 1366×768 screen less taskbar, title bar and frame


def _editor(core, qtbot, case=None):
    case = case or open_case(core.services)
    session = Session(core, case.worker)
    editor = PlanEditor(session, case.referral_id)
    qtbot.addWidget(editor)
    editor.show()
    settle(qtbot, session)
    return case, session, editor


def alt(qtbot, letter: str) -> None:
    """Alt+letter where the focus is; a button's mnemonic "animates" its click, 100 ms later."""
    press(getattr(Qt.Key, f"Key_{letter.upper()}"), Qt.KeyboardModifier.AltModifier)
    qtbot.wait(150)


def test_a_plan_written_and_agreed_by_keyboard(core, qtbot):
    case, session, editor = _editor(core, qtbot)
    assert "No plan yet" in editor.state.text()
    assert editor.what_matters.hasFocus()
    QTest.keyClicks(editor.what_matters, "Getting out to meet people")
    alt(qtbot, "o")
    assert editor.outcomes.hasFocus()
    QTest.keyClicks(editor.outcomes, "Out twice a week")
    QTest.keyClick(editor.outcomes, Qt.Key.Key_Return)
    QTest.keyClicks(editor.outcomes, "Feel less alone")
    alt(qtbot, "a")  # add an action: the Who cell opens for typing
    QTest.keyClicks(editor.focusWidget(), "Joan")
    QTest.keyClick(editor.focusWidget(), Qt.Key.Key_Tab)  # on to What
    QTest.keyClicks(editor.focusWidget(), "Try the walking group")
    QTest.keyClick(editor.focusWidget(), Qt.Key.Key_Return)
    alt(qtbot, "b")
    QTest.keyClicks(editor.agreed_others, "her daughter")
    alt(qtbot, "g")
    settle(qtbot, session)
    qtbot.waitUntil(lambda: not shiboken6.isValid(editor) or not editor.isVisible())
    [version] = core.services.care_plans.versions(case.worker.id, case.referral_id)
    assert version.content.what_matters == "Getting out to meet people"
    assert version.content.outcomes == ("Out twice a week", "Feel less alone")
    assert [(a.who, a.what) for a in version.content.actions] == [
        ("Joan", "Try the walking group")]
    assert version.agreed_with == "the person and her daughter"


def test_every_problem_is_shown_and_the_first_field_takes_the_focus(core, qtbot):
    case, session, editor = _editor(core, qtbot)
    editor.agree_button.click()
    settle(qtbot, session)
    text = editor.message.message
    assert "What matters to the person" in text and "Outcomes agreed" in text
    assert editor.what_matters.hasFocus()
    assert core.services.care_plans.versions(case.worker.id, case.referral_id) == []


def test_it_opens_on_the_latest_version_and_saving_makes_the_next(core, qtbot):
    case = open_case(core.services)
    agree_plan(case)
    case, session, editor = _editor(core, qtbot, case)
    assert "Version 1" in editor.state.text() and "agreed with the person" in editor.state.text()
    assert editor.what_matters.toPlainText() == PLAN.what_matters
    assert editor.actions.rowCount() == 2
    editor.table.setCurrentIndex(editor.actions.index(0, 3))
    editor.table.setFocus()
    QTest.keyClick(editor.table, Qt.Key.Key_Space)  # ticks the first action done
    assert editor.actions.actions()[0].done
    alt(qtbot, "s")
    settle(qtbot, session)
    versions = core.services.care_plans.versions(case.worker.id, case.referral_id)
    assert [v.agreed for v in versions] == [True, False]
    assert versions[1].content.actions[0].done and not versions[0].content.actions[0].done


def test_the_editor_fits_a_practice_screen(core, qtbot):
    _, _, editor = _editor(core, qtbot)
    hint = editor.minimumSizeHint()
    assert hint.width() <= FITS[0] and hint.height() <= FITS[1]


def test_the_history_shows_every_version_read_only(core, qtbot):
    case = open_case(core.services)
    agree_plan(case)
    core.services.care_plans.save(case.worker.id, case.referral_id, case.version,
                                  PLAN.__class__(what_matters="Changed after the review"))
    session = Session(core, case.worker)
    history = PlanHistory(session, case.referral_id)
    qtbot.addWidget(history)
    history.show()
    settle(qtbot, session)
    assert history.versions.count() == 2
    assert "not agreed" in history.versions.item(0).text()  # newest first
    assert history.details.isReadOnly()
    assert "Changed after the review" in history.details.toPlainText()
    history.versions.setFocus()
    QTest.keyClick(history.versions, Qt.Key.Key_Down)
    assert "Out of the house twice a week" in history.details.toPlainText()
    today = format_date(core.services.clock().date())
    assert f"Agreed with the person on {today}" in history.details.toPlainText()
    hint = history.minimumSizeHint()
    assert hint.width() <= FITS[0] and hint.height() <= FITS[1]


def test_the_actions_model_passes_the_model_tester(qtmodeltester):
    from practice_rx.ui.casework.actions_model import ActionsModel

    model = ActionsModel(list(PLAN.actions))
    model.add("Joan")
    qtmodeltester.check(model)


def test_escape_with_changes_typed_asks_before_discarding_them(core, qtbot):
    from tests.ui.helpers import message_box

    case, session, editor = _editor(core, qtbot)
    QTest.keyClick(editor.what_matters, Qt.Key.Key_Escape)
    assert not editor.isVisible()  # nothing typed: Esc just closes
    case, session, editor = _editor(core, qtbot, case)
    QTest.keyClicks(editor.what_matters, "Seeing my grandchildren")
    QTest.keyClick(editor.what_matters, Qt.Key.Key_Escape)
    box = message_box(editor, "discard")
    assert box is not None and editor.isVisible()
    box.button(box.StandardButton.Cancel).click()  # keep editing
    assert editor.what_matters.toPlainText() == "Seeing my grandchildren"
