"""The report's figures as reportlab.graphics bar charts, drawn from the figures as shown.

A chart is given the table as it will be printed (suppressed or not) and draws only
what the table shows, so a chart can never give back a number the table hides:

- a count shown as "<5" is drawn as a grey bar with a dashed outline reaching the
  threshold, labelled "<5" (it says "fewer than 5", as the table does); the count
  itself is never drawn;
- a rate or average withheld as "*" is not drawn at all; its place is labelled
  "withheld" (a figure with nothing to average, ``None``, is simply absent).

Each chart is a :class:`Drawing` whose ``chart`` is a reportlab bar chart: series 0
(and 1, for two measures side by side) holds the figures drawn, ``None`` where
nothing is drawn; for a single series of counts the last series holds the grey
threshold bars, ``None`` elsewhere; ``chart.barLabelArray`` holds each bar's label
the same way. :data:`CHARTED` says which column each chart draws, so a test can
hold every bar to its cell.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.graphics.charts.barcharts import BarChart, HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.textlabels import NA_Label
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth

from practice_rx.letters import fonts
from practice_rx.measures import builtin_measures
from practice_rx.reports.suppression import DEFAULT_THRESHOLD, WITHHELD
from practice_rx.reports.tables import Table

NHS_BLUE = HexColor("#005EB8")
NHS_LIGHT_BLUE = HexColor("#41B6E6")
DARK_GREY = HexColor("#425563")
MID_GREY = HexColor("#768692")
PALE_GREY = HexColor("#E8EDEE")
SUPPRESSED_FILL = HexColor("#D8DDE0")
WITHHELD_TEXT = "withheld"

FONT_SIZE = 8
BAR_HEIGHT = 13  # points per category on a horizontal chart
LABEL_WIDTH_SHARE = 0.42  # at most this much of a horizontal chart is category labels


@dataclass(frozen=True)
class Charted:
    """What a chart draws from its table: the category labels and the value columns."""

    label: Callable[[dict[str, object]], str]
    values: tuple[str, ...]
    horizontal: bool
    series_names: tuple[str, ...] = ()


def _column(key: str) -> Callable[[dict[str, object]], str]:
    return lambda row: str(row[key])


def month_label(row: dict[str, object]) -> str:
    """'2026-03' as 'Mar 2026' (dates in day-month-year words, never ambiguous)."""
    year, month = str(row["month"]).split("-")
    return date(int(year), int(month), 1).strftime("%b %Y")


_LOWER_IS_BETTER = {(measure.id, measure.version, key)
                    for measure in builtin_measures() for key in measure.score_keys()
                    if not measure.better_when_higher(key)}


def score_label(row: dict[str, object]) -> str:
    """A measure's score as a chart names it: 'ONS4 anxious yesterday (lower is better)'."""
    name = f"{str(row['measure']).upper()} {str(row['score']).replace('_', ' ')}"
    if (row["measure"], row["version"], row["score"]) in _LOWER_IS_BETTER:
        name += " (lower is better)"
    return name


CHARTED: dict[str, Charted] = {
    "referrals_by_month": Charted(month_label, ("referrals",), horizontal=False),
    "referrals_by_source": Charted(_column("label"), ("referrals",), horizontal=True),
    "referrals_by_reason": Charted(_column("label"), ("referrals",), horizontal=True),
    "referrals_by_category": Charted(_column("label"), ("referrals",), horizontal=True),
    "referral_rate": Charted(_column("practice"), ("rate",), horizontal=True),
    "status_funnel": Charted(_column("label"), ("referrals",), horizontal=True),
    "working_day_waits": Charted(_column("label"), ("median", "p90"), horizontal=False,
                                 series_names=("Median", "90th percentile")),
    "outcome_change": Charted(score_label, ("mean_change",), horizontal=True),
    "services_most_referred": Charted(_column("service"), ("referrals",), horizontal=True),
    "services_most_rejecting": Charted(_column("service"), ("rejected",), horizontal=True),
}


def chart_for(table: Table, width: float, threshold: int = DEFAULT_THRESHOLD) -> Drawing | None:
    """The chart of one figure as shown, ``width`` points wide; ``None`` for a figure
    without one (overdue counts, caseloads), a table with no rows, or one whose every
    figure is suppressed (a chart of grey bars alone would look like figures)."""
    charted = CHARTED.get(table.key)
    if charted is None or not table.rows:
        return None
    fonts.register_fonts()
    rows = table.as_dicts()
    kinds = {column.key: column.kind for column in table.columns}
    categories = [charted.label(row) for row in rows]
    series = [[drawn(row[key]) for row in rows] for key in charted.values]
    labels = [[label_text(row[key]) for row in rows] for key in charted.values]
    stacked = len(charted.values) == 1 and kinds[charted.values[0]] == "count"
    if not any(value is not None for row in series for value in row):
        return None  # every figure suppressed or withheld: the table says so, a chart cannot
    if stacked:  # the threshold bars for counts shown as "<5"
        series.append([threshold if is_suppressed(row[charted.values[0]]) else None
                       for row in rows])
        labels.append([str(row[charted.values[0]]) if is_suppressed(row[charted.values[0]])
                       else None for row in rows])
    if charted.horizontal:
        return _horizontal(categories, series, labels, width, stacked)
    return _vertical(categories, series, labels, width, stacked, charted.series_names)


