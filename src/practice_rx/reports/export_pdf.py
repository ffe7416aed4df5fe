"""The report as an A4 PDF: each figure's chart and table, small numbers suppressed.

A PDF is what a practice manager forwards and a PCN board prints, so it says on its
first page what was counted and which rule hid the small numbers, and on every page
whether it may leave the practice. The charts (:mod:`pdf_charts`) draw the figures
as the tables print them, so a suppressed count is no easier to read off a bar.
The letters' typeface is embedded, and the same report gives the same bytes.
"""

from __future__ import annotations

import io
from functools import partial
from pathlib import Path
from typing import Any

from reportlab.lib.colors import white
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from practice_rx.domain.identifiers import format_date
from practice_rx.letters import fonts
from practice_rx.letters.paged_canvas import RENDER_LOCK, PagedCanvas
from practice_rx.letters.text import escape
from practice_rx.reports.build import Report
from practice_rx.reports.pdf_charts import (
    CHARTED,
    DARK_GREY,
    NHS_BLUE,
    PALE_GREY,
    chart_for,
    is_suppressed,
    number_text,
    suppression_key,
)
from practice_rx.reports.suppression import DEFAULT_THRESHOLD, WITHHELD, suppress_small_numbers
from practice_rx.reports.tables import Column, Table

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
TITLE = "Social prescribing report"
#: said beside a figure not marked for a commissioner (caseloads), which is never suppressed
STAFF_NOTE = "A staff figure for use inside the practice: not suppressed."
#: label columns that repeat another as a code or an id: the spreadsheet keeps them for
#: matching, a printed page does not need them
_CODE_LABELS = ("Code", "Service id", "User id", "Measure")
SHORT_TABLE_ROWS = 16  # a table this short is kept on one page with its chart

def suppression_rule(suppress: bool, threshold: int) -> str:
    """The rule as the first page states it."""
    if not suppress:
        return ("No small-number suppression: this copy shows every count and is not for use "
                "outside the practice.")
    return (f"Small-number suppression: counts of 1 to {threshold - 1} are shown as "
            f"\u201c<{threshold}\u201d, and a rate or average worked out from such a count as "
            f"\u201c{WITHHELD}\u201d, in every figure marked for a commissioner. In the charts a "
            f"count under {threshold} is a grey dashed bar reaching {threshold}, labelled "
            f"\u201c<{threshold}\u201d; a withheld figure is not drawn.")


def period_line(report: Report) -> str:
    period = report.period
    return (f"Referrals sent {format_date(period.from_date)} to {format_date(period.to_date)}; "
            f"overdue referrals and caseloads as at {format_date(report.today)}.")


def report_pdf(report: Report, *, suppress: bool = True, threshold: int = DEFAULT_THRESHOLD,
               heading: str = "") -> bytes:
    """The PDF's bytes; ``heading`` says what the report covers (the practices)."""
    shown = suppress_small_numbers(report, threshold) if suppress else report
    fonts.register_fonts()
    with RENDER_LOCK:  # shared with letters: one PDF at a time
        return _render(shown, suppress, threshold, heading)


def write_report_pdf(report: Report, path: Path, *, suppress: bool = True,
                     threshold: int = DEFAULT_THRESHOLD, heading: str = "") -> Path:
    path.write_bytes(report_pdf(report, suppress=suppress, threshold=threshold,
                                heading=heading))
    return path


class _Styles:
    def __init__(self) -> None:
        base = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=9.5, leading=12.5,
                              textColor=DARK_GREY)
        self.body = base
        self.title = ParagraphStyle("title", base, fontName=fonts.BOLD, fontSize=18,
                                    leading=22, textColor=NHS_BLUE, spaceAfter=4)
        self.heading = ParagraphStyle("heading", base, fontName=fonts.BOLD, fontSize=11,
                                      leading=14, textColor=NHS_BLUE)
        self.subtitle = ParagraphStyle("subtitle", base, fontSize=11, leading=14,
                                       spaceAfter=3)
        self.rule = ParagraphStyle("rule", base, borderColor=NHS_BLUE, borderWidth=0.8,
                                   borderPadding=6, backColor=PALE_GREY, spaceBefore=8,
                                   spaceAfter=10)
        self.note = ParagraphStyle("note", base, fontSize=8, leading=10, spaceBefore=1,
                                   spaceAfter=3)
        self.cell = ParagraphStyle("cell", base, fontSize=8, leading=10)
        self.header = ParagraphStyle("header", self.cell, fontName=fonts.BOLD, textColor=white)
        self.number = ParagraphStyle("number", self.cell, alignment=TA_RIGHT)
        self.number_header = ParagraphStyle("number_header", self.header, alignment=TA_RIGHT)


def _render(shown: Report, suppress: bool, threshold: int, heading: str) -> bytes:
    styles = _Styles()
    story: list[Flowable] = [Paragraph(TITLE, styles.title)]
    if heading:
        story.append(Paragraph(escape(heading), styles.subtitle))
    story.append(Paragraph(escape(period_line(shown)), styles.body))
    story.append(Paragraph(escape(suppression_rule(suppress, threshold)), styles.rule))
    by_category = shown.by_category
    category_labels = {str(row[by_category.column_index("category")]):
                       str(row[by_category.column_index("label")]) for row in by_category.rows}
    for table in shown.tables():
        story.extend(_figure(table, styles, suppress, threshold, category_labels))
    buffer = io.BytesIO()
    footer = ("Small numbers suppressed" if suppress
              else "Not suppressed \u2013 not for use outside the practice")
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm, invariant=1, pageCompression=1,
        initialFontName=fonts.REGULAR, initialFontSize=9, initialLeading=11,
        title=TITLE, author="PracticeRx", creator="PracticeRx",
        producer="PracticeRx (ReportLab)", subject=period_line(shown), keywords="")
    left = f"{TITLE}, {format_date(shown.period.from_date)} to " \
           f"{format_date(shown.period.to_date)} \u2013 {footer}"
    doc.build(story, canvasmaker=partial(PagedCanvas, footer=partial(_draw_footer, left)))
    return buffer.getvalue()


