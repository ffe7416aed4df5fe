"""Outcome measures on screen: entry by keyboard, part-answered refused, the change and a chart
with its text alternative."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from practice_rx.ui.casework.measure_dialog import MeasureEntryDialog
from practice_rx.ui.casework.outcomes_panel import OutcomesPanel
from practice_rx.ui.session import Session
from tests.caseload.casework_cases import install_measures, open_case
from tests.ui.helpers import press, settle

FITS = (1366 - 16, 768 - 48 - 40)
ONS4 = {"life_satisfaction": 4, "worthwhile": 5, "happy_yesterday": 3, "anxious_yesterday": 8}


def _case(core):
    install_measures(core.services)
    return open_case(core.services)


def _dialog(core, qtbot, case, measure_id="ucla3"):
    session = Session(core, case.worker)
    dialog = MeasureEntryDialog(session, case.referral_id, measure_id)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot, session)
    return session, dialog


def test_a_measure_answered_by_keyboard_one_question_per_row(core, qtbot):
    case = _case(core)
    session, dialog = _dialog(core, qtbot, case)
    assert dialog.measure.currentData().id == "ucla3"
    assert dialog.occasion.currentData() == "baseline"
    assert "lower score is better" in dialog.direction.text()
    box = dialog.answers["lack_companionship"]
    assert [box.itemText(i) for i in range(box.count())] == [
        "1 — Hardly ever or never", "2 — Some of the time", "3 — Often"]
    for number, presses in ((1, 2), (2, 2), (3, 1)):  # Alt+number reaches each question
        press(getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.AltModifier)
        for _ in range(presses):
            press(Qt.Key.Key_Down)
    assert dialog.given() == {"lack_companionship": 2, "left_out": 2, "isolated": 1}
    press(Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.wait(150)
    settle(qtbot, session)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())
    [result] = core.services.outcome_measures.results(case.worker.id, case.referral_id)
    assert result.scores == {"total": 5.0} and result.occasion == "baseline"


def test_a_part_answered_measure_is_refused_and_the_gap_takes_the_focus(core, qtbot):
    case = _case(core)
    session, dialog = _dialog(core, qtbot, case)
    dialog.answers["lack_companionship"].setCurrentIndex(0)
    dialog.answers["isolated"].setCurrentIndex(0)
    dialog.save_button.click()
    settle(qtbot, session)
    assert "How often do you feel left out?" in dialog.message.message
    assert dialog.answers["left_out"].hasFocus()
    assert core.services.outcome_measures.results(case.worker.id, case.referral_id) == []


def test_after_a_baseline_the_measure_is_offered_for_a_follow_up_only(core, qtbot):
    case = _case(core)
    core.services.outcome_measures.record(case.worker.id, case.referral_id, case.version,
                                          ("ons4", 1), "baseline",
                                          core.services.clock().date(), ONS4)
    session, dialog = _dialog(core, qtbot, case, "ons4")
    assert [dialog.occasion.itemData(i) for i in range(dialog.occasion.count())] == [
        "review", "closing"]
    assert "lower is better" in dialog.questions_form.labelForField(
        dialog.answers["anxious_yesterday"]).text()
    hint = dialog.minimumSizeHint()
    assert hint.width() <= FITS[0] and hint.height() <= FITS[1]


def test_the_change_and_a_chart_per_measure_with_a_text_alternative(core, qtbot):
    case = _case(core)
    services = core.services
    today = services.clock().date()
    services.outcome_measures.record(case.worker.id, case.referral_id, case.version,
                                     ("ons4", 1), "baseline", today, ONS4)
    services.outcome_measures.record(case.worker.id, case.referral_id, case.version,
                                     ("ons4", 1), "review", today,
                                     {**ONS4, "anxious_yesterday": 5})
    services.outcome_measures.record(case.worker.id, case.referral_id, case.version,
                                     ("ucla3", 1), "baseline", today,
                                     {"lack_companionship": 3, "left_out": 3, "isolated": 2})
    session = Session(core, case.worker)
    panel = OutcomesPanel(session, case.referral_id)
    qtbot.addWidget(panel)
    panel.resize(700, 600)
    panel.show()
    settle(qtbot, session)
    texts = [label.text() for label in panel.body.findChildren(QLabel)]
    better = "how anxious did you feel yesterday? (lower is better): 8 to 5 (better)"
    assert any(better in text for text in texts)
    assert any("no follow-up yet" in t for t in texts)
    chart = panel.charts["ons4"]
    description = chart.accessibleDescription()
    assert "Overall, how anxious did you feel yesterday? (lower is better)" in description
    assert "(Baseline): 8" in description and "(Review): 5" in description
    assert panel.charts["ucla3"].series[0].legend == "Total (lower is better)"
    image = chart.grab().toImage()  # it paints: some pixels are the first line's blue
    assert any(image.pixelColor(x, y).name() == "#005eb8"
               for x in range(0, image.width(), 2) for y in range(0, image.height(), 2))
    hint = panel.minimumSizeHint()
    assert hint.width() <= FITS[0] and hint.height() <= FITS[1]


def test_the_chart_spaces_results_by_date_and_lists_them_in_order(qtbot):
    from datetime import date

    from practice_rx.domain.casework import MeasureOccasion
    from practice_rx.measures import builtin_measures
    from practice_rx.services.outcome_measures import ResultRow
    from practice_rx.ui.casework.score_chart import ScoreChart

    ucla3 = builtin_measures()[1]
    rows = [ResultRow(n, "ucla3", 1, ucla3.title, MeasureOccasion(occasion), when, {},
                      {"total": total})
            for n, (occasion, when, total) in enumerate([
                ("baseline", date(2026, 9, 1), 8.0), ("review", date(2026, 10, 13), 6.0),
                ("closing", date(2026, 12, 1), 4.0)])]
    chart = ScoreChart()
    qtbot.addWidget(chart)
    chart.show_measure(ucla3, rows)
    chart.resize(420, 170)
    assert chart.text_alternative() == (
        "Loneliness (three-item UCLA scale). Total (lower is better): 1 Sep 2026 (Baseline): 8; "
        "13 Oct 2026 (Review): 6; 1 Dec 2026 (Closing): 4.")
    assert (chart.low, chart.high) == (3.0, 9.0)
    image = chart.grab().toImage()
    blue = [x for x in range(image.width()) for y in range(image.height())
            if image.pixelColor(x, y).name() == "#005eb8"]
    assert min(blue) < 60 and max(blue) > 360  # from the first date to the last
