"""What narrows the worklist: a status list with counts, and a row of filters.

Both produce parts of one :class:`WorklistFilter`; the panel combines them.
Counts come from :meth:`WorklistService.status_counts`, so they follow the
other filters (service, referrer, dates, text) but not the status chosen.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.statuses import Status
from practice_rx.services.worklist import WorklistFilter
from practice_rx.ui.formatting import status_label
from practice_rx.ui.practices.practice_chooser import PracticeCombo
from practice_rx.ui.widgets import SearchBox, heading, labelled

ALL = "all"
OVERDUE = "overdue"
NO_DATE = QDate(2000, 1, 1)
CODE_ROLE = Qt.ItemDataRole.UserRole + 1


class StatusList(QListWidget):
    """All, Overdue and each status, with counts; choose several with Ctrl or Shift."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSpacing(2)
        self.setAccessibleName("Show referrals by status")
        self.setAccessibleDescription(
            "Choose a status to show its referrals; hold Control to choose several. "
            "Overdue shows the referrals to chase.")
        self._labels = {ALL: "All referrals", OVERDUE: "Overdue – to chase"}
        self._labels.update({status.value: status_label(status) for status in Status})
        for code, label in self._labels.items():
            item = QListWidgetItem(label)
            item.setData(CODE_ROLE, code)
            if code == OVERDUE:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.addItem(item)
        self.setCurrentRow(0)
        self.itemSelectionChanged.connect(self._selection_changed)
        self.setMinimumWidth(self.sizeHintForColumn(0) + 60)

    def _selection_changed(self) -> None:
        if not self.selectedItems():
            self.blockSignals(True)
            self.item(0).setSelected(True)
            self.blockSignals(False)
        self.changed.emit()

    def chosen(self) -> set[str]:
        codes = {item.data(CODE_ROLE) for item in self.selectedItems()}
        return set() if ALL in codes else codes

    def choose(self, *codes: str) -> None:
        """Select exactly these entries (no codes: All)."""
        wanted = set(codes) or {ALL}
        self.blockSignals(True)
        for row in range(self.count()):
            item = self.item(row)
            item.setSelected(item.data(CODE_ROLE) in wanted)
            if item.data(CODE_ROLE) in wanted:
                self.setCurrentItem(item, QItemSelectionModel.SelectionFlag.NoUpdate)
        self.blockSignals(False)
        self.changed.emit()

    def set_counts(self, counts: dict[str, int]) -> None:
        total = sum(counts.get(status.value, 0) for status in Status)
        for row in range(self.count()):
            item = self.item(row)
            code = item.data(CODE_ROLE)
            count = total if code == ALL else counts.get(code, 0)
            item.setText(f"{self._labels[code]}  ({count:,})")
            item.setData(Qt.ItemDataRole.AccessibleTextRole,
                         f"{self._labels[code]}: {count:,} referrals")


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("d MMM yyyy")
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText("Any date")
    edit.setDate(NO_DATE)
    edit.setAccessibleName(name)
    return edit


