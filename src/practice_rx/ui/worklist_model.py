"""The worklist as a Qt table model over the paged service query.

Like Anki's browser table, the model holds no widget per row: it knows the
total, keeps a cache of the pages it has fetched, and fetches others as the
view scrolls to them. Sorting and filtering are done by the database through
:meth:`WorklistService.page`; an error becomes a message, never an exception
inside Qt.

Pages are read by ``fetch(query)`` (the service's ``page`` for the user acting
now), through a *runner*: ``runner(function, done, failed)``. The main
window's runner works off the GUI thread; with no runner, pages are read
synchronously (for tests and tools).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from practice_rx.services.worklist import (
    SortKey,
    WorklistFilter,
    WorklistPage,
    WorklistQuery,
    WorklistRow,
)
from practice_rx.ui.formatting import day, moment, nhs, status_label
from practice_rx.ui.widgets import OVERDUE_BACKGROUND, OVERDUE_TEXT

log = logging.getLogger(__name__)

Runner = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]], None]
Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
PAGE_SIZE = 100
LOADING = "Loading…"
ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_ROLE = Qt.ItemDataRole.UserRole + 3


def status_text(row: WorklistRow) -> str:
    """The status as the list shows it; overdue is said in words, not only in colour."""
    label = status_label(row.status)
    if row.overdue:
        label += " – OVERDUE"
    if row.urgency == "soon":
        label += " (soon)"
    return label


def due_text(row: WorklistRow) -> str:
    if row.response_due_on is None:
        return ""
    if row.overdue:
        days = row.working_days_overdue
        # the date first: it is what the column sorts by, and stays in view when narrow
        return f"{day(row.response_due_on)} · {days} working day{'s' if days != 1 else ''} overdue"
    return day(row.response_due_on)


def chased_text(row: WorklistRow) -> str:
    return moment(row.last_chased_at) if row.last_chased_at else "Never"


@dataclass(frozen=True)
class Column:
    title: str
    sort: SortKey
    text: Callable[[WorklistRow], str]
    tip: str = ""

    @property
    def key(self) -> str:
        """A stable name for the column (its sort key), for saved layouts."""
        return self.sort


COLUMNS: tuple[Column, ...] = (
    Column("Ref", "id", lambda r: str(r.id), "The referral's number"),
    Column("Patient", "patient", lambda r: r.patient_name),
    Column("NHS number", "nhs_number", lambda r: nhs(r.nhs_number)),
    Column("Status", "status", status_text),
    Column("Response due", "due", due_text,
           "When the service (or the first contact) is due; overdue ones are to chase"),
    Column("Last chased", "last_chased", chased_text,
           "When the practice last chased the service about it"),
    Column("Service", "service", lambda r: r.service_name or "No service chosen"),
    Column("Referrer", "referrer", lambda r: r.referrer_name),
    Column("Created", "created", lambda r: moment(r.created_at)),
    Column("Last change", "updated", lambda r: moment(r.status_changed_at)),
)
STATUS_COLUMN = 3
DUE_COLUMN = 4
PATIENT_COLUMN = 1
NHS_NUMBER_COLUMN = 2
#: who the row is about: never hidden, so two patients of one name stay apart
IDENTITY_COLUMNS = frozenset({PATIENT_COLUMN, NHS_NUMBER_COLUMN})
DEFAULT_SORT_COLUMN = 8


class WorklistModel(QAbstractTableModel):
    """Rows of :class:`WorklistRow`, fetched a page at a time."""

    #: the first page of a new query arrived (the model was reset)
    loaded = Signal()
    #: fetching failed; a message to show
    failed = Signal(str)

    def __init__(self, fetch: Callable[[WorklistQuery], WorklistPage],
                 runner: Runner | None = None,
                 page_size: int = PAGE_SIZE, parent=None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._runner = runner
        self._query = WorklistQuery(sort="created", descending=True, page_size=page_size)
        self._total = 0
        self._pages: dict[int, list[WorklistRow]] = {}
        self._pending: set[int] = set()
        self._generation = 0
        self._loading = False
        self._bold = QFont()
        self._bold.setBold(True)
        self._overdue_background = QBrush(QColor(OVERDUE_BACKGROUND))
        self._overdue_text = QBrush(QColor(OVERDUE_TEXT))

    # -- the query -----------------------------------------------------------------

    @property
    def query(self) -> WorklistQuery:
        return self._query

    @property
    def total(self) -> int:
        return self._total

    @property
    def loading(self) -> bool:
        return self._loading

    def set_filter(self, filter: WorklistFilter) -> None:
        if filter != self._query.filter:
            self._query = replace(self._query, filter=filter)
            self.refresh()

    def set_sort(self, column: int, order: Qt.SortOrder) -> None:
        """Sort this way from the next refresh on (a remembered layout, before signing in)."""
        if 0 <= column < len(COLUMNS):
            self._query = replace(self._query, sort=COLUMNS[column].sort,
                                  descending=order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        query = replace(self._query, sort=COLUMNS[column].sort,
                        descending=order == Qt.SortOrder.DescendingOrder)
        if query != self._query:
            self._query = query
            self.refresh()

    def refresh(self) -> None:
        """Read the first page again (and the total); the rest follow as they are shown.

        What is on screen stays until the new page arrives, so nothing flickers.
        """
        self._generation += 1
        generation = self._generation
        self._loading = True
        query = replace(self._query, page=0)

        def done(page: WorklistPage) -> None:
            if generation != self._generation:
                return  # a newer query has been asked for
            self._loading = False
            self.beginResetModel()
            self._total = page.total
            self._pages = {0: page.rows}
            self._pending = set()
            self.endResetModel()
            self.loaded.emit()

        self._run(lambda: self._fetch(query), done, self._failed(generation))

    # -- rows ----------------------------------------------------------------------

    def row_at(self, row: int) -> WorklistRow | None:
        """The row if its page is here; otherwise asks for the page and returns None."""
        if not 0 <= row < self._total:
            return None
        number, offset = divmod(row, self._query.page_size)
        rows = self._pages.get(number)
        if rows is None:
            self._fetch_page(number)
            rows = self._pages.get(number)
            if rows is None:
                return None
        return rows[offset] if offset < len(rows) else None

    def row_of(self, referral_id: int) -> int | None:
        """Where a referral is among the pages fetched so far, if it is."""
        for number, rows in self._pages.items():
            for offset, item in enumerate(rows):
                if item.id == referral_id:
                    return number * self._query.page_size + offset
        return None

    def _fetch_page(self, number: int) -> None:
        if number in self._pending:
            return
        self._pending.add(number)
        generation = self._generation
        query = replace(self._query, page=number)

        def done(page: WorklistPage) -> None:
            if generation != self._generation:
                return
            self._pending.discard(number)
            if page.total != self._total:
                self.refresh()  # referrals came or went meanwhile: start again
                return
            self._pages[number] = page.rows
            if self._runner is not None:  # asynchronous: tell the view
                first = number * self._query.page_size
                last = min(self._total, first + self._query.page_size) - 1
                self.dataChanged.emit(self.index(first, 0),
                                      self.index(last, len(COLUMNS) - 1))

        self._run(lambda: self._fetch(query), done, self._failed(generation))

    def _failed(self, generation: int) -> Callable[[Exception], None]:
        def failed(error: Exception) -> None:
            if generation != self._generation:
                return
            self._loading = False
            self._pending.clear()
            log.warning("worklist query failed: %s", error)
            self.failed.emit(f"The worklist could not be read: {error}")
        return failed

    def _run(self, function, done, failed) -> None:
        if self._runner is None:
            try:
                result = function()
            except Exception as error:  # noqa: BLE001 (shown to the user, never raised in Qt)
                failed(error)
            else:
                done(result)
        else:
            self._runner(function, done, failed)

    # -- Qt's model interface ----------------------------------------------------------

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            column = COLUMNS[section]
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return column.title
            if role == Qt.ItemDataRole.ToolTipRole:
                return column.tip or f"Sort by {column.title.lower()}"
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        if not (0 <= index.row() < self._total and 0 <= index.column() < len(COLUMNS)):
            return None
        row = self.row_at(index.row())
        column = COLUMNS[index.column()]
        if row is None:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return LOADING if index.column() == 1 else ""
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.overdue:
                return (f"Overdue: a response was due {day(row.response_due_on)}. "
                        "Chase the service.")
            return None
        # Only the due cell is coloured: a whole red list says nothing about what is late.
        due_cell = row.overdue and index.column() == DUE_COLUMN
        if role == Qt.ItemDataRole.BackgroundRole and due_cell:
            return self._overdue_background
        if role == Qt.ItemDataRole.ForegroundRole and due_cell:
            return self._overdue_text
        if role == Qt.ItemDataRole.FontRole and due_cell:
            return self._bold
        if role == ROW_ID_ROLE:
            return row.id
        if role == OVERDUE_ROLE:
            return row.overdue
        if role == ROW_ROLE:
            return row
        return None

