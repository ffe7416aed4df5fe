"""The caseload as a Qt table model over the paged service query: one page at a time.

A link worker's caseload is a few hundred people, so the model holds one page
(chosen with the view's page buttons) rather than fetching as it scrolls. Sorting,
filtering and counting are the database's (:class:`CaseloadService`); an error
becomes a message, never an exception inside Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from practice_rx.services.caseload import (
    CaseloadFilter,
    CaseloadPage,
    CaseloadQuery,
    CaseloadRow,
    CaseloadSort,
)
from practice_rx.ui.formatting import day, moment, nhs, status_label
from practice_rx.ui.widgets import OVERDUE_BACKGROUND, OVERDUE_TEXT

log = logging.getLogger(__name__)

Runner = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]], None]
Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
PAGE_SIZE = 50
ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

MEASURE_WORDS = {"baseline": "Baseline", "follow_up": "Follow-up"}


def due_words(on: date | None, today: date) -> str:
    """A due date, and in words when it is today or past (never colour alone)."""
    if on is None:
        return ""
    if on < today:
        days = (today - on).days
        return f"{day(on)} · {days} day{'s' if days != 1 else ''} overdue"
    return f"{day(on)} · today" if on == today else day(on)


def measures_text(row: CaseloadRow) -> str:
    return ", ".join(f"{MEASURE_WORDS[name]} due" for name in row.measures_due)


@dataclass(frozen=True)
class Column:
    title: str
    sort: CaseloadSort
    text: Callable[[CaseloadRow, date], str]
    tip: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("Ref", "id", lambda r, t: str(r.id), "The referral's number"),
    Column("Patient", "patient", lambda r, t: r.patient_name),
    Column("NHS number", "nhs_number", lambda r, t: nhs(r.nhs_number)),
    Column("Status", "status", lambda r, t: status_label(r.status)),
    Column("Days", "referred",
           lambda r, t: "" if r.days_since_referral is None else str(r.days_since_referral),
           "Days since the referral: since it was sent, or received from outside the practice"),
    Column("Contacts", "contacts", lambda r, t: str(r.contacts_made),
           "Contacts made so far (attempts not counted)"),
    Column("Last contact", "last_contact",
           lambda r, t: moment(r.last_contact_at) if r.last_contact_at else "None yet"),
    Column("Next contact", "next_contact", lambda r, t: due_words(r.next_contact_due_on, t)),
    Column("Plan review", "review", lambda r, t: due_words(r.review_on, t)),
    Column("Measures due", "measures", lambda r, t: measures_text(r),
           "A baseline is due after the first contact; a follow-up once the review date passed"),
    Column("Link worker", "link_worker", lambda r, t: r.link_worker_name),
)
PATIENT_COLUMN, NHS_NUMBER_COLUMN, NEXT_CONTACT_COLUMN, REVIEW_COLUMN, MEASURES_COLUMN = (
    1, 2, 7, 8, 9)
DEFAULT_SORT_COLUMN = NEXT_CONTACT_COLUMN


def _late(row: CaseloadRow, column: int, today: date) -> bool:
    if column == NEXT_CONTACT_COLUMN:
        return row.next_contact_due_on is not None and row.next_contact_due_on <= today
    if column == REVIEW_COLUMN:
        return row.review_on is not None and row.review_on <= today
    return column == MEASURES_COLUMN and bool(row.measures_due)


class CaseloadModel(QAbstractTableModel):
    """One page of :class:`CaseloadRow`; ``fetch(query)`` reads a page through ``runner``
    (off the GUI thread in the application; synchronous when None, for tests)."""

    #: a page arrived (the model was reset)
    loaded = Signal()
    #: reading failed; a message to show
    failed = Signal(str)

    def __init__(self, fetch: Callable[[CaseloadQuery], CaseloadPage],
                 today: Callable[[], date], runner: Runner | None = None,
                 page_size: int = PAGE_SIZE, parent=None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._today = today
        self._runner = runner
        self._query = CaseloadQuery(sort=COLUMNS[DEFAULT_SORT_COLUMN].sort, page_size=page_size)
        self._page = CaseloadPage([], 0, 0, page_size)
        self._generation = 0
        self._late_background = QBrush(QColor(OVERDUE_BACKGROUND))
        self._late_text = QBrush(QColor(OVERDUE_TEXT))

    @property
    def query(self) -> CaseloadQuery:
        return self._query

    @property
    def page(self) -> CaseloadPage:
        return self._page

    def set_filter(self, filter: CaseloadFilter) -> None:
        """A new filter starts again from the first page."""
        if filter != self._query.filter:
            self._query = replace(self._query, filter=filter, page=0)
            self.refresh()

    def go_to_page(self, number: int) -> None:
        number = max(0, min(number, self._page.page_count - 1))
        if number != self._query.page:
            self._query = replace(self._query, page=number)
            self.refresh()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        query = replace(self._query, sort=COLUMNS[column].sort, page=0,
                        descending=order == Qt.SortOrder.DescendingOrder)
        if query != self._query:
            self._query = query
            self.refresh()

    def refresh(self) -> None:
        """Read the current page again; what is shown stays until the new one arrives."""
        self._generation += 1
        generation, query = self._generation, self._query

        def done(page: CaseloadPage) -> None:
            if generation != self._generation:
                return  # a newer query was asked for
            if page.rows == [] and page.total and query.page:
                self._query = replace(self._query, page=page.page_count - 1)
                self.refresh()  # cases left the last page: show the new last page
                return
            self.beginResetModel()
            self._page = page
            self.endResetModel()
            self.loaded.emit()

        def failed(error: Exception) -> None:
            if generation == self._generation:
                log.warning("caseload query failed: %s", type(error).__name__)
                self.failed.emit(f"The caseload could not be read: {error}")

        if self._runner is None:
            try:
                result = self._fetch(query)
            except Exception as error:  # noqa: BLE001 (shown, never raised inside Qt)
                failed(error)
            else:
                done(result)
        else:
            self._runner(lambda: self._fetch(query), done, failed)

    def row_at(self, row: int) -> CaseloadRow | None:
        rows = self._page.rows
        return rows[row] if 0 <= row < len(rows) else None

    def row_of(self, referral_id: int) -> int | None:
        return next((n for n, row in enumerate(self._page.rows) if row.id == referral_id), None)

    # -- Qt's model interface ----------------------------------------------------------

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._page.rows)

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
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row = self.row_at(index.row())
        if row is None or not 0 <= index.column() < len(COLUMNS):
            return None
        today = self._today()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return COLUMNS[index.column()].text(row, today)
        late = _late(row, index.column(), today)
        if role == Qt.ItemDataRole.BackgroundRole and late:
            return self._late_background
        if role == Qt.ItemDataRole.ForegroundRole and late:
            return self._late_text
        if role == ROW_ID_ROLE:
            return row.id
        if role == ROW_ROLE:
            return row
        return None
