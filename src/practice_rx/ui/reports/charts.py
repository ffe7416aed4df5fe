"""A bar chart for each report figure, with QtCharts: the only module that imports it.

QtCharts (PySide6-Addons) rather than pyqtgraph: these are business charts with
category axes (sources, services, months), drawn with the application's own fonts,
palette and high-DPI scaling, and with no numpy to install. It is loaded only when the
Reports window opens, so start-up does not pay for it.

What each table charts is a :class:`ChartSpec` (:data:`SPECS`); a table without one
(a figure added later) charts its count columns against its label. A cell that cannot
be drawn — suppressed ("<5"), withheld ("*") or empty — is a bar of 0 and its category
says why, e.g. "Social care (<5)": a chart never draws a number the table withholds.
Long bar charts are horizontal, with the first row at the top, as the table reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from practice_rx.measures import builtin_measures
from practice_rx.reports import Table
from practice_rx.reports.suppression import WITHHELD
from practice_rx.ui.casework.score_chart import COLOURS
from practice_rx.ui.reports.table_model import display, month_label

#: the longest category name drawn; the table below has it whole
LABEL_CHARS = 38
#: a colour for the funnel's exits, apart from its steps
LEFT_COLOUR = "#768692"  # NHS mid grey


@dataclass(frozen=True)
class ChartSpec:
    """``label``: the column naming each bar; ``values``: the columns drawn (one bar set
    each, same unit); ``top``: draw only the first rows (the table is ordered most first);
    ``vertical``: bars stand up (months, left to right)."""

    label: str
    values: tuple[str, ...]
    top: int | None = None
    vertical: bool = False


SPECS: dict[str, ChartSpec] = {
    "referrals_by_month": ChartSpec("month", ("referrals",), vertical=True),
    "referrals_by_source": ChartSpec("label", ("referrals",)),
    "referrals_by_reason": ChartSpec("label", ("referrals",)),
    "referrals_by_service": ChartSpec("service", ("referrals",), top=10),
    "referrals_by_category": ChartSpec("label", ("referrals",)),
    "status_funnel": ChartSpec("label", ("referrals",)),
    "working_day_waits": ChartSpec("label", ("median", "p90")),
    "overdue_now": ChartSpec("label", ("referrals",)),
    "outcome_change": ChartSpec("score", ("mean_baseline", "mean_follow_up")),
    "services_most_referred": ChartSpec("service", ("referrals", "rejected")),
    "services_most_rejecting": ChartSpec("service", ("referrals", "rejected")),
    "caseloads": ChartSpec("link_worker", ("open_cases",)),
}


def spec_for(table: Table) -> ChartSpec:
    """The table's own spec, else its count columns against its "label" column (or its
    first label column)."""
    if table.key in SPECS:
        return SPECS[table.key]
    labels = [c.key for c in table.columns if c.kind == "label"]
    label = "label" if "label" in labels else labels[0]
    return ChartSpec(label, tuple(c.key for c in table.columns if c.kind == "count"))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _shorten(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1].rstrip() + "…"


def _score_name(row: dict[str, object]) -> str:
    """An outcome row's bar: the measure and score, and which way is better."""
    measure, key = str(row["measure"]), str(row["score"])
    found = next((m for m in builtin_measures()
                  if m.id == measure and m.version == row.get("version")), None)
    lower = found is not None and key in found.score_keys() and not found.better_when_higher(key)
    return (f"{measure.upper()} {key.replace('_', ' ')}"
            + (" (lower is better)" if lower else ""))


def undrawn(value: object) -> str:
    """Why a cell has no bar: suppressed, withheld or empty."""
    if value is None:
        return "none"
    if value == WITHHELD:
        return "withheld"
    text = str(value)
    return f"fewer than {text[1:]}" if text.startswith("<") else text


def categories(table: Table, spec: ChartSpec) -> list[str]:
    """Each row's bar name, unique (the axis drops repeats), marked when a value is not
    drawn: "(fewer than 5)", "(withheld)" or "(none)" (with the column's name when the
    chart draws several)."""
    labels = {column.key: column.label for column in table.columns}
    names: list[str] = []
    for row in table.as_dicts()[:spec.top]:
        if table.key == "outcome_change":
            name = _score_name(row)
        elif spec.label == "month":
            name = month_label(str(row["month"]))
        else:
            name = _shorten(str(row[spec.label]))
        missing = [key for key in spec.values if _number(row[key]) is None]
        if missing:
            what = undrawn(row[missing[0]])
            name += (f" ({labels[missing[0]].lower()}: {what})" if len(spec.values) > 1
                     else f" ({what})")
        base, n = name, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


def bar_values(table: Table, spec: ChartSpec) -> dict[str, list[float]]:
    """Each drawn column's values by row (0 where the cell is not a number)."""
    rows = table.as_dicts()[:spec.top]
    return {key: [_number(row[key]) or 0.0 for row in rows] for key in spec.values}


def value_ticks(top: float, *, whole: bool) -> tuple[float, int]:
    """A round step (1, 2, 2.5 or 5 times a power of ten) and how many steps reach ``top``:
    about five, so the axis ends near the longest bar. Counts step by whole numbers."""
    if top <= 0:
        return 1.0, 1
    power = 10 ** math.floor(math.log10(top / 5))
    step = next(power * m for m in (1, 2, 2.5, 5, 10) if power * m * 5 >= top)
    if whole:
        step = max(1.0, math.ceil(step))
    return step, math.ceil(top / step)


