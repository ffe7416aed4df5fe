"""One report figure (a :class:`~practice_rx.reports.Table`) as a Qt table model.

The cells are the table's own values, as exported (:data:`VALUE_ROLE`); the display
only formats them: months as "Dec 2025", counts with thousands separators, an empty
value as a dash. Codes and ids stay in the model (and the exports) but the window hides
their columns (:func:`hidden_columns`): people read the labels beside them.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from practice_rx.reports import Table
from practice_rx.reports.suppression import WITHHELD
from practice_rx.ui.formatting import category_label

#: the raw cell value (an int, a float, "<5", "*", a label or None)
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex

#: the status funnel's parts, in words
PARTS = {"funnel": "Step", "left": "Left the funnel"}


def hidden_columns(table: Table) -> list[int]:
    """Columns of codes and ids: kept for the exports, not shown."""
    return [i for i, column in enumerate(table.columns)
            if column.kind == "label" and (column.label == "Code" or column.key.endswith("_id"))]


def month_label(value: str) -> str:
    """``2025-12`` as ``Dec 2025``."""
    year, month = value.split("-")
    return f"{date(int(year), int(month), 1):%b %Y}"


def display(table: Table, column: int, value: object) -> str:
    """How a cell reads on screen."""
    key = table.columns[column].key
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    text = str(value)
    if key == "part":
        return PARTS.get(text, text)
    if key == "month" and len(text) == 7:
        return month_label(text)
    if key == "category" and table.key != "referrals_by_category":
        return category_label(text) if text else ""
    return text


class ReportTableModel(QAbstractTableModel):
    """``ReportTableModel()``; :meth:`set_table` shows a figure (or none)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._table: Table | None = None

    @property
    def table(self) -> Table | None:
        return self._table

    def set_table(self, table: Table | None) -> None:
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self._table is None else len(self._table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self._table is None else len(self._table.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if self._table is None or orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < len(self._table.columns):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._table.columns[section].label
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if self._table is None or not index.isValid():
            return None
        value = self._table.rows[index.row()][index.column()]
        kind = self._table.columns[index.column()].kind
        if role == VALUE_ROLE:
            return value
        if role == Qt.ItemDataRole.DisplayRole:
            return display(self._table, index.column(), value)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            shown = display(self._table, index.column(), value)
            if shown == "–":
                return "none"
            if shown.startswith("<"):
                return f"fewer than {shown[1:]} (suppressed)"
            return "withheld" if value == WITHHELD else shown
        if role == Qt.ItemDataRole.ToolTipRole and value == WITHHELD:
            return "Withheld: it could give a suppressed count back"
        if role == Qt.ItemDataRole.TextAlignmentRole and kind != "label":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