def is_suppressed(value: object) -> bool:
    """A count shown as "<5"."""
    return isinstance(value, str) and value.startswith("<")


def drawn(value: object) -> float | None:
    """The length of a cell's bar: the number shown, or ``None`` (nothing drawn)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def label_text(value: object) -> str | None:
    """A bar's label: the number as the table prints it, "withheld" for "*"; nothing for
    a suppressed count (its grey bar carries "<5") or a figure that is not there."""
    if value == WITHHELD:
        return WITHHELD_TEXT
    if is_suppressed(value) or value is None:
        return None
    return number_text(value)


class _LabelledGaps:
    """A bar chart that labels a missing bar with its own entry in ``barLabelArray``
    ("withheld"), or not at all, rather than one text for every gap."""

    barLabelArray: list[list[str | None]]
    naLabel: Any

    def _addNABarLabel(self, g: Any, rowNo: int, colNo: int, x: float, y: float,
                       width: float | None, height: float | None, calcOnly: bool = False,
                       na: Any = None) -> Any:
        text = self.barLabelArray[rowNo][colNo]
        if not text or self.naLabel is None:
            return None
        label = copy.copy(self.naLabel)
        label.text = text
        return super()._addNABarLabel(g, rowNo, colNo, x, y, width, height,  # type: ignore[misc]
                                      calcOnly, label)


class _HorizontalBars(_LabelledGaps, HorizontalBarChart):
    pass


class _VerticalBars(_LabelledGaps, VerticalBarChart):
    pass


def number_text(value: object) -> str:
    """A figure as printed: thousands separated, a float without a spurious ".0"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if isinstance(value, int) or value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _drawing(width: float, height: float) -> Drawing:
    """A drawing in the letters' typeface throughout (else renderPDF starts in Helvetica,
    which is not embedded)."""
    return Drawing(width, height, initialFontName=fonts.REGULAR, initialFontSize=FONT_SIZE)


