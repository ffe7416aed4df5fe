"""The letter's paper: letterhead, address window, date block, footer and page numbers.

Every template, built-in or a plugin's, renders through :func:`render_letter`
so letters from one practice look alike and keep the same safeguards: the
patient named on every later page, "Confidential" and "Page X of Y" on every
page, and the same bytes for the same inputs.

The first page follows the usual UK layout for a DL window envelope (A4 folded
in three): the recipient's address sits in a window 20 mm from the left edge
and 50 mm from the top. "Page X of Y" needs the page count before the first
page is finished; finished pages are held by the canvas and their footers drawn
in a second pass over them when the document is saved, without laying out the
text twice.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from practice_rx.domain.identifiers import format_nhs_number
from practice_rx.letters import fonts
from practice_rx.letters.content import address_lines
from practice_rx.letters.inputs import LetterInputs, PracticeInfo
from practice_rx.letters.paged_canvas import RENDER_LOCK, PagedCanvas
from practice_rx.letters.text import Line, Run, TextStyle, clip_lines, draw_lines, layout_lines

NHS_BLUE = HexColor("#005EB8")
DARK_GREY = HexColor("#425563")
RULE_GREY = HexColor("#D8DDE0")

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
TOP = 12 * mm
BOTTOM = 12 * mm
WINDOW_LEFT = 20 * mm
WINDOW_TOP = 50 * mm
WINDOW_WIDTH = 90 * mm
WINDOW_HEIGHT = 35 * mm
CONFIDENTIAL = "Confidential \u2013 contains patient information"

@dataclass(frozen=True)
class Look:
    """Type sizes and spacing: one for ordinary letters, one for large print (16 pt and up)."""

    large_print: bool
    body: TextStyle
    title: TextStyle
    heading: TextStyle
    label: TextStyle
    value: TextStyle
    small: TextStyle
    practice_name: TextStyle
    label_width: float
    rule: Color | None


def _look(large: bool) -> Look:
    if large:
        body = TextStyle(16, 22, space_after=9)
        small = TextStyle(16, 20)
        return Look(
            large_print=True,
            body=body,
            title=TextStyle(22, 28, bold=True, space_after=12),
            heading=TextStyle(19, 25, bold=True, space_before=12, space_after=6),
            label=TextStyle(16, 21, bold=True),
            value=TextStyle(16, 21, space_after=8),
            small=small,
            practice_name=TextStyle(20, 25, bold=True, align="right"),
            label_width=58 * mm,
            rule=None,
        )
    body = TextStyle(10.5, 14.5, space_after=6)
    return Look(
        large_print=False,
        body=body,
        title=TextStyle(14, 18, bold=True, colour=NHS_BLUE, space_after=8),
        heading=TextStyle(11.5, 15, bold=True, colour=NHS_BLUE, space_before=9, space_after=4),
        label=TextStyle(9.5, 13, colour=DARK_GREY),
        value=TextStyle(10, 13, space_before=2, space_after=4),
        small=TextStyle(9, 11.5),
        practice_name=TextStyle(13, 17, bold=True, colour=NHS_BLUE, align="right"),
        label_width=55 * mm,
        rule=RULE_GREY,
    )


STANDARD = _look(False)
LARGE_PRINT = _look(True)
STANDARD_NAME = STANDARD.practice_name
STANDARD_DETAILS = STANDARD.small.with_(align="right")
ADDRESS = TextStyle(10.5, 13)


def letterhead_lines(practice: PracticeInfo) -> list[str]:
    """The practice's details under its name, as printed top right on the first page."""
    lines = address_lines(practice.address, practice.postcode)
    if practice.phone:
        lines.append(f"Phone {practice.phone}")
    if practice.email:
        lines.append(f"Email {practice.email}")
    lines.append(f"ODS code {practice.ods_code}")
    return lines