class FilterRow(QWidget):
    """Text, service, referrer and created-between filters, and in a network the practice
    (kept out of :meth:`values`, so saved filters stay the same across practices)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = SearchBox()  # Down moves into the list
        self.text.setObjectName("worklist_find")
        self.text.setPlaceholderText("Patient name, NHS number or referral number")
        self.text.setClearButtonEnabled(True)
        self.service = QComboBox()
        self.service.addItem("Any service", None)
        self.service.setMinimumContentsLength(10)
        self.service.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.referrer = QComboBox()
        self.referrer.addItem("Anyone", None)
        self.referrer.setMinimumContentsLength(8)
        self.referrer.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.created_from = _date_edit("Created from")
        self.created_to = _date_edit("Created to")
        self.practice = PracticeCombo("All my practices")
        self.practice.setObjectName("worklist_practice")
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setAccessibleName("Clear filters")

        # Four short rows rather than two long ones: the list stays usable at 1024 px wide.
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(labelled("Fin&d:", self.text, name="Find a patient in the worklist",
                                description="Type a name or an NHS number"), 0, 0)
        grid.addWidget(self.text, 0, 1, 1, 3)
        grid.addWidget(self.clear_button, 0, 4)
        grid.addWidget(labelled("S&ervice:", self.service, name="Service"), 1, 0)
        grid.addWidget(self.service, 1, 1)
        grid.addWidget(labelled("Referrer:", self.referrer, name="Referrer"), 1, 2)
        grid.addWidget(self.referrer, 1, 3, 1, 2)
        grid.addWidget(labelled("Created fr&om:", self.created_from, name="Created from"), 2, 0)
        grid.addWidget(self.created_from, 2, 1)
        grid.addWidget(labelled("to", self.created_to, name="Created to"), 2, 2)
        grid.addWidget(self.created_to, 2, 3, 1, 2)
        # no Alt key: every letter of it is taken on the main window (as for Referrer)
        self.practice_label = labelled("Practice:", self.practice, name="Practice",
                                       description="The referrals of one practice, or of "
                                       "all those you work for")
        grid.addWidget(self.practice_label, 3, 0)
        grid.addWidget(self.practice, 3, 1, 1, 4)
        self.set_practices([])
        self.grid = grid
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        self._typing = QTimer(self, singleShot=True, interval=250)
        self._typing.timeout.connect(self.changed)
        self.text.textChanged.connect(self._typing.start)
        self.service.currentIndexChanged.connect(self.changed)
        self.referrer.currentIndexChanged.connect(self.changed)
        self.created_from.dateChanged.connect(self.changed)
        self.created_to.dateChanged.connect(self.changed)
        self.practice.currentIndexChanged.connect(self.changed)
        self.clear_button.clicked.connect(self.clear)

    def set_choices(self, services: list[tuple[int, str]], referrers: list[tuple[int, str]]) -> None:
        """Fill the service and referrer lists, keeping what was chosen."""
        for combo, items in ((self.service, services), (self.referrer, referrers)):
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for key, label in items:
                combo.addItem(label, key)
            combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen is not None else 0)
            combo.blockSignals(False)

    def set_practices(self, practices) -> None:
        """The practices the user sees; the choice is shown only when there are several."""
        self.practice.set_practices(practices)
        for part in (self.practice_label, self.practice):
            part.setVisible(len(practices) > 1)

    def practice_ids(self) -> frozenset[int]:
        """The practice chosen, or none (every practice the user works for)."""
        chosen = self.practice.chosen_id()
        return frozenset() if chosen is None else frozenset({chosen})

    def clear(self) -> None:
        widgets = (self.text, self.service, self.referrer, self.created_from,
                   self.created_to, self.practice)
        for widget in widgets:
            widget.blockSignals(True)
        self.text.clear()
        self.service.setCurrentIndex(0)
        self.referrer.setCurrentIndex(0)
        self.created_from.setDate(NO_DATE)
        self.created_to.setDate(NO_DATE)
        self.practice.setCurrentIndex(0)
        for widget in widgets:
            widget.blockSignals(False)
        self._typing.stop()
        self.changed.emit()

    def set_values(self, values: dict) -> None:
        """Show these values (a saved filter), then say the filters changed once."""
        widgets = (self.text, self.service, self.referrer, self.created_from, self.created_to)
        for widget in widgets:
            widget.blockSignals(True)
        self.text.setText(values["text"])
        for combo, key in ((self.service, "service_id"), (self.referrer, "referrer_id")):
            combo.setCurrentIndex(max(0, combo.findData(values[key]))
                                  if values[key] is not None else 0)
        for edit, key in ((self.created_from, "created_from"), (self.created_to, "created_to")):
            edit.setDate(QDate(values[key]) if values[key] else NO_DATE)
        for widget in widgets:
            widget.blockSignals(False)
        self._typing.stop()
        self.changed.emit()

    def values(self) -> dict:
        def chosen_date(edit: QDateEdit) -> date | None:
            value = edit.date()
            return None if value == NO_DATE else value.toPython()

        return {
            "text": self.text.text().strip(),
            "service_id": self.service.currentData(),
            "referrer_id": self.referrer.currentData(),
            "created_from": chosen_date(self.created_from),
            "created_to": chosen_date(self.created_to),
        }


class StatusSidebar(QWidget):
    """The status list with its heading."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.statuses = StatusList()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = heading("Referrals", 3)
        layout.addWidget(labelled("Status", self.statuses, name="Show referrals by status"))
        layout.itemAt(0).widget().setFont(title.font())
        layout.addWidget(self.statuses)


def combine(statuses: set[str], values: dict) -> WorklistFilter:
    return WorklistFilter(
        statuses=frozenset(statuses - {OVERDUE}),
        overdue_only=OVERDUE in statuses,
        **values,
    )
