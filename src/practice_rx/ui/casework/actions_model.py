"""The plan's actions as a table: who, what, by when, done — edited in place, by keyboard."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt

from practice_rx.domain.identifiers import format_date
from practice_rx.services.care_plans import PlanAction

COLUMNS = ("Who", "What", "By when", "Done")
WHO, WHAT, BY_WHEN, DONE = range(4)
Index = QModelIndex | QPersistentModelIndex


class ActionsModel(QAbstractTableModel):
    """Holds :class:`PlanAction` rows; a new row starts with the person doing it."""

    def __init__(self, actions: list[PlanAction] | None = None, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[PlanAction] = list(actions or [])

    # -- the plan's side -----------------------------------------------------------------

    def actions(self) -> list[PlanAction]:
        return list(self._rows)

    def set_actions(self, actions: list[PlanAction]) -> None:
        self.beginResetModel()
        self._rows = list(actions)
        self.endResetModel()

    def add(self, who: str = "") -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(PlanAction(who, ""))
        self.endInsertRows()
        return row

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    def toggle_done(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            action = self._rows[row]
            self._set(row, PlanAction(action.who, action.what, action.by_when, not action.done))

    # -- Qt's side -----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == DONE:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        action, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == WHO:
                return action.who
            if column == WHAT:
                return action.what
            if column == BY_WHEN:
                return format_date(action.by_when) if action.by_when else "No date"
            return "Done" if action.done else "Not yet"
        if role == Qt.ItemDataRole.EditRole:
            if column == BY_WHEN:
                return QDate(action.by_when) if action.by_when else QDate.currentDate()
            return [action.who, action.what, None, action.done][column]
        if role == Qt.ItemDataRole.CheckStateRole and column == DONE:
            return Qt.CheckState.Checked if action.done else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.data(index)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        action, column = self._rows[index.row()], index.column()
        if column == DONE and role == Qt.ItemDataRole.CheckStateRole:
            done = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
            self._set(index.row(), PlanAction(action.who, action.what, action.by_when, done))
            return True
        if role != Qt.ItemDataRole.EditRole:
            return False
        if column == WHO:
            changed = PlanAction(str(value), action.what, action.by_when, action.done)
        elif column == WHAT:
            changed = PlanAction(action.who, str(value), action.by_when, action.done)
        elif column == BY_WHEN:
            when = value.toPython() if isinstance(value, QDate) else value
            changed = PlanAction(action.who, action.what,
                                 when if isinstance(when, date) else None, action.done)
        else:
            return False
        self._set(index.row(), changed)
        return True

    def _set(self, row: int, action: PlanAction) -> None:
        self._rows[row] = action
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