def _style_chart(chart: BarChart, series: list[list[float | None]],
                 labels: list[list[str | None]], stacked: bool) -> None:
    chart.data = series
    chart.categoryAxis.style = "stacked" if stacked else "parallel"
    chart.categoryAxis.labels.fontName = fonts.REGULAR
    chart.categoryAxis.labels.fontSize = FONT_SIZE
    chart.categoryAxis.labels.fillColor = DARK_GREY
    chart.categoryAxis.strokeColor = MID_GREY
    chart.categoryAxis.tickShift = 0
    chart.valueAxis.labels.fontName = fonts.REGULAR
    chart.valueAxis.labels.fontSize = FONT_SIZE - 1
    chart.valueAxis.labels.fillColor = DARK_GREY
    chart.valueAxis.strokeColor = MID_GREY
    chart.valueAxis.forceZero = 1
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = PALE_GREY
    chart.valueAxis.gridStrokeWidth = 0.5
    values = [value for row in series for value in row if value is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    if low == high:  # nothing drawn, or every figure 0: an axis from 0 to 1
        high = 1.0
    chart.valueAxis.valueMin = low * 1.25 if low < 0 else 0.0  # room for labels left of 0
    chart.valueAxis.valueMax = high * 1.15 if high > 0 else 0.0  # and right of the longest
    chart.valueAxis.labelTextFormat = number_text
    chart.bars.strokeColor = None
    chart.bars.strokeWidth = 0
    for number, colour in enumerate((NHS_BLUE, NHS_LIGHT_BLUE)[:len(series)]):
        chart.bars[number].fillColor = colour
    if stacked:
        placeholders = chart.bars[len(series) - 1]
        placeholders.fillColor = SUPPRESSED_FILL
        placeholders.strokeColor = DARK_GREY
        placeholders.strokeWidth = 0.6
        placeholders.strokeDashArray = (2, 1.5)
    chart.barLabelFormat = "values"
    chart.barLabelArray = labels
    chart.barLabels.fontName = fonts.REGULAR
    chart.barLabels.fontSize = FONT_SIZE - 0.5
    chart.barLabels.fillColor = DARK_GREY
    chart.naLabel = NA_Label()  # the style of a gap's label (see _LabelledGaps)
    chart.naLabel.text = WITHHELD_TEXT
    chart.naLabel.fontName = fonts.REGULAR
    chart.naLabel.fontSize = FONT_SIZE - 0.5
    chart.naLabel.fillColor = MID_GREY


def _horizontal(categories: Sequence[str], series: list[list[float | None]],
                labels: list[list[str | None]], width: float, stacked: bool) -> Drawing:
    widest = max(stringWidth(text, fonts.REGULAR, FONT_SIZE) for text in categories)
    label_width = min(widest, width * LABEL_WIDTH_SHARE)
    wraps = any(stringWidth(text, fonts.REGULAR, FONT_SIZE) > label_width for text in categories)
    per_bar = BAR_HEIGHT * (1.6 if wraps else 1) * (1 if stacked else len(series))
    plot_height = per_bar * len(categories)
    bottom, top = 16, 6
    drawing = _drawing(width, plot_height + bottom + top)
    chart = _HorizontalBars()
    chart.x = label_width + 8
    chart.y = bottom
    chart.width = width - chart.x - 34  # room for the last bar's label
    chart.height = plot_height
    _style_chart(chart, series, labels, stacked)
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.reverseDirection = 1  # the table's first row at the top
    chart.categoryAxis.joinAxisMode = "left"  # labels left of the plot, even of bars below 0
    chart.categoryAxis.labelAxisMode = "low"
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.textAnchor = "end"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.labels.maxWidth = label_width
    chart.categoryAxis.labels.leading = FONT_SIZE + 1
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.naLabel.boxAnchor = "w"
    chart.naLabel.dx = 3
    chart.barWidth = BAR_HEIGHT * 0.7
    chart.groupSpacing = BAR_HEIGHT * 0.3
    drawing.add(chart, name="chart")
    return drawing


def _vertical(categories: Sequence[str], series: list[list[float | None]],
              labels: list[list[str | None]], width: float, stacked: bool,
              series_names: Sequence[str]) -> Drawing:
    many = len(categories) > 12  # more than a year of months: labels turned
    bottom = 34 if many else 26
    legend_height = 14 if series_names else 0
    plot_height = 130
    drawing = _drawing(width, plot_height + bottom + legend_height + 8)
    chart = _VerticalBars()
    chart.x = 34
    chart.y = bottom
    chart.width = width - chart.x - 6
    chart.height = plot_height
    _style_chart(chart, series, labels, stacked)
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.labels.boxAnchor = "ne" if many else "n"
    chart.categoryAxis.labels.angle = 45 if many else 0
    chart.categoryAxis.labels.dy = -3
    chart.categoryAxis.labels.leading = FONT_SIZE + 1
    if not many:  # "Dec 2025" on two lines when twelve months share the width
        chart.categoryAxis.labels.maxWidth = chart.width / len(categories) - 4
    chart.barLabels.boxAnchor = "s"
    chart.barLabels.dy = 2
    chart.naLabel.boxAnchor = "s"
    chart.naLabel.dy = 2
    slot = chart.width / max(1, len(categories))
    bars = 1 if stacked else len(series)
    chart.barSpacing = 2
    chart.barWidth = min(slot * 0.7, 36 * bars) / bars  # one month alone is not a wall
    chart.groupSpacing = slot - bars * chart.barWidth - (bars - 1) * chart.barSpacing
    drawing.add(chart, name="chart")
    if series_names:
        legend = Legend()
        legend.x = chart.x
        legend.y = drawing.height - 4
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = 90
        legend.dx = 8
        legend.dy = 8
        legend.fontName = fonts.REGULAR
        legend.fontSize = FONT_SIZE
        legend.fillColor = DARK_GREY
        legend.strokeColor = None
        legend.colorNamePairs = list(zip((NHS_BLUE, NHS_LIGHT_BLUE), series_names, strict=False))
        drawing.add(legend, name="legend")
    return drawing


def suppression_key(threshold: int, width: float, *, counts: bool, withheld: bool) -> Drawing:
    """A one-line key under a chart that has grey bars (``counts``) or withheld figures."""
    drawing = _drawing(width, 12)
    x = 0.0
    words = []
    if counts:
        drawing.add(Rect(0, 2, 14, 7, fillColor=SUPPRESSED_FILL, strokeColor=DARK_GREY,
                         strokeWidth=0.6, strokeDashArray=(2, 1.5)))
        x = 19
        words.append(f"a count under {threshold}, drawn to {threshold} whatever it is")
    if withheld:
        words.append(f"\u201c{WITHHELD_TEXT}\u201d: a rate or average from such a count, "
                     f"not drawn")
    drawing.add(String(x, 3, "; ".join(words), fontName=fonts.REGULAR,
                       fontSize=FONT_SIZE - 0.5, fillColor=DARK_GREY))
    return drawing


__all__ = ["CHARTED", "Charted", "chart_for", "drawn", "is_suppressed", "number_text",
           "suppression_key"]
