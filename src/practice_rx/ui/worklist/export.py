"""The list shown, whole: every row matching the filters, as CSV or on paper.

Rows are read through the same paged service query as the list (so the same
permission check and order), a page at a time off the GUI thread; the columns
are the ones shown, in the order shown.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from html import escape
from pathlib import Path

from PySide6.QtGui import QPageLayout, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from practice_rx.domain.identifiers import local_time
from practice_rx.services.worklist import WorklistPage, WorklistQuery, WorklistRow
from practice_rx.ui.worklist_model import Column

EXPORT_PAGE_SIZE = 500
#: a cell starting with one of these is a formula to a spreadsheet: it is quoted as text
FORMULA_STARTS = ("=", "+", "-", "@")


def all_rows(fetch: Callable[[WorklistQuery], WorklistPage],
             query: WorklistQuery) -> list[WorklistRow]:
    """Every row matching the query's filters, in its order, a page at a time."""
    rows: list[WorklistRow] = []
    page = 0
    while True:
        result = fetch(replace(query, page=page, page_size=EXPORT_PAGE_SIZE))
        rows.extend(result.rows)
        page += 1
        if page >= result.page_count or not result.rows:
            return rows


def _cell(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _when(value: datetime | None) -> str:
    """A stored (UTC) time as local ``2026-11-24 14:05``, which spreadsheets sort."""
    return f"{local_time(value):%Y-%m-%d %H:%M}" if value else ""


Cell = tuple[str, Callable[[WorklistRow], str]]

#: where a spreadsheet wants values, not the screen's words: ISO dates, the days
#: overdue in a column of their own; other columns are written as shown
SPREADSHEET_CELLS: dict[str, tuple[Cell, ...]] = {
    "due": (("Response due", lambda r: r.response_due_on.isoformat()
             if r.response_due_on else ""),
            ("Working days overdue", lambda r: str(r.working_days_overdue)
             if r.overdue else "")),
    "last_chased": (("Last chased", lambda r: _when(r.last_chased_at)),),
    "created": (("Created", lambda r: _when(r.created_at)),),
    "updated": (("Last change", lambda r: _when(r.status_changed_at)),),
}


def csv_cells(columns: Sequence[Column]) -> list[Cell]:
    return [cell for column in columns
            for cell in SPREADSHEET_CELLS.get(column.key, ((column.title, column.text),))]


def write_csv(path: Path, columns: Sequence[Column], rows: Sequence[WorklistRow]) -> int:
    """The rows as CSV (UTF-8 with a BOM, so Excel reads the accents); how many."""
    cells = csv_cells(columns)
    with open(path, "w", newline="", encoding="utf-8-sig") as file:
        writer = csv.writer(file)
        writer.writerow([title for title, _ in cells])
        for row in rows:
            writer.writerow([_cell(value(row)) for _, value in cells])
    return len(rows)


def list_html(title: str, columns: Sequence[Column], rows: Sequence[WorklistRow]) -> str:
    head = "".join(f"<th align='left'>{escape(c.title)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(c.text(r))}</td>" for c in columns) + "</tr>"
                   for r in rows)
    return (f"<h3>{escape(title)}</h3><p>{len(rows):,} referral{'s' if len(rows) != 1 else ''}"
            f"</p><table border='1' cellspacing='0' cellpadding='3' width='100%'>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def print_rows(printer: QPrinter, title: str, columns: Sequence[Column],
               rows: Sequence[WorklistRow]) -> None:
    """On the GUI thread (a text document is a GUI object): the rows as a table."""
    printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    document = QTextDocument()
    document.setHtml(list_html(title, columns, rows))
    document.print_(printer)
