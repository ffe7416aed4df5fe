"""The PDF export read back with pypdf, its charts held bar by bar to the tables as shown,
and its first page rendered by pdftoppm."""

from __future__ import annotations

import re
import struct
import subprocess

import pytest
from pypdf import PdfReader
from reportlab.graphics import renderPDF

from practice_rx.reports import Column, Table, build_report, suppress_small_numbers
from practice_rx.reports.export_pdf import FRAME_WIDTH, report_pdf, write_report_pdf
from practice_rx.reports.pdf_charts import CHARTED, chart_for, number_text
from tests.reports.conftest import BANK_HOLIDAYS, MARCH, TODAY, YEAR

SMALL = (1, 2, 3, 4)


def _report(seeded, period=YEAR):
    return build_report(seeded.db, period, today=TODAY, bank_holidays=BANK_HOLIDAYS)


def _text(path) -> tuple[list[str], str]:
    pages = [page.extract_text() for page in PdfReader(path).pages]
    return pages, re.sub(r"\s+", " ", " ".join(pages))


def test_the_pdf_states_the_period_the_rule_and_every_figure(seeded, tmp_path):
    report = _report(seeded)
    path = write_report_pdf(report, tmp_path / "report.pdf", heading="Beeston Hill Surgery")
    pages, text = _text(path)
    assert "Social prescribing report Beeston Hill Surgery" in text
    assert "Referrals sent 1 Dec 2025 to 30 Nov 2026" in text
    assert "as at 24 Nov 2026" in text
    first = re.sub(r"\s+", " ", pages[0])
    assert "Small-number suppression: counts of 1 to 4 are shown as \u201c<5\u201d" in first
    for table in report.tables():
        assert table.title in text, table.key
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Small numbers suppressed" in page
    shown = suppress_small_numbers(report)
    for month, count in shown.by_month.rows:
        assert f"{month} {number_text(count)}" in text
    sent = shown.funnel.rows[0]
    assert f"Sent funnel {number_text(sent[3])} 100" in text
    assert "<5" in text  # the suppressed cells are printed as such


