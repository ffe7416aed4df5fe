"""The worklist's columns: a chooser on the header's context menu, and a remembered layout.

Order, widths, hidden columns and the sort are saved whenever they change and
restored when the list opens. A layout saved with other columns (an older
PracticeRx) is ignored rather than applied to the wrong columns.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QMenu, QTableView

from practice_rx.ui.worklist.preferences import preferences
from practice_rx.ui.worklist_model import COLUMNS, IDENTITY_COLUMNS

LAYOUT_KEY = "worklist/header"
COLUMNS_KEY = "worklist/columns"


def column_keys() -> str:
    return ",".join(column.key for column in COLUMNS)


class ColumnLayout:
    """Owns the header's context menu and saving its state."""

    def __init__(self, table: QTableView) -> None:
        self.table = table
        self.header: QHeaderView = table.horizontalHeader()
        self.header.setSectionsMovable(True)
        self.header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.header.customContextMenuRequested.connect(self._show_menu)
        self._save_soon = QTimer(table, singleShot=True, interval=300)
        self._save_soon.timeout.connect(self.save)
        for signal in (self.header.sectionMoved, self.header.sectionResized,
                       self.header.sortIndicatorChanged):
            signal.connect(lambda *_: self._save_soon.start())

    def menu(self) -> QMenu:
        """A tick for each column; the patient's name and NHS number cannot be hidden."""
        menu = QMenu(self.header)
        menu.setObjectName("column_chooser")
        for index, column in enumerate(COLUMNS):
            action = QAction(column.title, menu, checkable=True)
            action.setChecked(not self.header.isSectionHidden(index))
            action.setEnabled(index not in IDENTITY_COLUMNS)
            action.setData(index)
            action.toggled.connect(lambda shown, i=index: self.set_shown(i, shown))
            menu.addAction(action)
        menu.addSeparator()
        reset = menu.addAction("Show all columns")
        reset.triggered.connect(self.show_all)
        return menu

    def _show_menu(self, pos: QPoint) -> None:
        self.menu().popup(self.header.mapToGlobal(pos))

    def set_shown(self, index: int, shown: bool) -> None:
        if index in IDENTITY_COLUMNS and not shown:
            return
        self.header.setSectionHidden(index, not shown)
        self.save()

    def show_all(self) -> None:
        for index in range(len(COLUMNS)):
            self.header.setSectionHidden(index, False)
        self.save()

    def shown(self) -> list[int]:
        """The columns shown, in the order shown (what printing and export use)."""
        return [self.header.logicalIndex(visual) for visual in range(self.header.count())
                if not self.header.isSectionHidden(self.header.logicalIndex(visual))]

    def save(self) -> None:
        settings = preferences()
        settings.setValue(COLUMNS_KEY, column_keys())
        settings.setValue(LAYOUT_KEY, self.header.saveState())
        settings.sync()

    def restore(self) -> bool:
        """Apply the saved layout (sort included) if it was saved with these columns."""
        settings = preferences()
        state = settings.value(LAYOUT_KEY)
        if state is None or settings.value(COLUMNS_KEY) != column_keys():
            return False
        restored = self.header.restoreState(state)
        for index in IDENTITY_COLUMNS:
            self.header.setSectionHidden(index, False)
        return restored
