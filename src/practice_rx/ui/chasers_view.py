"""Choosing which overdue referrals to chase, before any letter is made.

The list is the chase list of the worklist as filtered, longest overdue first.
Every referral not chased within the practice's window is ticked; those
chased more recently are shown but not ticked. The count is always in view,
and "Make" asks once more, naming the number, before anything is made. The
service checks each chosen referral again as it makes the letters.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from practice_rx.services.chasing import ChaseCandidate, ChaseList
from practice_rx.services.worklist import WorklistFilter
from practice_rx.ui import messages
from practice_rx.ui.formatting import day, moment, nhs, status_label
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import (
    OVERDUE_BACKGROUND,
    OVERDUE_TEXT,
    hint,
    labelled,
    row_table,
)

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Chase", "Referral", "Patient", "NHS number", "Service", "Status", "Due",
           "Overdue", "Last chased")
SERVICE_COLUMN = 4
OVERDUE_COLUMN = 7


class ChaseModel(QAbstractTableModel):
    """The candidates, each with a tick box in the first column."""

    #: the number ticked changed
    ticked_changed = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.candidates: list[ChaseCandidate] = []
        self.ticked: set[int] = set()
        self._overdue_background = QBrush(QColor(OVERDUE_BACKGROUND))
        self._overdue_text = QBrush(QColor(OVERDUE_TEXT))

    def set_list(self, chase: ChaseList) -> None:
        self.beginResetModel()
        self.candidates = chase.candidates
        self.ticked = set(chase.chosen_by_default)
        self.endResetModel()
        self.ticked_changed.emit(len(self.ticked))

    def chosen(self) -> list[int]:
        """The ticked referrals, in the list's order (longest overdue first)."""
        return [c.row.id for c in self.candidates if c.row.id in self.ticked]

    def tick_all(self, on: bool) -> None:
        self.ticked = {c.row.id for c in self.candidates} if on else set()
        if self.candidates:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.candidates) - 1, 0))
        self.ticked_changed.emit(len(self.ticked))

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.candidates)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsUserCheckable if index.column() == 0 else flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        candidate = self.candidates[index.row()]
        row, column = candidate.row, index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == 0:
            return (Qt.CheckState.Checked if row.id in self.ticked else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(candidate, column)
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 0:
            return "Chase" if row.id in self.ticked else "Do not chase"
        if column == OVERDUE_COLUMN and role == Qt.ItemDataRole.BackgroundRole:
            return self._overdue_background
        if column == OVERDUE_COLUMN and role == Qt.ItemDataRole.ForegroundRole:
            return self._overdue_text
        return None

    @staticmethod
    def _text(candidate: ChaseCandidate, column: int) -> str:
        row = candidate.row
        if column == 0:
            return "chased recently" if candidate.recently_chased else ""
        days = row.working_days_overdue
        return (
            "",
            str(row.id),
            row.patient_name,
            nhs(row.nhs_number),
            row.service_name or "No service chosen",
            status_label(row.status),
            day(row.response_due_on),
            f"{days} working day{'s' if days != 1 else ''}",
            moment(row.last_chased_at) if row.last_chased_at else "Never",
        )[column]

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != 0:
            return False
        referral_id = self.candidates[index.row()].row.id
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.ticked.add(referral_id)
        else:
            self.ticked.discard(referral_id)
        self.dataChanged.emit(index, index, [role])
        self.ticked_changed.emit(len(self.ticked))
        return True


class ChaseDialog(QDialog):
    """Tick the referrals to chase; the count and a confirmation before anything is made."""

    def __init__(self, session: Session, filter: WorklistFilter,
                 make: Callable[[list[int], object], None], parent: QWidget | None = None) -> None:
        """``make(ids, listed_at)`` makes the letters (with progress) once confirmed."""
        super().__init__(parent)
        self.session = session
        self._make = make
        self.chase: ChaseList | None = None
        self.setObjectName("chase_choice")
        self.setWindowTitle("Chaser letters: choose who to chase")
        self.explain = hint("Reading the chase list…")
        self.explain.setObjectName("chase_explain")
        self.model = ChaseModel(self)
        self.table = QTableView()
        self.table.setObjectName("chase_table")
        self.table.setModel(self.model)
        row_table(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # the service's name takes what is left, so every column fits without scrolling
        header.setSectionResizeMode(SERVICE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.count = hint("")
        self.count.setObjectName("chase_count")
        self.count.setAccessibleName("How many are ticked")
        self.all_button = QPushButton("Tick &all")
        self.none_button = QPushButton("Tick &none")
        self.make_button = QPushButton("&Make chaser letters…")
        self.make_button.setObjectName("make_chasers")
        self.make_button.setEnabled(False)
        self.cancel_button = QPushButton("Cancel")
        for button in (self.all_button, self.none_button, self.make_button, self.cancel_button):
            button.setAutoDefault(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addWidget(labelled("Overdue &referrals (Space ticks or unticks):", self.table,
                                  name="Overdue referrals to chase",
                                  description="Space ticks or unticks the highlighted row"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        footer = QHBoxLayout()
        footer.addWidget(self.all_button)
        footer.addWidget(self.none_button)
        footer.addStretch(1)
        footer.addWidget(self.cancel_button)
        footer.addWidget(self.make_button)
        layout.addLayout(footer)

        self.model.ticked_changed.connect(self._count)
        self.all_button.clicked.connect(lambda: self.model.tick_all(True))
        self.none_button.clicked.connect(lambda: self.model.tick_all(False))
        self.make_button.clicked.connect(self.make)
        self.cancel_button.clicked.connect(self.reject)
        self.resize(900, 520)
        self._read(filter)

    def _read(self, filter: WorklistFilter) -> None:
        def done(chase: ChaseList) -> None:
            self.chase = chase
            self.model.set_list(chase)
            recent = sum(1 for c in chase.candidates if c.recently_chased)
            text = (f"{chase.total} overdue referral{'s' if chase.total != 1 else ''} in the "
                    "list shown, longest overdue first.")
            if recent:
                text += (f" {recent} chased within the last {chase.chase_again_days} working "
                         "days are not ticked.")
            if chase.total > len(chase.candidates):
                text += f" Only the first {len(chase.candidates)}; narrow the list for the rest."
            self.explain.setText(text)
            if chase.candidates:
                self.table.selectRow(0)
            self.table.setFocus()

        self.session.operations.run(
            self.session.services.chasing.candidates, self.session.user.id, filter,
            done=done, failed=lambda error: self.explain.setText(messages.describe(error)[1]),
            owner=self, message="Reading the chase list…")

    def _count(self, ticked: int) -> None:
        total = len(self.model.candidates)
        self.count.setText(f"{ticked} of {total} ticked to chase.")
        self.make_button.setText(f"&Make {ticked} chaser letter{'s' if ticked != 1 else ''}…")
        self.make_button.setEnabled(ticked > 0)

    def make(self) -> QMessageBox | None:
        """Ask once more, naming the number; nothing is made until the answer is yes."""
        chosen = self.model.chosen()
        if not chosen or self.chase is None:
            return None
        count = len(chosen)
        box = QMessageBox(
            QMessageBox.Icon.Question, "Make chaser letters?",
            f"Make {count} chaser letter{'s' if count != 1 else ''}? Each is recorded as a "
            "chase on its referral, by you, now.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirm_chasers")
        box.button(QMessageBox.StandardButton.Yes).setText(f"&Make {count}")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        listed_at = self.chase.listed_at

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self.accept()
                self._make(chosen, listed_at)

        box.finished.connect(answered)
        box.open()
        return box