def test_the_pdf_uses_the_letters_typeface_only(seeded, tmp_path):
    path = write_report_pdf(_report(seeded, MARCH), tmp_path / "report.pdf")
    fonts = {font.get_object()["/BaseFont"].split("+")[-1]
             for page in PdfReader(path).pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts == {"DejaVuSans", "DejaVuSans-Bold"}


def test_the_unsuppressed_pdf_says_it_stays_inside_and_shows_true_counts(seeded, tmp_path):
    report = _report(seeded, MARCH)
    path = write_report_pdf(report, tmp_path / "internal.pdf", suppress=False)
    pages, text = _text(path)
    assert "No small-number suppression" in pages[0]
    assert all("not for use outside the practice" in page for page in pages)
    assert "<5" not in text
    small = [(label, count) for code, label, part, count, share in report.funnel.rows
             if count in SMALL]
    assert small, "the March funnel has small counts"
    for label, count in small:
        assert re.search(rf"{re.escape(label)} \w+ {count} ", text), label


def test_the_same_report_gives_the_same_bytes(seeded):
    report = _report(seeded, MARCH)
    assert report_pdf(report) == report_pdf(report)


def _label(cell):
    if cell == "*":
        return "withheld"
    return None if cell is None or cell == "<5" else number_text(cell)


def _drawn_values(table, key):
    return [value if isinstance(value, int | float) else None
            for value in (row[table.column_index(key)] for row in table.rows)]


@pytest.mark.parametrize("period", [YEAR, MARCH], ids=["year", "march"])
@pytest.mark.parametrize("suppress", [True, False], ids=["suppressed", "internal"])
def test_each_chart_draws_the_figures_its_table_shows(seeded, period, suppress):
    report = _report(seeded, period)
    shown = suppress_small_numbers(report) if suppress else report
    charted = 0
    suppressed_bars = 0
    for table, raw in zip(shown.tables(), report.tables(), strict=True):
        if table.key not in CHARTED:
            assert chart_for(table, FRAME_WIDTH) is None
            continue
        spec = CHARTED[table.key]
        drawing = chart_for(table, FRAME_WIDTH)
        expected = [_drawn_values(table, key) for key in spec.values]
        if all(value is None for series in expected for value in series):
            assert drawing is None, table.key  # every figure suppressed: no chart
            continue
        charted += 1
        chart = drawing.chart
        assert list(chart.categoryAxis.categoryNames) == [spec.label(row)
                                                          for row in table.as_dicts()]
        assert [list(series) for series in chart.data[:len(spec.values)]] == expected
        assert [list(labels) for labels in chart.barLabelArray[:len(spec.values)]] == [
            [_label(row[table.column_index(key)]) for row in table.rows] for key in spec.values]
        if len(chart.data) > len(spec.values):  # the grey bars of counts shown as "<5"
            (key,) = spec.values
            shown_cells = [row[table.column_index(key)] for row in table.rows]
            assert list(chart.data[-1]) == [5 if cell == "<5" else None for cell in shown_cells]
            assert list(chart.barLabelArray[-1]) == ["<5" if cell == "<5" else None
                                                     for cell in shown_cells]
            suppressed_bars += sum(cell == "<5" for cell in shown_cells)
        # never a true small number behind a suppressed cell, in a bar or its label
        for key in spec.values:
            index = table.column_index(key)
            for position, (shown_row, raw_row) in enumerate(zip(table.rows, raw.rows,
                                                                strict=True)):
                if shown_row[index] != raw_row[index]:
                    for series, labels in zip(chart.data, chart.barLabelArray, strict=True):
                        assert series[position] != raw_row[index]
                        assert labels[position] != number_text(raw_row[index])
    assert charted >= 7
    if suppress and period == MARCH:
        assert suppressed_bars > 0, "March has counts under 5 to draw as grey bars"


def test_a_withheld_average_is_not_drawn_but_labelled_and_a_missing_one_is_absent():
    waits = Table("working_day_waits", "Waits",
                  (Column("interval", "Code"), Column("label", "Interval"),
                   Column("referrals", "Referrals", "count"),
                   Column("median", "Median", "derived"), Column("p90", "P90", "derived")),
                  (("a", "Sent to accepted", 3, 4.5, 9.0), ("b", "To first contact", 12, 6.0, 11.0),
                   ("c", "Nothing yet", 0, None, None)))
    shown = suppress_small_numbers(waits)
    chart = chart_for(shown, FRAME_WIDTH).chart
    assert [list(series) for series in chart.data] == [[None, 6.0, None], [None, 11.0, None]]
    assert [list(labels) for labels in chart.barLabelArray] == [["withheld", "6", None],
                                                                ["withheld", "11", None]]
    drawn = renderPDF.drawToString(chart_for(shown, FRAME_WIDTH))
    assert drawn.startswith(b"%PDF")


def test_a_figure_with_every_bar_suppressed_says_so_instead_of_a_chart(seeded, tmp_path):
    report = _report(seeded, MARCH)
    shown = suppress_small_numbers(report)
    rejected = shown.most_rejecting.column_index("rejected")
    assert shown.most_rejecting.rows
    assert all(row[rejected] == "<5" for row in shown.most_rejecting.rows)
    assert chart_for(shown.most_rejecting, FRAME_WIDTH) is None
    _, text = _text(write_report_pdf(report, tmp_path / "report.pdf"))
    assert "No chart: every figure it would draw (rejected) is suppressed." in text


def test_page_one_renders(seeded, tmp_path):
    path = write_report_pdf(_report(seeded), tmp_path / "report.pdf")
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(path), str(tmp_path / "page")], check=True, capture_output=True,
                   timeout=60)
    png = (tmp_path / "page.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (414, 585)  # A4 (210 x 297 mm) at 50 dpi