@dataclass(frozen=True)
class _Block:
    """Text laid out for a fixed place on the page."""

    lines: list[Line]
    style: TextStyle

    @classmethod
    def of(cls, content: str | Sequence[Run], style: TextStyle, width: float,
           max_lines: int = 12) -> _Block:
        """Laid out in ``width``; cut to ``max_lines`` (with an ellipsis), as a fixed place
        cannot grow to make room for a very long name or address."""
        runs = (Run(content, bold=style.bold),) if isinstance(content, str) else tuple(content)
        lines = layout_lines(runs, style.size, width)
        return cls(clip_lines(lines, style.size, width, max_lines), style)

    @property
    def height(self) -> float:
        return len(self.lines) * self.style.leading

    def draw(self, canv: Canvas, x: float, top: float, width: float) -> float:
        """Draw with the top edge at ``top`` (from the page bottom); returns the bottom edge."""
        draw_lines(canv, self.lines, self.style, x, top, width)
        return top - self.height


class _Paper:
    """The fixed parts of one letter's pages, measured before the text is flowed."""

    def __init__(self, inputs: LetterInputs, look: Look, recipient: Sequence[str],
                 meta: Sequence[tuple[str, str]]) -> None:
        self.look = look
        self.practice = inputs.practice
        self.logo = Path(inputs.practice.logo) if inputs.practice.logo else None
        width = PAGE_WIDTH - 2 * MARGIN
        # The letterhead and the address stay at their usual size in large print: the
        # letterhead must stay clear of the envelope window, and the window is for the
        # post. Everything the patient reads (from the date block on) is large.
        self.head_width = PAGE_WIDTH - MARGIN - (WINDOW_LEFT + WINDOW_WIDTH + 5 * mm)
        self.name = _Block.of(inputs.practice.name, STANDARD_NAME, self.head_width, 2)
        self.details = _Block.of("\n".join(letterhead_lines(inputs.practice)),
                                 STANDARD_DETAILS, self.head_width, 8)
        self.recipient = _Block.of("\n".join(recipient), ADDRESS, WINDOW_WIDTH, 8)
        self.window_height = max(WINDOW_HEIGHT, self.recipient.height)
        meta_runs: list[Run] = []
        for number, (label, value) in enumerate(meta):
            meta_runs += [Run(("\n" if number else "") + f"{label}: "), Run(value, bold=True)]
        meta_style = look.small.with_(align="right")
        self.meta_width = self.head_width
        self.meta = _Block.of(meta_runs, meta_style, self.meta_width)
        head_bottom = TOP + self.name.height + self.details.height
        window_bottom = WINDOW_TOP + self.window_height
        if len(self.meta.lines) == len(meta):  # fits beside the window
            self.meta_x = PAGE_WIDTH - MARGIN - self.meta_width
            self.meta_top = max(WINDOW_TOP, head_bottom + 4 * mm)
        else:  # large print: under the window, full width
            self.meta_width = width
            self.meta = _Block.of(meta_runs, look.small, width)
            self.meta_x = MARGIN
            self.meta_top = max(window_bottom, head_bottom) + 3 * mm
        meta_bottom = self.meta_top + self.meta.height
        self.first_frame_top = max(window_bottom, meta_bottom) + 4 * mm
        patient = inputs.patient
        self.running_head = _Block.of(
            f"{patient.full_name}, NHS number {format_nhs_number(patient.nhs_number)}"
            f" \u2013 {inputs.referral.reference}",
            look.small.with_(colour=DARK_GREY), width, 2)
        self.practice_head = _Block.of(inputs.practice.name, look.small.with_(bold=True), width,
                                       1)
        self.footer_style = look.small.with_(colour=DARK_GREY)
        self.confidential = _Block.of(CONFIDENTIAL, self.footer_style.with_(bold=True), width)

        later_head = self.practice_head.height + self.running_head.height
        self.later_frame_top = TOP + later_head + 6 * mm
        widest_page = _Block.of("Page 88 of 88", self.footer_style, width).lines[0][0]
        self.footer_one_line = self.confidential.lines[0][0] + widest_page + 10 * mm <= width
        self.footer_height = (1 if self.footer_one_line else 2) * self.footer_style.leading + 2 * mm

    # -- page furniture ---------------------------------------------------------------

    def first_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        right = PAGE_WIDTH - MARGIN
        top = PAGE_HEIGHT - TOP
        if self.logo is not None:
            logo_width = WINDOW_WIDTH
            canv.drawImage(str(self.logo), MARGIN, top - 22 * mm, logo_width, 22 * mm,
                           preserveAspectRatio=True, anchor="nw", mask="auto")
        below_name = self.name.draw(canv, right - self.head_width, top, self.head_width)
        self.details.draw(canv, right - self.head_width, below_name, self.head_width)
        self.recipient.draw(canv, WINDOW_LEFT, PAGE_HEIGHT - WINDOW_TOP, WINDOW_WIDTH)
        self.meta.draw(canv, self.meta_x, PAGE_HEIGHT - self.meta_top, self.meta_width)
        canv.restoreState()

    def later_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        width = PAGE_WIDTH - 2 * MARGIN
        below = self.practice_head.draw(canv, MARGIN, PAGE_HEIGHT - TOP, width)
        below = self.running_head.draw(canv, MARGIN, below, width)
        canv.setStrokeColor(RULE_GREY)
        canv.setLineWidth(0.6)
        canv.line(MARGIN, below - 2 * mm, PAGE_WIDTH - MARGIN, below - 2 * mm)
        canv.restoreState()

    def footer(self, canv: Canvas, number: int, total: int) -> None:
        """Drawn on every page once the page count is known."""
        width = PAGE_WIDTH - 2 * MARGIN
        page = _Block.of(f"Page {number} of {total}", self.footer_style.with_(align="right"),
                         width)
        one_line = self.footer_one_line
        top = BOTTOM + (1 if one_line else 2) * self.footer_style.leading
        canv.saveState()
        canv.setStrokeColor(RULE_GREY)
        canv.setLineWidth(0.6)
        canv.line(MARGIN, top + 2 * mm, PAGE_WIDTH - MARGIN, top + 2 * mm)
        page.draw(canv, MARGIN, top, width)
        self.confidential.draw(canv, MARGIN, top if one_line else top - page.height, width)
        canv.restoreState()

    def templates(self) -> list[PageTemplate]:
        width = PAGE_WIDTH - 2 * MARGIN
        bottom = BOTTOM + self.footer_height + 4 * mm
        first = Frame(MARGIN, bottom, width, PAGE_HEIGHT - self.first_frame_top - bottom,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="first")
        later = Frame(MARGIN, bottom, width, PAGE_HEIGHT - self.later_frame_top - bottom,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="later")
        return [
            PageTemplate("First", [first], onPage=self.first_page, autoNextPageTemplate="Later"),
            PageTemplate("Later", [later], onPage=self.later_page),
        ]


