"""The worklist panel: filters, the table of referrals, and what it is showing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from practice_rx.ui.session import Session
from practice_rx.ui.widgets import hint, labelled, row_table
from practice_rx.ui.worklist.columns import ColumnLayout
from practice_rx.ui.worklist.export import all_rows, print_rows, write_csv
from practice_rx.ui.worklist.saved_filters import SavedFilter, SavedFiltersBar
from practice_rx.ui.worklist_filters import OVERDUE, FilterRow, StatusList, combine
from practice_rx.ui.worklist_model import (
    COLUMNS,
    DEFAULT_SORT_COLUMN,
    DUE_COLUMN,
    ROW_ID_ROLE,
    ROW_ROLE,
    Column,
    WorklistModel,
)

COLUMN_WIDTHS = (56, 170, 108, 150, 250, 130, 200, 130, 135, 135)


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
    #: a row's menu was asked for: (its WorklistRow, where on screen)
    row_menu_requested = Signal(object, QPoint)
    #: an export or a print finished: what happened, to show in the status bar
    finished = Signal(str)

    def __init__(self, session: Session, statuses: StatusList,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.statuses = statuses
        self.filters = FilterRow()
        self.model = WorklistModel(self._page, self._run, parent=self)
        self.table = WorklistTable()
        self.table.setModel(self.model)
        row_table(self.table)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSortIndicator(DEFAULT_SORT_COLUMN, Qt.SortOrder.DescendingOrder)
        header.setStretchLastSection(True)
        for column, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(column, width)
        self.columns = ColumnLayout(self.table)
        self.columns.restore()  # the layout and sort this workstation last used
        self.model.set_sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.table.setSortingEnabled(True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.mine = QCheckBox("M&y referrals")
        self.mine.setObjectName("my_referrals")
        self.mine.setToolTip("Only the referrals you made")
        self.saved = SavedFiltersBar()
        self.summary = hint("")
        self.summary.setAccessibleName("Worklist summary")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filters)
        shaping = QHBoxLayout()
        shaping.addWidget(self.mine)
        shaping.addWidget(labelled("Saved fi&lters:", self.saved.combo, name="Saved filters"))
        shaping.addWidget(self.saved, 1)
        layout.addLayout(shaping)
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
        self.mine.toggled.connect(self.apply_filters)
        self.saved.chosen.connect(self.apply_saved)
        self.saved.save_requested.connect(self.save_filters)
        session.user_changed.connect(
            lambda user: self.saved.set_user(user.username if user else None))
        self.saved.set_user(session.user.username if session.signed_in else None)
        # the practices to choose from are the signed-in user's, and a new one is listed
        session.user_changed.connect(lambda user: self.load_choices() if user else None)
        session.practice_changed.connect(self.load_choices)
        header.sortIndicatorChanged.connect(lambda *_: self.reshaped.emit())
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(self._failed)
        self.model.modelAboutToBeReset.connect(self._remember_current)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        # A mouse press moves the current row before it selects it (Qt's order), so the
        # choice is also read when the selection changes, or a click would go unseen.
        self.table.selectionModel().selectionChanged.connect(
            lambda *_: self._row_changed(self.table.currentIndex(), QModelIndex()))
        self.table.activated_row.connect(self._open_row)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.filters.text.down.connect(self.focus_list)
        QWidget.setTabOrder(self.filters.text, self.table)  # one Tab from Find to the list
        session.referral_changed.connect(lambda _id: self.refresh())
        self._current_id: int | None = None
        self._wanted: int | None = None
        self._counts_generation = 0
        #: the sort (column, order) the list had before the chase list was chosen
        self._sort_before_overdue: tuple[int, Qt.SortOrder] | None = None

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

    def values(self) -> dict:
        """The filter row's values, with "My referrals" as the referrer when it is ticked,
        and the practice chosen."""
        values = self.filters.values()
        if self.mine.isChecked() and self.session.signed_in:
            values["referrer_id"] = self.session.user.id
        values["practice_ids"] = self.filters.practice_ids()
        return values

    def apply_filters(self) -> None:
        if not self.session.signed_in:
            return
        self.reshaped.emit()
        self.filters.referrer.setEnabled(not self.mine.isChecked())
        chosen = self.statuses.chosen()
        overdue = chosen == {OVERDUE}
        header = self.table.horizontalHeader()
        if overdue and self._sort_before_overdue is None:
            # the chase list: the longest overdue first; the list's own sort comes back after
            self._sort_before_overdue = (header.sortIndicatorSection(),
                                         header.sortIndicatorOrder())
            self.table.sortByColumn(DUE_COLUMN, Qt.SortOrder.AscendingOrder)
        elif not overdue and self._sort_before_overdue is not None:
            self.table.sortByColumn(*self._sort_before_overdue)
            self._sort_before_overdue = None
        self.model.set_filter(combine(chosen, self.values()))
        self._refresh_counts()

    def clear_filters(self) -> None:
        """Everything back to the whole list (signing out: nothing left for the next user)."""
        self.mine.blockSignals(True)
        self.mine.setChecked(False)
        self.mine.blockSignals(False)
        self.filters.clear()

    # -- saved filters ----------------------------------------------------------------

    def save_filters(self, name: str) -> SavedFilter:
        saved = SavedFilter.of(name, self.statuses.chosen(), self.filters.values(),
                               self.mine.isChecked())
        self.saved.add(saved)
        return saved

    def apply_saved(self, saved: SavedFilter) -> None:
        self.mine.blockSignals(True)
        self.mine.setChecked(saved.mine)
        self.mine.blockSignals(False)
        self.statuses.blockSignals(True)
        self.statuses.choose(*saved.statuses)
        self.statuses.blockSignals(False)
        self.filters.set_values(saved.values())  # one change: the list is read once

    # -- the whole list: export and print -------------------------------------------------

    def shown_columns(self) -> list[Column]:
        return [COLUMNS[index] for index in self.columns.shown()]

    def _whole_list(self, then, message: str):
        query, columns = self.model.query, self.shown_columns()
        return self.session.operations.run(
            all_rows, self._page, query, done=lambda rows: then(columns, rows),
            failed=lambda error: self.finished.emit(f"{message} failed: {error}"),
            owner=self, message=message)

    def export_csv(self, path: Path):
        """Every row matching the filters, the columns shown, written off the GUI thread."""
        def done(count: int) -> None:
            self.finished.emit(f"{count:,} referral{'s' if count != 1 else ''} exported "
                               f"to {path}")

        query, columns = self.model.query, self.shown_columns()
        return self.session.operations.run(
            lambda: write_csv(path, columns, all_rows(self._page, query)), done=done,
            failed=lambda error: self.finished.emit(f"Export failed: {error}"),
            owner=self, message="Exporting the list…")

    def print_list(self, printer: QPrinter):
        """Rows read off the GUI thread, then laid out and printed here."""
        title = f"PracticeRx worklist: {self.summary.text()}"

        def done(columns, rows) -> None:
            print_rows(printer, title, columns, rows)
            self.finished.emit(f"{len(rows):,} referrals sent to the printer")

        return self._whole_list(done, "Reading the list to print…")

    def ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the list as CSV",
                                              str(Path.home() / "worklist.csv"),
                                              "CSV files (*.csv)")
        if path:
            self.export_csv(Path(path))

    def ask_print(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the list")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_list(printer)

    # -- the row menu -------------------------------------------------------------------

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.highlight_row(index.row())  # the menu acts on the row the list highlights
        row = self.model.data(index, ROW_ROLE)
        if row is not None:
            self.row_menu_requested.emit(row, self.table.viewport().mapToGlobal(pos))

    def _refresh_counts(self) -> None:
        self._counts_generation += 1
        generation = self._counts_generation
        filter = combine(set(), self.values())

        def done(counts: dict[str, int]) -> None:
            if generation == self._counts_generation:
                self.statuses.set_counts(counts)

        self.session.operations.run(self.session.services.worklist.status_counts,
                                    self.session.user.id, filter,
                                    done=done, failed=lambda error: None, owner=self,
                                    message="Counting referrals…")

    def load_choices(self) -> None:
        """Fill the service, referrer and practice filters (off the GUI thread)."""
        if not self.session.signed_in:
            return
        services, user_id = self.session.services, self.session.user.id

        def read():
            return ([(s.id, s.name) for s in services.catalogue.search(include_inactive=True)],
                    [(u.id, u.display_name) for u in services.users.list()],
                    services.practice.visible(user_id))

        def done(lists) -> None:
            chosen = self.filters.practice_ids()
            self.filters.set_choices(*lists[:2])
            self.filters.set_practices(lists[2])
            if self.filters.practice_ids() != chosen:  # that practice is no longer seen
                self.apply_filters()

        self.session.operations.run(read, done=done, owner=self,
                                    message="Reading services and staff…")

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
        self.highlight_row(row)
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
            self.highlight_row(0)

    def highlight_row(self, row: int) -> None:
        """Choose this row, as a click would: highlighted, and said to be the current one."""
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
