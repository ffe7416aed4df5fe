"""The Reports window on a demo practice: every figure listed, each chart drawing its table's
values, suppression as commissioners see it, the CSV export read back, the keyboard, who may
open it, and QtCharts loaded only when it opens."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from PySide6.QtCharts import QAbstractBarSeries, QBarCategoryAxis, QHorizontalBarSeries
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from practice_rx.errors import PermissionDenied
from practice_rx.reports import ReportPeriod, suppress_small_numbers
from practice_rx.reports.export_csv import read_sections
from practice_rx.ui.reports.charts import LABEL_CHARS, spec_for
from practice_rx.ui.reports.period_bar import (
    FINANCIAL_YEAR,
    LAST_12_MONTHS,
    LAST_QUARTER,
    preset_period,
)
from practice_rx.ui.reports.table_model import VALUE_ROLE, month_label
from tests.ui.conftest import make_window
from tests.ui.helpers import focused, message_box, press, settle
from tests.ui.test_accessibility import duplicates, mnemonics, unnamed

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def open_reports(core, qtbot, username: str = "admin", role: str = "admin"):
    window = make_window(core, qtbot, username, role)
    reports = window.open_reports()
    qtbot.waitExposed(reports)
    qtbot.waitUntil(lambda: reports.report is not None, timeout=10_000)
    settle(qtbot, window.session)
    return window, reports


def shown_rows(reports) -> tuple[list[str], list[list[object]]]:
    """The header and the cells of the figure on screen, as the table view's model holds them."""
    model = reports.table.model()
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    rows = [[model.index(r, c).data(VALUE_ROLE) for c in range(model.columnCount())]
            for r in range(model.rowCount())]
    return header, rows


def drawn(reports) -> tuple[list[str], dict[str, list[float]]]:
    """The bars of the chart on screen: category names and each bar set's values, both in
    the table's order (first row first)."""
    chart = reports.chart.chart()
    series = chart.series()[0]
    assert isinstance(series, QAbstractBarSeries)
    axis = next(a for a in chart.axes() if isinstance(a, QBarCategoryAxis))
    names = [unescape(name.replace("<br>", " ")) for name in axis.categories()]
    values = {bars.label(): [bars.at(i) for i in range(bars.count())]
              for bars in series.barSets()}
    if isinstance(series, QHorizontalBarSeries):  # drawn bottom up
        names = names[::-1]
        values = {label: row[::-1] for label, row in values.items()}
    return names, values


def as_csv(value: object) -> str:
    return "" if value is None else str(value)


# -- the periods offered ---------------------------------------------------------------------

@pytest.mark.parametrize(("today", "code", "expected"), [
    (date(2026, 11, 24), LAST_12_MONTHS, (date(2025, 12, 1), date(2026, 11, 24))),
    (date(2026, 1, 31), LAST_12_MONTHS, (date(2025, 2, 1), date(2026, 1, 31))),
    (date(2026, 11, 24), FINANCIAL_YEAR, (date(2026, 4, 1), date(2026, 11, 24))),
    (date(2026, 3, 31), FINANCIAL_YEAR, (date(2025, 4, 1), date(2026, 3, 31))),
    (date(2026, 4, 1), FINANCIAL_YEAR, (date(2026, 4, 1), date(2026, 4, 1))),
    (date(2026, 11, 24), LAST_QUARTER, (date(2026, 7, 1), date(2026, 9, 30))),
    (date(2027, 1, 10), LAST_QUARTER, (date(2026, 10, 1), date(2026, 12, 31))),
    (date(2026, 4, 1), LAST_QUARTER, (date(2026, 1, 1), date(2026, 3, 31))),
])
def test_each_preset_is_the_period_it_names(today, code, expected):
    assert preset_period(code, today) == ReportPeriod(*expected)


# -- the figures -----------------------------------------------------------------------------

def test_an_admin_sees_every_figure_of_the_last_12_months(demo_core, qtbot):
    window, reports = open_reports(demo_core, qtbot)
    session = window.session
    today = session.services.clock().date()
    assert reports.report.period == preset_period(LAST_12_MONTHS, today)
    expected = suppress_small_numbers(session.services.reports.build(
        session.user.id, reports.report.period))
    listed = [reports.tables.item(row).text() for row in range(reports.tables.count())]
    assert listed == [table.title for table in expected.tables()]
    assert len(listed) == 13  # the twelve figures of issue 14, and the referral rate
    assert reports.current_key() == "referrals_by_month"
    _header, rows = shown_rows(reports)
    assert rows == [list(row) for row in expected.by_month.rows]


def test_the_table_model_keeps_qts_rules_for_every_figure(demo_core, qtbot, qtmodeltester):
    from practice_rx.ui.reports.table_model import ReportTableModel

    _window, reports = open_reports(demo_core, qtbot)
    model = ReportTableModel()
    qtmodeltester.check(model)  # empty
    for table in suppress_small_numbers(reports.report).tables():
        model.set_table(table)
        qtmodeltester.check(model)
        assert model.rowCount() == len(table.rows)


