"""The XLSX export read back with openpyxl: an About sheet with the period and the rule,
then a sheet per figure whose cells are the report's rows as shown (suppressed unless
asked not to), counts as numbers, nothing written as a formula."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from practice_rx.reports import Column, Table, build_report, suppress_small_numbers
from practice_rx.reports.export_xlsx import sheet_names, write_report_xlsx
from tests.reports.conftest import BANK_HOLIDAYS, MARCH, TODAY, YEAR

HEADER_ROW = 4  # 1-based: title, note, a blank row, then the header


def _report(seeded, period=YEAR):
    return build_report(seeded.db, period, today=TODAY, bank_holidays=BANK_HOLIDAYS)


def _about(workbook) -> dict[str, str]:
    return {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)
            if row[0] is not None and row[1] is not None}


def _body(sheet, width: int) -> list[tuple[object, ...]]:
    return [row[:width] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def _assert_sheet_is(sheet, table: Table) -> None:
    assert sheet["A1"].value == table.title
    assert table.note in (sheet["A2"].value or "")
    width = len(table.columns)
    header = next(sheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True))
    assert list(header[:width]) == [column.label for column in table.columns]
    assert _body(sheet, width) == [tuple(row) for row in table.rows]
    for offset, row in enumerate(table.rows, start=1):  # numbers stay numbers
        for number, value in enumerate(row):
            cell = sheet.cell(HEADER_ROW + offset, number + 1)
            if isinstance(value, int | float):
                assert cell.data_type == "n", (table.key, offset, number)
            elif isinstance(value, str):
                assert cell.data_type == "s", (table.key, offset, number)


@pytest.mark.parametrize("period", [YEAR, MARCH], ids=["year", "march"])
def test_each_sheet_holds_its_figure_as_suppressed(seeded, tmp_path, period):
    report = _report(seeded, period)
    shown = suppress_small_numbers(report)
    workbook = openpyxl.load_workbook(write_report_xlsx(report, tmp_path / "report.xlsx"))
    assert workbook.sheetnames == ["About", *(table.key for table in report.tables())]
    small = 0
    for table in shown.tables():
        sheet = workbook[table.key]
        _assert_sheet_is(sheet, table)
        for row in _body(sheet, len(table.columns)):
            for value, column in zip(row, table.columns, strict=True):
                if column.kind == "count" and table.for_commissioner:
                    assert value not in (1, 2, 3, 4), (table.key, row)
                    small += value == "<5"
    assert small > 0, "the seeded report has small counts to suppress"
    assert "not suppressed" in workbook["caseloads"]["A2"].value  # a staff figure, said so
    about = _about(workbook)
    assert about["Suppression"] == ("counts of 1 to 4 shown as <5; a rate or average from "
                                    "such a count shown as *")
    assert about["From"] == period.from_date.isoformat()
    assert about["To"] == period.to_date.isoformat()
    assert about["As at"].startswith("24 Nov 2026")


def test_unsuppressed_keeps_the_true_counts_and_says_it_stays_inside(seeded, tmp_path):
    report = _report(seeded, MARCH)
    path = write_report_xlsx(report, tmp_path / "internal.xlsx", suppress=False)
    workbook = openpyxl.load_workbook(path)
    for table in report.tables():
        _assert_sheet_is(workbook[table.key], table)
    assert any(value in (1, 2, 3, 4) for table in report.tables() if table.for_commissioner
               for column in table.columns if column.kind == "count"
               for value in (row[table.column_index(column.key)] for row in table.rows))
    assert _about(workbook)["Suppression"] == "none: not for use outside the practice"


def test_the_threshold_is_the_one_given(seeded, tmp_path):
    report = _report(seeded, MARCH)
    workbook = openpyxl.load_workbook(
        write_report_xlsx(report, tmp_path / "ten.xlsx", threshold=10))
    _assert_sheet_is(workbook["status_funnel"], suppress_small_numbers(report, 10).funnel)
    assert _about(workbook)["Suppression"].startswith("counts of 1 to 9 shown as <10")


def test_the_header_is_bold_and_frozen_and_numbers_are_formatted(seeded, tmp_path):
    report = _report(seeded)
    workbook = openpyxl.load_workbook(
        write_report_xlsx(report, tmp_path / "report.xlsx", heading="Beeston Hill Surgery"))
    funnel = workbook["status_funnel"]
    assert funnel.freeze_panes == f"A{HEADER_ROW + 1}"
    assert all(cell.font.b for cell in funnel[HEADER_ROW] if cell.value is not None)
    assert funnel.cell(HEADER_ROW + 1, 4).number_format == "#,##0"  # a count
    assert funnel.cell(HEADER_ROW + 1, 5).number_format == "#,##0.0"  # share of sent (%)
    outcomes = workbook["outcome_change"]
    assert outcomes.cell(HEADER_ROW + 1, 8).number_format == "#,##0.00"  # mean change
    label_width = funnel.column_dimensions["B"].width
    assert label_width >= 0.8 * max(len(row[1]) for row in report.funnel.rows)  # fitted
    assert _about(workbook)["Covers"] == "Beeston Hill Surgery"


def test_text_that_looks_like_a_formula_is_kept_as_text(seeded, tmp_path):
    report = _report(seeded)
    rows = report.by_service.rows
    hostile = replace(report.by_service,
                      rows=((rows[0][0], '=HYPERLINK("http://example.invalid","x")',
                             *rows[0][2:]), *rows[1:]))
    path = write_report_xlsx(replace(report, by_service=hostile), tmp_path / "report.xlsx")
    cell = openpyxl.load_workbook(path)["referrals_by_service"].cell(HEADER_ROW + 1, 2)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://example.invalid","x")'


def test_sheet_names_fit_excel_and_never_repeat():
    def table(key: str) -> Table:
        return Table(key, key, (Column("n", "N", "count"),), ((1,),))

    long = "a_very_long_table_key_that_goes_past_thirty_one"
    names = sheet_names((table(long), table(long), table("about"), table("odd/key:[x]")))
    assert names == [long[:31], long[:29] + "_2", "about_2", "odd_key__x_"]
    assert all(len(name) <= 31 for name in names)


def test_importing_the_reports_loads_neither_xlsxwriter_nor_reportlab():
    probe = ("import sys, practice_rx.reports, practice_rx.reports.export_csv; "
             "print([name for name in ('xlsxwriter', 'reportlab', 'openpyxl') "
             "if name in sys.modules])")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip() == "[]", result.stdout
