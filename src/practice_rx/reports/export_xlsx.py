"""The report as an XLSX workbook: an "About" sheet, then a sheet per figure.

A commissioner's analyst adds figures up and charts them again, so counts go in as
numbers (a suppressed count as the text "<5", a withheld rate as "*", which no sum
can take for a number) and rates and averages with a number format. Every string is
written as text, never as a formula: a service name starting with "=" stays a name.
Suppression is the same rule as the CSV's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from practice_rx.domain.identifiers import format_date
from practice_rx.reports.build import Report
from practice_rx.reports.suppression import DEFAULT_THRESHOLD, WITHHELD, suppress_small_numbers
from practice_rx.reports.tables import Table

ABOUT = "About"
NOT_SUPPRESSED = "none: not for use outside the practice"
#: said beside a figure not marked for a commissioner (caseloads), which is never suppressed
STAFF_NOTE = "A staff figure for use inside the practice: not suppressed."
SHEET_NAME_LIMIT = 31  # Excel's limit
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\']")
TITLE_ROW, NOTE_ROW, HEADER_ROW = 0, 1, 3


def suppression_text(suppress: bool, threshold: int) -> str:
    """The rule as the About sheet states it (the CSV's words)."""
    if not suppress:
        return NOT_SUPPRESSED
    return (f"counts of 1 to {threshold - 1} shown as <{threshold}; a rate or average from "
            f"such a count shown as {WITHHELD}")


def sheet_names(tables: tuple[Table, ...]) -> list[str]:
    """A sheet name per table from its key: at most 31 characters, none Excel refuses,
    each unique (ignoring case, as Excel does), none "About"."""
    taken = {ABOUT.lower()}
    names = []
    for table in tables:
        base = _NOT_IN_SHEET_NAMES.sub("_", table.key)[:SHEET_NAME_LIMIT] or "table"
        name, number = base, 1
        while name.lower() in taken:
            number += 1
            suffix = f"_{number}"
            name = base[:SHEET_NAME_LIMIT - len(suffix)] + suffix
        taken.add(name.lower())
        names.append(name)
    return names


def write_report_xlsx(report: Report, path: Path, *, suppress: bool = True,
                      threshold: int = DEFAULT_THRESHOLD, heading: str = "") -> Path:
    """Write the workbook; suppression is on unless asked off (an internal copy).
    ``heading`` says what the report covers (the practices), as on the PDF."""
    shown = suppress_small_numbers(report, threshold) if suppress else report
    workbook = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    workbook.set_properties({"title": "Social prescribing report", "author": "PracticeRx"})
    try:
        styles = _Styles(workbook)
        tables = shown.tables()
        names = sheet_names(tables)
        _about(workbook.add_worksheet(ABOUT), shown, suppress, threshold, heading,
               list(zip(names, tables, strict=True)), styles)
        for name, table in zip(names, tables, strict=True):
            _table_sheet(workbook.add_worksheet(name), table, suppress, styles)
    finally:
        workbook.close()
    return path


class _Styles:
    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.title = workbook.add_format({"bold": True, "font_size": 14,
                                          "font_color": "#005EB8"})
        self.note = workbook.add_format({"italic": True, "font_color": "#425563"})
        self.label = workbook.add_format({"bold": True})
        self.header = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True,
                                           "valign": "top"})
        self.header_number = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True,
                                                  "valign": "top", "align": "right"})
        self.count = workbook.add_format({"num_format": "#,##0"})
        self.text_right = workbook.add_format({"align": "right"})
        self.derived = {places: workbook.add_format(
            {"num_format": "#,##0" + ("." + "0" * places if places else "")})
            for places in range(3)}


def _about(sheet: Worksheet, report: Report, suppress: bool, threshold: int, heading: str,
           contents: list[tuple[str, Table]], styles: _Styles) -> None:
    period = report.period
    sheet.write_string(0, 0, "Social prescribing report", styles.title)
    rows = [
        ("Covers", heading),
        ("Referrals sent", f"{format_date(period.from_date)} to {format_date(period.to_date)}"),
        ("From", period.from_date.isoformat()),
        ("To", period.to_date.isoformat()),
        ("As at", f"{format_date(report.today)} (overdue referrals and caseloads)"),
        ("Suppression", suppression_text(suppress, threshold)),
    ]
    row_number = 2
    for label, value in rows:
        if not value:
            continue
        sheet.write_string(row_number, 0, label, styles.label)
        sheet.write_string(row_number, 1, value)
        row_number += 1
    row_number += 1
    sheet.write_string(row_number, 0, "Sheet", styles.header)
    sheet.write_string(row_number, 1, "Figure", styles.header)
    for name, table in contents:
        row_number += 1
        sheet.write_url(row_number, 0, f"internal:'{name}'!A1", string=name)
        sheet.write_string(row_number, 1, table.title)
    sheet.set_column(0, 0, max(14, *(len(name) + 2 for name, _ in contents)))
    sheet.set_column(1, 1, 90)


def _table_sheet(sheet: Worksheet, table: Table, suppress: bool, styles: _Styles) -> None:
    """Title and note above, the header frozen, then a row per table row."""
    for number, column in enumerate(table.columns):
        header = styles.header_number if column.kind != "label" else styles.header
        sheet.write_string(HEADER_ROW, number, column.label, header)
        places = _decimal_places(row[number] for row in table.rows)
        for offset, row in enumerate(table.rows, start=1):
            _cell(sheet, HEADER_ROW + offset, number, row[number], column.kind, places, styles)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.autofit()  # before the title and note, which may run on past the first column
    for number, column in enumerate(table.columns):  # a header wraps rather than widens
        if column.kind != "label":
            width = max(len(column.label.split(" ")[0]), _data_width(table, number)) + 2
            sheet.set_column(number, number, min(max(width, 10), 16))
    note = table.note
    if suppress and not table.for_commissioner:
        note = " ".join(filter(None, (note, STAFF_NOTE)))
    sheet.write_string(TITLE_ROW, 0, table.title, styles.title)
    if note:
        sheet.write_string(NOTE_ROW, 0, note, styles.note)


def _cell(sheet: Worksheet, row: int, column: int, value: object, kind: str, places: int,
          styles: _Styles) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        # a suppressed "<5" or withheld "*" in a number column sits right, like the numbers
        sheet.write_string(row, column, str(value), styles.text_right if kind != "label" else None)
    elif kind == "count":
        sheet.write_number(row, column, value, styles.count)
    elif kind == "derived":
        sheet.write_number(row, column, value, styles.derived[places])
    else:
        sheet.write_number(row, column, value)


def _decimal_places(values: Iterable[object]) -> int:
    """How many decimals a column of rates or averages needs (at most 2, as rounded)."""
    needed = [next((places for places in (0, 1) if round(value, places) == value), 2)
              for value in values if isinstance(value, float)]
    return max(needed, default=0)


def _data_width(table: Table, number: int) -> int:
    return max((len(f"{value:,}") if isinstance(value, int | float) else len(str(value))
                for value in (row[number] for row in table.rows) if value is not None),
               default=0)


__all__ = ["sheet_names", "suppression_text", "write_report_xlsx"]