@pytest.mark.parametrize("suppress", [False, True], ids=["all counts", "as commissioners"])
def test_each_chart_draws_the_values_of_the_table_below_it(demo_core, qtbot, suppress):
    _window, reports = open_reports(demo_core, qtbot)
    reports.suppress.setChecked(suppress)
    for key in [table.key for table in reports.report.tables()]:
        reports.select(key)
        table = reports.model.table
        assert reports.title.text() == table.title
        header, rows = shown_rows(reports)
        spec = spec_for(table)
        names, values = drawn(reports)
        if not rows:
            assert reports.chart.chart().title() == "No figures in this period"
            continue
        shown = rows[:spec.top]
        assert len(names) == len(shown), key
        for column in spec.values:
            i = table.column_index(column)
            label = header[i]
            expected = [float(row[i]) if isinstance(row[i], (int, float)) else 0.0
                        for row in shown]
            assert values[label] == pytest.approx(expected), (key, column)
        label_at = table.column_index(spec.label)
        for name, row in zip(names, shown):
            if key == "referrals_by_month":  # a month of fewer than 5 says so after its name
                assert name.removesuffix(" (fewer than 5)") == month_label(row[label_at])
            elif key != "outcome_change":
                assert name.startswith(str(row[label_at])[:LABEL_CHARS - 1].rstrip()), name
            cells = [row[table.column_index(c)] for c in spec.values]
            if any(isinstance(cell, str) and cell.startswith("<") for cell in cells):
                assert "fewer than 5)" in name
        description = reports.chart.accessibleDescription()
        assert reports.chart.accessibleName() == f"Chart: {table.title}"
        for name in names:
            assert name in description


def test_suppression_shows_small_counts_as_under_5_and_the_box_shows_them_all(demo_core, qtbot):
    _window, reports = open_reports(demo_core, qtbot)
    small = [(table.key, r, c) for table in reports.report.tables() if table.for_commissioner
             for r, row in enumerate(table.rows) for c, value in enumerate(row)
             if table.columns[c].kind == "count" and isinstance(value, int) and 0 < value < 5]
    assert small, "the demo practice has small counts to suppress"
    assert reports.suppress.isChecked()  # on by default
    for key, r, c in small:
        reports.select(key)
        assert reports.model.index(r, c).data() == "<5"
        assert "<5" in reports.note.text()
    reports.suppress.setChecked(False)
    for key, r, c in small:
        reports.select(key)
        raw = next(t for t in reports.report.tables() if t.key == key).rows[r][c]
        assert reports.model.index(r, c).data() == str(raw)
    reports.select("caseloads")  # a staff figure: never suppressed, and it says so
    assert "not for use outside the practice" in reports.note.text()


def test_changing_the_period_keeps_the_figures_until_the_new_ones_arrive(demo_core, qtbot):
    window, reports = open_reports(demo_core, qtbot)
    before = reports.report
    reports.select("referrals_by_source")
    reports.period_bar.choose(LAST_QUARTER)
    assert reports.progress_label.text() == "Counting…"
    assert reports.report is before and reports.model.rowCount() > 0
    settle(qtbot, window.session)
    today = window.session.services.clock().date()
    assert reports.report.period == preset_period(LAST_QUARTER, today)
    assert reports.progress_label.text() == ""
    assert reports.current_key() == "referrals_by_source"  # the figure chosen stays


def test_dates_the_wrong_way_round_are_said_and_not_counted(demo_core, qtbot):
    window, reports = open_reports(demo_core, qtbot)
    bar = reports.period_bar
    counted = reports.report
    bar.from_date.setDate(bar.to_date.date().addDays(3))
    qtbot.waitUntil(lambda: bar.message.message != "", timeout=3000)
    assert "To date" in bar.message.message
    settle(qtbot, window.session)
    assert reports.report is counted


# -- exports ---------------------------------------------------------------------------------

@pytest.mark.parametrize("suppress", [True, False], ids=["suppressed", "internal"])
def test_the_csv_export_reads_back_as_the_figures_shown(demo_core_on_each_backend, qtbot,
                                                        tmp_path: Path, suppress):
    window, reports = open_reports(demo_core_on_each_backend, qtbot)
    reports.suppress.setChecked(suppress)
    path = tmp_path / "report.csv"
    reports.export("csv", path)
    settle(qtbot, window.session)
    assert reports.saved.text().startswith(f"Saved to {path}")
    text = path.read_text(encoding="utf-8")
    sections = read_sections(text)
    assert ("counts of 1 to 4 shown as <5" if suppress
            else "none: not for use outside the practice") in text
    assert list(sections) == [table.key for table in reports.report.tables()]
    for key in sections:
        reports.select(key)
        header, rows = shown_rows(reports)
        assert sections[key] == [header] + [[as_csv(v) for v in row] for row in rows], key


def test_an_export_that_fails_says_why(demo_core, qtbot, tmp_path: Path):
    window, reports = open_reports(demo_core, qtbot)
    reports.export("csv", tmp_path / "no such folder" / "report.csv")
    settle(qtbot, window.session)
    box = message_box(reports, "error")
    assert box is not None and "No such file" in box.text()
    box.accept()


# -- the keyboard and screen readers ---------------------------------------------------------

