"""The period a report counts: a preset (the periods PCNs and commissioners ask for) or two
dates chosen.

The presets are plain date arithmetic (:func:`preset_period`), so they are tested without
Qt and the window and any later caller agree on what "last quarter" means.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QWidget

from practice_rx.domain.identifiers import format_date
from practice_rx.reports import ReportPeriod
from practice_rx.ui.widgets import FieldMessage, labelled

LAST_12_MONTHS = "last_12_months"
FINANCIAL_YEAR = "financial_year"
LAST_QUARTER = "last_quarter"
CHOSEN = "chosen"

#: (code, what the list says), in the order offered
PRESETS = ((LAST_12_MONTHS, "Last 12 months"),
           (FINANCIAL_YEAR, "This financial year (Apr–Mar)"),
           (LAST_QUARTER, "Last quarter"),
           (CHOSEN, "Dates chosen"))

#: a date typed or stepped counts once the user pauses, not at every arrow press
SETTLE_MS = 500


def _month_start(year: int, month: int) -> date:
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def preset_period(code: str, today: date) -> ReportPeriod:
    """The period a preset means on ``today``.

    - last 12 months: from the first day of the month eleven months back to today, so the
      figures by month are twelve whole calendar months, this one so far included;
    - this financial year: from 1 April (this year's, or last year's before April) to today;
    - last quarter: the last whole quarter (Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec: the NHS
      financial quarters fall on the same months).
    """
    if code == LAST_12_MONTHS:
        return ReportPeriod(_month_start(today.year, today.month - 11), today)
    if code == FINANCIAL_YEAR:
        return ReportPeriod(date(today.year if today.month >= 4 else today.year - 1, 4, 1),
                            today)
    if code == LAST_QUARTER:
        this_quarter = _month_start(today.year, (today.month - 1) // 3 * 3 + 1)
        start = _month_start(this_quarter.year, this_quarter.month - 3)
        return ReportPeriod(start, this_quarter - timedelta(days=1))
    raise ValueError(f"period preset: expected one of {', '.join(c for c, _ in PRESETS[:-1])}, "
                     f"not {code!r}")


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _day(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("d MMM yyyy")
    return edit


class PeriodBar(QWidget):
    """``PeriodBar(today)``: a preset list and the from/to dates; :attr:`changed` carries
    each new valid period (a :class:`ReportPeriod`), once the user settles on it."""

    changed = Signal(object)

    def __init__(self, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self.preset = QComboBox()
        self.preset.setObjectName("reports_preset")
        for code, text in PRESETS:
            self.preset.addItem(text, code)
        self.from_date = _date_edit("reports_from")
        self.to_date = _date_edit("reports_to")
        self.message = FieldMessage("Period")
        self.message.setObjectName("reports_period_message")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for text, widget, name in (("Pe&riod:", self.preset, "Period"),
                                   ("&From:", self.from_date, "From"),
                                   ("&To:", self.to_date, "To")):
            label = labelled(text, widget, name=name)
            label.setWordWrap(False)
            layout.addWidget(label)
            layout.addWidget(widget)
            layout.addSpacing(8)
        layout.addWidget(self.message, 1)
        layout.addStretch(1)
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._dates_settled)
        self._emitted: ReportPeriod | None = None
        self.preset.currentIndexChanged.connect(lambda _: self._preset_chosen())
        self.from_date.dateChanged.connect(lambda _: self._date_edited())
        self.to_date.dateChanged.connect(lambda _: self._date_edited())
        self.choose(LAST_12_MONTHS)

    def period(self) -> ReportPeriod | None:
        """The period shown, or None while the dates are the wrong way round."""
        try:
            return ReportPeriod(_day(self.from_date), _day(self.to_date))
        except ValueError:
            return None

    def choose(self, code: str) -> None:
        """Choose a preset (or :data:`CHOSEN` to keep the dates as they are)."""
        self.preset.setCurrentIndex(self.preset.findData(code))
        self._preset_chosen()

    def set_period(self, period: ReportPeriod) -> None:
        """Set both dates (the preset becomes "Dates chosen"); counted at once."""
        self._show(period, CHOSEN)
        self._emit()

    def _preset_chosen(self) -> None:
        code = self.preset.currentData()
        if code != CHOSEN:
            self._show(preset_period(code, self._today()), code)
            self._emit()

    def _show(self, period: ReportPeriod, code: str) -> None:
        for widget in (self.preset, self.from_date, self.to_date):
            widget.blockSignals(True)
        self.preset.setCurrentIndex(self.preset.findData(code))
        self.from_date.setDate(_qdate(period.from_date))
        self.to_date.setDate(_qdate(period.to_date))
        for widget in (self.preset, self.from_date, self.to_date):
            widget.blockSignals(False)
        self.preset.setToolTip(f"{format_date(period.from_date)} to "
                               f"{format_date(period.to_date)}")

    def _date_edited(self) -> None:
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(self.preset.findData(CHOSEN))
        self.preset.blockSignals(False)
        self._settle.start()

    def _dates_settled(self) -> None:
        self._emit()

    def _emit(self) -> None:
        self._settle.stop()
        period = self.period()
        if period is None:
            self.message.set_message("the To date is before the From date: choose a To date "
                                     "on or after it")
            return
        self.message.set_message(None)
        self.preset.setToolTip(f"{format_date(period.from_date)} to "
                               f"{format_date(period.to_date)}")
        if period != self._emitted:
            self._emitted = period
            self.changed.emit(period)