def build_chart(table: Table) -> QChart:
    """The figure as a bar chart in the application's font; a table with no rows gives a
    chart that says so."""
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(4, 4, 4, 4))
    font = QApplication.font()
    chart.setTitleFont(font)
    if not table.rows:
        chart.setTitle("No figures in this period")
        chart.legend().hide()
        return chart
    spec = spec_for(table)
    names = categories(table, spec)
    values = bar_values(table, spec)
    labels = {column.key: column.label for column in table.columns}
    series: QAbstractBarSeries = QBarSeries() if spec.vertical else QHorizontalBarSeries()
    if not spec.vertical:  # a horizontal chart draws its first category at the bottom
        names = names[::-1]
        values = {key: row[::-1] for key, row in values.items()}
    for n, key in enumerate(spec.values):
        bars = QBarSet(labels[key])
        bars.append(values[key])
        bars.setColor(QColor(COLOURS[n % len(COLOURS)]))
        bars.setBorderColor(QColor(COLOURS[n % len(COLOURS)]))
        bars.setLabelColor(QColor("#212b32"))
        bars.setLabelFont(font)
        series.append(bars)
    if table.key == "status_funnel":  # the exits drawn apart from the steps
        parts = [row["part"] for row in table.as_dicts()][::-1]
        exits = [i for i, part in enumerate(parts) if part == "left"]
        only = series.barSets()[0]
        only.setSelectedColor(QColor(LEFT_COLOUR))
        only.selectBars(exits)
        chart.setTitle("Blue: the steps of the funnel; grey: referrals that left it")
    series.setLabelsVisible(True)
    series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    series.setLabelsPrecision(4)
    series.setBarWidth(0.8 if len(spec.values) > 1 else 0.6)
    chart.addSeries(series)
    if spec.top is not None and len(table.rows) > spec.top:
        chart.setTitle(f"The {spec.top} with most; every one is in the table below")

    axis_names = QBarCategoryAxis()
    shown = [escape(name, quote=False) for name in names]  # the axis draws rich text
    if spec.vertical:  # "May 2026" over two lines, so a month's name is never cut short
        shown = [name.replace(" ", "<br>", 1) for name in shown]
    axis_names.append(shown)
    axis_names.setLabelsFont(font)
    axis_values = QValueAxis()
    axis_values.setLabelsFont(font)
    highest = max((v for row in values.values() for v in row), default=0.0)
    counts = {c.key for c in table.columns if c.kind == "count"}
    step, ticks = value_ticks(highest * 1.1, whole=set(spec.values) <= counts)
    axis_values.setRange(0, step * ticks)  # with room for the value beside the longest bar
    axis_values.setTickCount(ticks + 1)
    axis_values.setLabelFormat("%d" if step == int(step) else "%.1f")
    along, across = ((Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft)
                     if spec.vertical else
                     (Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom))
    chart.addAxis(axis_names, along)
    chart.addAxis(axis_values, across)
    series.attachAxis(axis_names)
    series.attachAxis(axis_values)
    legend = chart.legend()
    legend.setVisible(len(spec.values) > 1)
    legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
    legend.setFont(font)
    return chart


def wanted_height(table: Table, line: int) -> int:
    """The height (pixels) at which every bar's name fits beside it: QtCharts shortens a
    name to "…" when its row is lower than a line of text and its padding. ``line``: the
    font's line height."""
    if not table.rows:
        return 4 * line
    spec = spec_for(table)
    rows = len(table.rows[:spec.top])
    titled = table.key == "status_funnel" or (spec.top is not None and len(table.rows) > rows)
    legend = len(spec.values) > 1
    fixed = 2 * line + 20 + titled * (line + 16) + legend * (line + 28)
    return fixed + (10 * line if spec.vertical else rows * (line + 14))


def text_alternative(table: Table) -> str:
    """What the chart shows, in words, for a screen reader (the table follows it)."""
    if not table.rows:
        return f"{table.title}: no figures in this period."
    spec = spec_for(table)
    names = categories(table, spec)
    labels = {column.key: column.label for column in table.columns}
    parts = []
    for name, row in zip(names, table.as_dicts()[:spec.top]):
        shown = ", ".join(
            f"{labels[key]} {display(table, table.column_index(key), row[key])}"
            for key in spec.values)
        parts.append(f"{name}: {shown}")
    return f"Bar chart of {table.title.lower()}. " + "; ".join(parts) + "."


class ReportChart(QChartView):
    """``ReportChart()``; :meth:`show_table` draws a figure. Named for a screen reader,
    with the figures in words as its description; the table itself is just below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reports_chart")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # nothing to do in it; its words are below
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Chart")
        self.setFont(QFont(QApplication.font()))
        self._table: Table | None = None

    def wanted_height(self) -> int:
        """The height the figure shown needs for every bar's name to fit."""
        table = self._table
        return wanted_height(table, self.fontMetrics().height()) if table else 0

    def show_table(self, table: Table | None) -> None:
        old = self.chart()
        self._table = table
        if table is None:
            self.setChart(QChart())
            self.setAccessibleName("Chart")
            self.setAccessibleDescription("")
        else:
            self.setChart(build_chart(table))
            self.setAccessibleName(f"Chart: {table.title}")
            self.setAccessibleDescription(text_alternative(table))
        if old is not None:
            old.deleteLater()