def test_ctrl_shift_r_opens_reports_and_the_keyboard_moves_through_the_figures(demo_core, qtbot):
    from practice_rx.ui.reports.window import ReportsWindow

    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    window.worklist.table.setFocus()
    press(Qt.Key.Key_R, CTRL_SHIFT)
    reports = next(w for w in window.findChildren(ReportsWindow) if w.isVisible())
    qtbot.waitUntil(lambda: reports.report is not None, timeout=10_000)
    settle(qtbot, window.session)
    assert focused() is reports.tables
    titles = [table.title for table in reports.report.tables()]
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_Down)
    assert reports.title.text() == titles[2]
    press(Qt.Key.Key_End)
    assert reports.title.text() == titles[-1]
    QTest.keyClick(reports, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    assert focused() is reports.suppress
    QTest.keyClick(reports, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    assert focused() is reports.period_bar.from_date
    QTest.keyClick(reports, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    assert focused() is reports.tables


def test_every_control_is_named_reachable_and_has_its_own_alt_key(demo_core, qtbot):
    window, reports = open_reports(demo_core, qtbot)
    assert unnamed(reports) == []
    assert duplicates(mnemonics(reports)) == set(), sorted(mnemonics(reports))
    reached = set()
    reports.tables.setFocus()
    for _ in range(30):
        press(Qt.Key.Key_Tab)
        reached.add(focused())
    wanted = {reports.period_bar.preset, reports.period_bar.from_date,
              reports.period_bar.to_date, reports.tables, reports.table, reports.suppress,
              *reports.export_buttons.values()}
    assert wanted <= reached


# -- who may count ---------------------------------------------------------------------------

def test_a_receptionist_has_no_reports_and_the_service_refuses_them(demo_core, qtbot):
    from practice_rx.ui.reports.window import ReportsWindow
    from practice_rx.ui.session import Session

    window = make_window(demo_core, qtbot, "reception.jones", "receptionist")
    assert not window.act_reports.isVisible()
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert window.act_reports not in [a for a in view_menu.actions() if a.isVisible()]
    assert window.open_reports() is None
    user = window.session.user
    with pytest.raises(PermissionDenied):
        demo_core.services.reports.build(user.id, ReportPeriod(date(2026, 1, 1),
                                                               date(2026, 3, 31)))
    # a window opened round the menu still gets nothing: the service says no
    reports = ReportsWindow(Session(demo_core, user))
    qtbot.addWidget(reports)
    reports.show()
    settle(qtbot, reports.session)
    box = message_box(reports, "error")
    assert box is not None and box.windowTitle() == "Not allowed for your role"
    assert reports.report is None and reports.tables.count() == 0
    box.accept()


# -- start-up does not pay for the charts ----------------------------------------------------

PROBE = """
import sys
from practice_rx.settings import Settings
from practice_rx.startup import start
from practice_rx.ui.app import qt_application
from practice_rx.ui.main_window import MainWindow
from practice_rx.ui.operations import Operations
from practice_rx.ui.session import Session

qt_application()
core = start(sys.argv[1], Settings(), discovered=[])
user = core.services.users.ensure("practice.admin", "practice.admin", "admin")
window = MainWindow(Session(core, user))
window.show()
print("started", "PySide6.QtCharts" in sys.modules)
reports = window.open_reports()
print("reports", "PySide6.QtCharts" in sys.modules)
Operations.wait_for_all()
reports.close()
core.close()
"""


def test_starting_the_main_window_does_not_load_qtcharts_and_reports_does(tmp_path: Path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, f"sqlite:///{tmp_path / 'light.sqlite3'}"],
        capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines()
             if line.startswith(("started", "reports"))]
    assert lines == ["started False", "reports True"], result.stdout


# -- a network's practices ----------------------------------------------------------------------

def test_a_network_admin_counts_one_practice_chosen_from_the_list(demo_core, qtbot):
    window, reports = open_reports(demo_core, qtbot)
    qtbot.waitUntil(lambda: reports.practice.count() == 4)  # all, and the demo's three
    assert reports.practice_area.isVisible() and reports.practices() == ()
    holbeck = next(p for p in reports.practice.practices if p.ods_code == "Y99902")
    reports.practice.choose(holbeck.id)
    qtbot.waitUntil(lambda: reports.report.period.practice_ids == frozenset({holbeck.id}),
                    timeout=10_000)
    settle(qtbot, window.session)
    reports.select("referral_rate")
    _header, rows = shown_rows(reports)
    assert [row[0] for row in rows] == ["Y99902"]
    expected = window.session.services.reports.build(
        window.session.user.id, reports.report.period, practices=["Y99902"])
    assert reports.report.tables() == expected.tables()


def test_a_practices_own_gp_has_no_practice_list_and_counts_their_practice(demo_core, qtbot):
    window, reports = open_reports(demo_core, qtbot, "dr.shah", "clinician")
    settle(qtbot, window.session)
    assert not reports.practice_area.isVisible()
    reports.select("referral_rate")
    _header, rows = shown_rows(reports)
    assert [row[0] for row in rows] == ["Y99902"]