def _figure(table: Table, styles: _Styles, suppress: bool, threshold: int,
            category_labels: dict[str, str]) -> list[Flowable]:
    """A figure's heading, note, chart and table; the heading never left alone at a page
    foot, and a short table kept with it (a long one runs on, its header repeated)."""
    head: list[Flowable] = [Paragraph(escape(table.title), styles.heading)]
    note = table.note
    if suppress and not table.for_commissioner:
        note = " ".join(filter(None, (note, STAFF_NOTE)))
    if note:
        head.append(Paragraph(escape(note), styles.note))
    chart = chart_for(table, FRAME_WIDTH, threshold)
    if chart is None and table.key in CHARTED and table.rows:
        drawn = " and ".join(table.columns[table.column_index(key)].label.lower()
                             for key in CHARTED[table.key].values)
        head.append(Paragraph(escape(f"No chart: every figure it would draw ({drawn}) is "
                                     f"suppressed."), styles.note))
    elif chart is not None:
        head.append(chart)
        drawn = [row[table.column_index(key)] for key in CHARTED[table.key].values
                 for row in table.rows]
        counts = any(is_suppressed(value) for value in drawn)
        withheld = WITHHELD in drawn
        if counts or withheld:
            head.append(suppression_key(threshold, FRAME_WIDTH, counts=counts,
                                        withheld=withheld))
    if not table.rows:
        head.append(Paragraph("Nothing to count in this period.", styles.body))
        return [CondPageBreak(30 * mm), KeepTogether(head), Spacer(0, 12)]
    head.append(Spacer(0, 4))
    pdf_table = _table(table, styles, category_labels)
    if len(table.rows) <= SHORT_TABLE_ROWS:
        return [KeepTogether([*head, pdf_table]), Spacer(0, 12)]
    return [CondPageBreak(60 * mm), KeepTogether(head), pdf_table, Spacer(0, 12)]


def _table(table: Table, styles: _Styles, category_labels: dict[str, str]) -> PdfTable:
    shown = [number for number, column in enumerate(table.columns)
             if not (column.kind == "label" and column.label in _CODE_LABELS)]
    columns = [table.columns[number] for number in shown]
    texts = [[_printed(column.key, row[number], category_labels)
              for number, column in zip(shown, columns, strict=True)] for row in table.rows]
    header = [Paragraph(escape(column.label),
                        styles.header if column.kind == "label" else styles.number_header)
              for column in columns]
    body = [[Paragraph(escape(text), styles.cell if column.kind == "label" else styles.number)
             for text, column in zip(row, columns, strict=True)] for row in texts]
    pdf_table = PdfTable([header, *body], colWidths=_column_widths(columns, texts),
                         repeatRows=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),  # else the table names Helvetica
        ("BACKGROUND", (0, 0), (-1, 0), NHS_BLUE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, PALE_GREY),
    ]
    commands += [("BACKGROUND", (0, row), (-1, row), PALE_GREY)
                 for row in range(2, len(table.rows) + 1, 2)]
    pdf_table.setStyle(TableStyle(commands))
    return pdf_table


def _printed(key: str, value: object, category_labels: dict[str, str]) -> str:
    """A cell as printed: a service's category by its label, as the category table has it."""
    if key == "category":
        return category_labels.get(str(value), str(value))
    return number_text(value)


def _column_widths(columns: list[Column], texts: list[list[str]]) -> list[float]:
    """Each column as wide as its widest cell; if the frame is too narrow, the label
    columns give up width in proportion, down to their longest word (numbers never wrap)."""
    padding = 13  # the table's cell padding, 6 points a side, and a point spare
    natural, least = [], []
    for number, column in enumerate(columns):
        cells = [row[number] for row in texts]
        words = [word for text in (column.label, *cells) for word in text.split()]
        longest_word = max(stringWidth(word, fonts.BOLD, 8) for word in words)
        widest_cell = max(stringWidth(text, fonts.REGULAR, 8) for text in cells)
        header = min(stringWidth(column.label, fonts.BOLD, 8), max(longest_word, 75))
        natural.append(max(header, widest_cell) + padding)
        least.append((longest_word if column.kind == "label" else max(longest_word, widest_cell))
                     + padding)
    spare = sum(natural) - FRAME_WIDTH
    give = sum(high - low for high, low in zip(natural, least, strict=True))
    if spare <= 0 or give <= 0:
        return natural
    share = min(1.0, spare / give)
    return [high - (high - low) * share for high, low in zip(natural, least, strict=True)]


def _draw_footer(text: str, canvas: Canvas, number: int, total: int) -> None:
    """``text`` on the left, "Page N of M" on the right, under a rule."""
    canvas.saveState()
    y = MARGIN - 2 * mm
    canvas.setStrokeColor(PALE_GREY)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, y + 10, PAGE_WIDTH - MARGIN, y + 10)
    canvas.setFillColor(DARK_GREY)
    canvas.setFont(fonts.REGULAR, 8)
    canvas.drawString(MARGIN, y, text)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, y, f"Page {number} of {total}")
    canvas.restoreState()


__all__ = ["report_pdf", "suppression_rule", "write_report_pdf"]