def render_letter(
    inputs: LetterInputs,
    look: Look,
    story: list[Flowable],
    *,
    title: str,
    recipient: Sequence[str],
    meta: Sequence[tuple[str, str]],
) -> bytes:
    """Lay ``story`` out on the practice's letter paper and return the PDF.

    ``recipient`` is the address block's lines, ``meta`` the (label, value) pairs
    beside it (date, reference, NHS number). The PDF's metadata names the letter
    and the practice only, never the patient.
    """
    fonts.register_fonts()
    with RENDER_LOCK:
        return _render(inputs, look, story, title, recipient, meta)


def _render(inputs: LetterInputs, look: Look, story: list[Flowable], title: str,
            recipient: Sequence[str], meta: Sequence[tuple[str, str]]) -> bytes:
    paper = _Paper(inputs, look, recipient, meta)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=paper.templates(),
        invariant=1,  # no timestamp or random document id: same inputs, same bytes
        pageCompression=1,
        initialFontName=fonts.REGULAR,  # else every page names Helvetica, which is not embedded
        initialFontSize=10,
        initialLeading=12,
        title=title,
        author=inputs.practice.name,
        creator="PracticeRx",
        producer="PracticeRx (ReportLab)",
        subject="",
        keywords="",
    )
    doc.build(story, canvasmaker=partial(PagedCanvas, footer=paper.footer))
    return buffer.getvalue()


__all__ = ["LARGE_PRINT", "STANDARD", "Look", "letterhead_lines", "render_letter"]
