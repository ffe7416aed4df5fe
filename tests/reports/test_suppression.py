"""Small-number suppression: 1-4 become "<5", 0 and 5 or more stay; what could give a
suppressed count back is withheld; staff tables and the report given are left alone."""

from __future__ import annotations

from datetime import date

import pytest

from practice_rx.reports import Column, Table, build_report, suppress_small_numbers
from practice_rx.reports.export_csv import read_sections, report_csv, write_report_csv
from practice_rx.reports.suppression import suppress_count
from tests.reports.conftest import TODAY, YEAR

COUNTS = Table("t", "Counts", (Column("name", "Name"), Column("n", "N", "count"),
                               Column("rate", "Rate", "derived")),
               tuple((f"row {n}", n, 10.0 * n) for n in range(8)))


def test_one_to_four_become_under_five_and_zero_and_five_up_stay():
    shown = suppress_small_numbers(COUNTS)
    assert [row[1] for row in shown.rows] == [0, "<5", "<5", "<5", "<5", 5, 6, 7]
    assert [row[2] for row in shown.rows] == [0.0, "*", "*", "*", "*", 50.0, 60.0, 70.0]
    assert [row[0] for row in shown.rows] == [row[0] for row in COUNTS.rows]  # labels kept
    assert "<5" in shown.note
    assert COUNTS.rows[1][1] == 1  # pure: the figures given are unchanged


@pytest.mark.parametrize("threshold, shown", [(3, [0, "<3", "<3", 3, 4]),
                                              (10, [0, "<10", "<10", "<10", "<10"])])
def test_the_threshold_is_a_parameter(threshold, shown):
    assert [suppress_count(n, threshold) for n in range(5)] == shown


def test_labels_numbers_and_booleans_that_are_not_counts_are_left():
    table = Table("t", "T", (Column("id", "Id"), Column("n", "N", "count")),
                  ((3, True), (2, 12)))
    assert suppress_small_numbers(table).rows == ((3, True), (2, 12))


def test_a_table_not_for_a_commissioner_is_left():
    staff = Table("s", "Staff", COUNTS.columns, COUNTS.rows, for_commissioner=False)
    assert suppress_small_numbers(staff) is staff


def test_the_csv_for_a_commissioner_has_no_count_from_one_to_four(seeded):
    report = build_report(seeded.db, YEAR, today=TODAY)
    suppressed = read_sections(report_csv(report))
    plain = read_sections(report_csv(report, suppress=False))
    assert set(suppressed) == {table.key for table in report.tables()}
    small = 0
    for table in report.tables():
        header, *rows = suppressed[table.key]
        assert header == [column.label for column in table.columns]
        for column_number, column in enumerate(table.columns):
            if column.kind != "count":
                continue
            for row, raw in zip(rows, plain[table.key][1:]):
                if table.for_commissioner and raw[column_number] in {"1", "2", "3", "4"}:
                    small += 1
                    assert row[column_number] == "<5"
                else:
                    assert row[column_number] == raw[column_number]
    assert small > 0, "the seeded report has small counts to suppress"


def test_the_csv_file_is_written(seeded, tmp_path):
    report = build_report(seeded.db, YEAR, today=TODAY)
    path = write_report_csv(report, tmp_path / "report.csv", suppress=False)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#,report,Referrals sent 2025-12-01 to 2026-11-30")
    assert "none: not for use outside the practice" in text


def test_a_period_ending_before_it_starts_is_refused():
    from practice_rx.reports import ReportPeriod

    with pytest.raises(ValueError, match="ends"):
        ReportPeriod(date(2026, 2, 1), date(2026, 1, 31))
