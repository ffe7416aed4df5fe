"""The worklist panel: filters, the table of referrals, and what it is showing."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from practice_rx.ui.session import Session
from practice_rx.ui.widgets import hint, labelled
from practice_rx.ui.worklist_filters import FilterRow, StatusList, combine
from practice_rx.ui.worklist_model import (
    COLUMNS,
    DEFAULT_SORT_COLUMN,
    ROW_ID_ROLE,
    WorklistModel,
)

COLUMN_WIDTHS = (56, 170, 108, 150, 200, 130, 200, 130, 135, 135)


class WorklistTable(QTableView):
    """The referrals; Enter opens the current one."""

    activated_row = Signal(int)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class WorklistPanel(QWidget):
    """Filters over a paged table; says which referral is current."""

    #: the referral the user moved to (its id)
    current_changed = Signal(int)
    #: the highlighted referral left the list (a filter, sort or refresh): none is now
    selection_cleared = Signal()
    #: the user pressed Enter or double-clicked on a referral (its id)
    opened = Signal(int)
    #: the user changed what the list shows (filters or sort), not merely refreshed it
    reshaped = Signal()

    def __init__(self, session: Session, statuses: StatusList,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.statuses = statuses
        self.filters = FilterRow()
        self.model = WorklistModel(self._page, self._run, parent=self)
        self.table = WorklistTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSortIndicator(DEFAULT_SORT_COLUMN, Qt.SortOrder.DescendingOrder)
        header.setStretchLastSection(True)
        for column, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(column, width)
        self.table.setSortingEnabled(True)
        self.summary = hint("")
        self.summary.setAccessibleName("Worklist summary")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filters)
        table_label = labelled("Referrals list", self.table, name="Referrals",
                               description="Press Enter to open a referral; "
                               "Ctrl+U to update its status")
        table_label.hide()  # the table's heading is the status list's choice; kept as buddy
        layout.addWidget(table_label)
        layout.addWidget(self.table, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.summary, 1)
        layout.addLayout(footer)

        self.filters.changed.connect(self.apply_filters)
        self.statuses.changed.connect(self.apply_filters)
        header.sortIndicatorChanged.connect(lambda *_: self.reshaped.emit())
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(self._failed)
        self.model.modelAboutToBeReset.connect(self._remember_current)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.activated_row.connect(self._open_row)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.filters.text.down.connect(self.focus_list)
        QWidget.setTabOrder(self.filters.text, self.table)  # one Tab from Find to the list
        session.referral_changed.connect(lambda _id: self.refresh())
        self._current_id: int | None = None
        self._wanted: int | None = None
        self._counts_generation = 0

    # -- running queries ------------------------------------------------------------

    def _page(self, query):
        return self.session.services.worklist.page(self.session.user.id, query)

    def _run(self, function, done, failed) -> None:
        self.session.operations.run(function, done=done, failed=failed, owner=self,
                                    message="Reading the worklist…")

    def refresh(self) -> None:
        if not self.session.signed_in:  # signed out: the list is read again at the next sign-in
            return
        self.model.refresh()
        self._refresh_counts()

    def apply_filters(self) -> None:
        if not self.session.signed_in:
            return
        self.reshaped.emit()
        self.model.set_filter(combine(self.statuses.chosen(), self.filters.values()))
        self._refresh_counts()

    def _refresh_counts(self) -> None:
        self._counts_generation += 1
        generation = self._counts_generation
        filter = combine(set(), self.filters.values())

        def done(counts: dict[str, int]) -> None:
            if generation == self._counts_generation:
                self.statuses.set_counts(counts)

        self.session.operations.run(self.session.services.worklist.status_counts,
                                    self.session.user.id, filter,
                                    done=done, failed=lambda error: None, owner=self,
                                    message="Counting referrals…")

    def load_choices(self) -> None:
        """Fill the service and referrer filters (off the GUI thread)."""
        services = self.session.services

        def read():
            return ([(s.id, s.name) for s in services.catalogue.search(include_inactive=True)],
                    [(u.id, u.display_name) for u in services.users.list()])

        self.session.operations.run(read, done=lambda lists: self.filters.set_choices(*lists),
                                    owner=self, message="Reading services and staff…")

    # -- what is shown ----------------------------------------------------------------

    def _loaded(self) -> None:
        query = self.model.query
        column = next(c for c in COLUMNS if c.sort == query.sort)
        order = "descending" if query.descending else "ascending"
        count = self.model.total
        self.summary.setText(
            f"{count:,} referral{'s' if count != 1 else ''} · sorted by "
            f"{column.title.lower()} ({order})")
        self._restore_current()

    def _failed(self, message: str) -> None:
        self.summary.setText(message)

    def _remember_current(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._current_id = self.model.data(rows[0], ROW_ID_ROLE) or self._current_id

    def _restore_current(self) -> None:
        """Highlight the same referral again, or none: never another one in its place."""
        target, self._wanted = self._wanted or self._current_id, None
        if target is None:
            return
        self._current_id = target
        if not self._highlight(target):
            self.clear_selection()
            self.selection_cleared.emit()

    def _highlight(self, referral_id: int) -> bool:
        row = self.model.row_of(referral_id)
        if row is None:
            return False
        self._highlight_row(row)
        return True

    def select_referral(self, referral_id: int) -> bool:
        """Make this referral the current one: highlighted if the list holds it, else none is.

        The next reload highlights it if it is in the list by then.
        """
        self._current_id = referral_id
        if self._highlight(referral_id):
            return True
        self.clear_selection()
        self._wanted = referral_id
        return False

    def clear_selection(self) -> None:
        """No row highlighted, and no current row for the keyboard to act on."""
        self._current_id = self._wanted = None
        selection = self.table.selectionModel()
        selection.clearSelection()
        selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # A current row that is not selected (focus arriving in the table) is not a choice.
        if not current.isValid() or not self.table.selectionModel().isRowSelected(current.row()):
            return
        referral_id = self.model.data(current, ROW_ID_ROLE)
        self._wanted = None
        if referral_id is not None and referral_id != self._current_id:
            self._current_id = referral_id
            self.current_changed.emit(referral_id)

    def _open_row(self, row: int) -> None:
        referral_id = self.model.data(self.model.index(row, 0), ROW_ID_ROLE)
        if referral_id is not None:
            self._current_id = referral_id
            self.opened.emit(referral_id)

    def focus_list(self) -> None:
        """Into the list, on its first row if none is highlighted yet."""
        self.table.setFocus()
        if not self.table.selectionModel().selectedRows() and self.model.rowCount():
            self._highlight_row(0)

    def _highlight_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        selection = self.table.selectionModel()
        if selection.currentIndex().row() == row:  # current but not chosen: choose it now
            selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.NoUpdate)
        selection.setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def current_id(self) -> int | None:
        """The highlighted referral (None when no row is)."""
        return self._current_id
