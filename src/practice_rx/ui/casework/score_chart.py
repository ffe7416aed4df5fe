"""A small chart of one measure's scores over time, drawn with QPainter (so a case's tab
never pays for loading QtCharts, which only the Reports window uses), with the same
values as text for screen readers and tooltips.

Each score is a line of its own (ONS4's four questions are never summed); a
lower-is-better score says so in its legend, and the text alternative lists
every value with its date and occasion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from practice_rx.domain.identifiers import format_date
from practice_rx.measures import MeasureDefinition
from practice_rx.measures.model import ScoreMethod
from practice_rx.services.outcome_measures import ResultRow

#: NHS palette colours, distinct also in greyscale thanks to the point shapes
COLOURS = ("#005eb8", "#007f3b", "#8a1538", "#ed8b00", "#330072", "#425563")
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 34, 36, 8


@dataclass(frozen=True)
class Series:
    label: str
    higher_is_better: bool
    points: tuple[tuple[date, str, float], ...]  # (answered on, occasion label, score)

    @property
    def legend(self) -> str:
        return self.label + ("" if self.higher_is_better else " (lower is better)")


def score_range(definition: MeasureDefinition, key: str) -> tuple[float, float]:
    """The lowest and highest score ``key`` can take, for the chart's axis."""
    if definition.method is ScoreMethod.EACH:
        values = definition.scales[definition.item(key).scale].values
        return float(min(values)), float(max(values))
    low = sum(min(definition.scales[i.scale].values) for i in definition.items)
    high = sum(max(definition.scales[i.scale].values) for i in definition.items)
    if key == "total" and definition.conversion:
        return min(definition.conversion.values()), max(definition.conversion.values())
    return float(low), float(high)


def series_of(definition: MeasureDefinition, results: list[ResultRow]) -> list[Series]:
    """The measure's results (of this version), one series per score, oldest first."""
    rows = [r for r in results if (r.measure_id, r.measure_version)
            == (definition.id, definition.version)]
    return [Series(definition.score_label(key), definition.better_when_higher(key),
                   tuple((r.answered_on, r.occasion.label, float(r.scores[key])) for r in rows
                         if key in r.scores))
            for key in definition.score_keys() if key != "raw"]


def text_alternative(title: str, series: list[Series]) -> str:
    lines = [f"{title}."]
    for one in series:
        values = "; ".join(f"{format_date(when)} ({occasion}): {value:g}"
                           for when, occasion, value in one.points)
        lines.append(f"{one.legend}: {values or 'no results'}.")
    return " ".join(lines)


class ScoreChart(QWidget):
    """``ScoreChart()`` then :meth:`show_measure`; paints itself, describes itself."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("score_chart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # so a screen reader can reach its text
        self.title = ""
        self.series: list[Series] = []
        self.low, self.high = 0.0, 10.0

    def show_measure(self, definition: MeasureDefinition, results: list[ResultRow]) -> None:
        self.title = definition.title
        self.series = series_of(definition, results)
        keys = [k for k in definition.score_keys() if k != "raw"]
        ranges = [score_range(definition, key) for key in keys]
        self.low, self.high = min(r[0] for r in ranges), max(r[1] for r in ranges)
        text = self.text_alternative()
        self.setAccessibleName(f"Chart of {self.title} over time")
        self.setAccessibleDescription(text)
        self.setToolTip(text)
        self.update()

    def text_alternative(self) -> str:
        return text_alternative(self.title, self.series)

    def sizeHint(self) -> QSize:
        return QSize(420, 150 + 16 * len(self.series))

    def minimumSizeHint(self) -> QSize:
        return QSize(300, 150 + 16 * len(self.series))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        metrics = painter.fontMetrics()
        legend_height = 16 * len(self.series)
        plot = QRectF(MARGIN_LEFT, MARGIN_TOP, self.width() - MARGIN_LEFT - 12,
                      self.height() - MARGIN_TOP - MARGIN_BOTTOM - legend_height)
        painter.setPen(QPen(QColor("#425563"), 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        for value in (self.low, self.high):
            y = self._y(plot, value)
            painter.drawText(QRectF(0, y - 8, MARGIN_LEFT - 4, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{value:g}")
        dates = sorted({when for one in self.series for when, _, _ in one.points})
        if not dates:
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No results yet")
            return
        span = max((dates[-1] - dates[0]).days, 1)

        def x(when: date) -> float:
            if len(dates) == 1:
                return plot.center().x()
            return plot.left() + 12 + (plot.width() - 24) * (when - dates[0]).days / span

        for when in dates:
            text = format_date(when)
            width = metrics.horizontalAdvance(text)
            painter.drawText(QPointF(min(max(x(when) - width / 2, 0), self.width() - width),
                                     plot.bottom() + 16), text)
        for number, one in enumerate(self.series):
            colour = QColor(COLOURS[number % len(COLOURS)])
            painter.setPen(QPen(colour, 2))
            points = [QPointF(x(when), self._y(plot, value)) for when, _, value in one.points]
            for start, end in zip(points, points[1:], strict=False):
                painter.drawLine(start, end)
            painter.setBrush(colour)
            for point in points:
                if number % 2:
                    painter.drawRect(QRectF(point.x() - 3, point.y() - 3, 6, 6))
                else:
                    painter.drawEllipse(point, 3.5, 3.5)
            legend_y = plot.bottom() + 22 + 16 * number
            painter.drawLine(QPointF(8, legend_y + 6), QPointF(24, legend_y + 6))
            painter.setPen(QColor("#212b32"))
            font = QFont(painter.font())
            painter.setFont(font)
            painter.drawText(QPointF(30, legend_y + 10),
                             metrics.elidedText(one.legend, Qt.TextElideMode.ElideRight,
                                                self.width() - 36))

    def _y(self, plot: QRectF, value: float) -> float:
        spread = (self.high - self.low) or 1.0
        return plot.bottom() - plot.height() * (value - self.low) / spread
