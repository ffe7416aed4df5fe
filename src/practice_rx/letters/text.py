"""Plain-text flowables: wrapped text and label/value rows, drawn without a markup parser.

Letters are mostly people's own words (names, addresses, free-text answers).
These flowables take them as literal text, so nothing a user types can be read
as markup, and they lay out several times faster than ``Paragraph`` (which
parses XML and re-measures on every wrap): fast enough to print a day's
referrals in a batch. Bold and italic come from :class:`Run` pieces, not tags.
Plugin templates that do use ``Paragraph`` must pass user text through
:func:`escape` first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal
from xml.sax.saxutils import escape as _xml_escape

from reportlab.lib.colors import Color, black
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from practice_rx.letters import fonts

Align = Literal["left", "right", "centre"]
NO_BREAK = "\u00a0"
ELLIPSIS = "\u2026"
_SPACES = re.compile(r"[ \t\r\f\v]+")


def no_break(text: str) -> str:
    """Text kept on one line (a phone number, a date): its spaces made no-break spaces."""
    return text.replace(" ", NO_BREAK)


def escape(text: str) -> str:
    """User text made safe for a reportlab ``Paragraph``: markup escaped, newlines kept."""
    return _xml_escape(text).replace("\n", "<br/>")


@dataclass(frozen=True)
class Run:
    """A piece of text in one face: the unit of bold and italic."""

    text: str
    bold: bool = False
    italic: bool = False

    @property
    def font(self) -> str:
        if self.bold:
            return fonts.BOLD_ITALIC if self.italic else fonts.BOLD
        return fonts.ITALIC if self.italic else fonts.REGULAR


Content = str | Run | Sequence[Run]


@dataclass(frozen=True)
class TextStyle:
    """Size and spacing of a block of text; the face comes from each run."""

    size: float
    leading: float
    bold: bool = False
    colour: Color = black
    align: Align = "left"
    space_before: float = 0
    space_after: float = 0
    indent: float = 0

    def with_(self, **changes: object) -> TextStyle:
        return replace(self, **changes)  # type: ignore[arg-type]


# A laid-out line: its width and its (font, text) pieces, left to right.
Line = tuple[float, tuple[tuple[str, str], ...]]


def runs_of(content: Content, bold: bool = False) -> tuple[Run, ...]:
    if isinstance(content, str):
        return (Run(content, bold=bold),)
    if isinstance(content, Run):
        return (content,)
    return tuple(content)


_LAYOUT_CACHE_LIMIT = 2_000
_layouts: dict[tuple[tuple[Run, ...], float, float], tuple[Line, ...]] = {}


def layout_lines(runs: Sequence[Run], size: float, width: float) -> list[Line]:
    """Greedy word wrap of ``runs`` into lines no wider than ``width`` (``\\n`` breaks a line).

    A word wider than the line (a long email address) is broken between characters.
    Remembered: a batch's letters repeat most of their blocks (labels, questions,
    the practice's details), and the lines are a pure function of the text.
    """
    key = (tuple(runs), size, width)
    lines = _layouts.get(key)
    if lines is None:
        if len(_layouts) >= _LAYOUT_CACHE_LIMIT:
            _layouts.clear()
        lines = _layouts[key] = tuple(_wrap(key[0], size, width))
    return list(lines)


def _wrap(runs: Sequence[Run], size: float, width: float) -> list[Line]:
    lines: list[Line] = []
    pieces: list[tuple[str, str]] = []
    line_width = 0.0
    pending_space = False

    def finish() -> None:
        nonlocal pieces, line_width
        lines.append((line_width, tuple(pieces)))
        pieces, line_width = [], 0.0

    def put(font: str, text: str, text_width: float) -> None:
        nonlocal line_width
        if pieces and pieces[-1][0] == font:
            pieces[-1] = (font, pieces[-1][1] + text)
        else:
            pieces.append((font, text))
        line_width += text_width

    for run in runs:
        font = run.font
        measure = _measurer(font, size)
        space = measure(" ")
        for number, hard_line in enumerate(run.text.split("\n")):
            if number:
                finish()
                pending_space = False
            words = [word for word in _SPACES.split(hard_line) if word]  # not at no-break spaces
            if hard_line[:1].isspace():
                pending_space = True
            for index, word in enumerate(words):
                word_width = measure(word)
                gap = space if pieces and (index or pending_space) else 0.0
                if pieces and line_width + gap + word_width > width:
                    finish()
                    gap = 0.0
                if word_width > width:
                    if pieces:
                        finish()
                    for chunk, chunk_width in _break_word(word, font, size, width):
                        if pieces:
                            finish()
                        put(font, chunk, chunk_width)
                else:
                    put(font, " " + word if gap else word, gap + word_width)
            if words:
                pending_space = hard_line[-1:].isspace()
            elif hard_line:
                pending_space = True
    if pieces or not lines:
        finish()
    return lines


def clip_lines(lines: list[Line], size: float, width: float, max_lines: int) -> list[Line]:
    """At most ``max_lines``, the last ending in an ellipsis when text was cut.

    For text in a fixed place (a letterhead, the address window, the running
    head): flowing text splits across pages, but a fixed place cannot grow, and
    an over-long name there would leave no room for the letter itself.
    """
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    line_width, pieces = kept[-1]
    font, text = pieces[-1] if pieces else (fonts.REGULAR, "")
    measure = _measurer(font, size)
    while text and line_width + measure(ELLIPSIS) > width:
        line_width -= measure(text[-1])
        text = text[:-1]
    kept[-1] = (line_width + measure(ELLIPSIS), (*pieces[:-1], (font, text + ELLIPSIS)))
    return kept


_WIDTH_CACHE_LIMIT = 20_000
_measurers: dict[tuple[str, float], Callable[[str], float]] = {}


def _measurer(font: str, size: float) -> Callable[[str], float]:
    """Width of a word in one face and size, remembered: letters repeat most of their words."""
    key = (font, size)
    measure = _measurers.get(key)
    if measure is None:
        widths: dict[str, float] = {}
        font_width = getFont(font).stringWidth

        def measure(word: str) -> float:
            width = widths.get(word)
            if width is None:
                if len(widths) >= _WIDTH_CACHE_LIMIT:
                    widths.clear()
                width = widths[word] = font_width(word, size)
            return width

        _measurers[key] = measure
    return measure


def _break_word(word: str, font: str, size: float, width: float) -> Iterator[tuple[str, float]]:
    """Pieces of an over-long word, each no wider than ``width`` (at least one character)."""
    chunk = ""
    for char in word:
        if chunk and stringWidth(chunk + char, font, size) > width:
            yield chunk, stringWidth(chunk, font, size)
            chunk = ""
        chunk += char
    if chunk:
        yield chunk, stringWidth(chunk, font, size)


class Pen:
    """One PDF text object that several blocks write into, changing face and colour only
    when they differ: a page of rows costs one text object, not one per row."""

    def __init__(self, canv: Canvas) -> None:
        self.canv = canv
        self.text = canv.beginText()
        self.font: tuple[str, float, float] | None = None
        self.colour: Color | None = None
        self.rules: list[tuple[float, float, float, Color]] = []
        self._face: TTFont | None = None  # the current face, when a TrueType one
        self._size_code = ""
        self._subset = -1

    def lines(self, lines: Sequence[Line], style: TextStyle, x: float, top: float,
              width: float) -> None:
        """Write laid-out lines in a box whose top edge is at ``top``.

        The operators are written here as reportlab's ``setTextOrigin`` and
        ``textOut`` write them (the same bytes), without their per-call work (a
        font lookup, measuring each piece again for a cursor that is never read):
        that was a fifth of a letter's time.
        """
        if not lines:
            return
        text = self.text
        matrix = "1 0 0 1" if self.canv.bottomup else "1 0 0 -1"
        code = text._code
        doc = self.canv._doc
        escape = self.canv._escape
        if style.colour != self.colour:
            text.setFillColor(style.colour)
            self.colour = style.colour
        y = top - (style.leading - style.size) / 2 - 0.94 * style.size  # first baseline
        start = x
        for line_width, pieces in lines:
            if style.align == "right":
                start = x + width - line_width
            elif style.align == "centre":
                start = x + (width - line_width) / 2
            else:
                start = x
            code.append(f"{matrix} {fp_str(start, y)} Tm")
            for font, piece in pieces:
                face = (font, style.size, style.leading)
                if face != self.font:
                    text.setFont(*face)
                    self.font = face
                    known = getFont(font)
                    self._face = known if known._dynamicFont else None
                    self._size_code = f"{fp_str(style.size)} Tf {fp_str(style.leading)} TL"
                    self._subset = -1
                if self._face is None:  # not a TrueType face: reportlab's own way
                    code.append(text._formatText(piece))
                    continue
                out = []
                for subset, encoded in self._face.splitString(piece, doc):
                    if subset != self._subset:
                        name = self._face.getSubsetInternalName(subset, doc)
                        out.append(f"{name} {self._size_code}")
                        self._subset = subset
                    out.append(f"({escape(encoded)}) Tj")
                code.append(" ".join(out))
            y -= style.leading
        text._curSubset = self._subset
        text._x0 = text._x = start
        text._y0 = text._y = y + style.leading

    def rule(self, x: float, y: float, width: float, colour: Color) -> None:
        self.rules.append((x, y, width, colour))

    def finish(self) -> None:
        self.canv.drawText(self.text)
        for x, y, width, colour in self.rules:
            self.canv.setStrokeColor(colour)
            self.canv.setLineWidth(0.4)
            self.canv.line(x, y, x + width, y)


def draw_lines(canv: Canvas, lines: Sequence[Line], style: TextStyle, x: float, top: float,
               width: float) -> None:
    """Draw laid-out lines in a box whose top edge is at ``top``."""
    pen = Pen(canv)
    pen.lines(lines, style, x, top, width)
    pen.finish()


class Text(Flowable):
    """Wrapped plain text; splits between lines across a page break."""

    def __init__(self, content: Content, style: TextStyle, *, keep_with_next: bool = False,
                 _lines: list[Line] | None = None) -> None:
        super().__init__()
        self.runs = runs_of(content, style.bold)
        self.style = style
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after
        self.keepWithNext = keep_with_next
        self._lines = _lines
        # None: the lines were laid out already (a part of a split) and never change.
        self._laid_width = -1.0 if _lines is None else None

    def _layout(self, width: float) -> list[Line]:
        inner = width - self.style.indent
        if self._laid_width is not None and self._laid_width != inner:
            self._lines = layout_lines(self.runs, self.style.size, inner)
            self._laid_width = inner
        assert self._lines is not None
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = len(self._layout(availWidth)) * self.style.leading
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        lines = self._layout(availWidth)
        fits = min(int(availHeight // self.style.leading), len(lines) - 2)  # no widow line
        if fits < 2:  # no orphan line either: move the block to the next page
            return []
        first = Text(self.runs, self.style.with_(space_after=0), _lines=lines[:fits])
        rest = Text(self.runs, self.style.with_(space_before=0), _lines=lines[fits:])
        return [first, rest]

    def emit(self, pen: Pen, x: float, top: float) -> None:
        pen.lines(self._layout(self.width), self.style, x + self.style.indent, top,
                  self.width - self.style.indent)

    def draw(self) -> None:
        pen = Pen(self.canv)
        self.emit(pen, 0, self.height)
        pen.finish()


class Row(Flowable):
    """A label and its value side by side (a form answer, a patient detail).

    Long values (a 4,000-character answer) split between lines across pages; the
    label stays with the first part.
    """

    def __init__(self, label: str, value: Content, label_style: TextStyle,
                 value_style: TextStyle, label_width: float, *, rule: Color | None = None,
                 _laid: tuple[list[Line], list[Line]] | None = None) -> None:
        super().__init__()
        self.label = label
        self.value = runs_of(value)
        self.label_style = label_style
        self.value_style = value_style
        self.label_width = label_width
        self.rule = rule
        self.spaceBefore = value_style.space_before
        self.spaceAfter = value_style.space_after
        self._laid = _laid
        self._laid_width = -1.0 if _laid is None else None

    @property
    def gap(self) -> float:
        return self.value_style.size

    def _layout(self, width: float) -> tuple[list[Line], list[Line]]:
        if self._laid_width is not None and self._laid_width != width:
            label_lines = layout_lines(runs_of(self.label, self.label_style.bold),
                                       self.label_style.size, self.label_width)
            value_lines = layout_lines(self.value, self.value_style.size,
                                       width - self.label_width - self.gap)
            self._laid = (label_lines, value_lines)
            self._laid_width = width
        assert self._laid is not None
        return self._laid

    def _height(self, laid: tuple[list[Line], list[Line]]) -> float:
        label_lines, value_lines = laid
        return max(len(label_lines) * self.label_style.leading,
                   len(value_lines) * self.value_style.leading)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = self._height(self._layout(availWidth))
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        label_lines, value_lines = self._layout(availWidth)
        fits = min(int(availHeight // self.value_style.leading), len(value_lines) - 2)
        if fits < max(2, len(label_lines)):
            return []
        first = Row(self.label, self.value, self.label_style, self.value_style.with_(space_after=0),
                    self.label_width, _laid=(label_lines, value_lines[:fits]))
        rest = Row("", self.value, self.label_style, self.value_style.with_(space_before=0),
                   self.label_width, rule=self.rule, _laid=([], value_lines[fits:]))
        return [first, rest]

    def emit(self, pen: Pen, x: float, top: float) -> None:
        label_lines, value_lines = self._layout(self.width)
        pen.lines(label_lines, self.label_style, x, top, self.label_width)
        value_x = self.label_width + self.gap
        pen.lines(value_lines, self.value_style, x + value_x, top, self.width - value_x)
        if self.rule is not None:
            pen.rule(x, top - self.height - self.value_style.space_after / 2, self.width,
                     self.rule)

    def draw(self) -> None:
        pen = Pen(self.canv)
        self.emit(pen, 0, self.height)
        pen.finish()


class Stack(Flowable):
    """Text and rows one under another, handled by the frame as one flowable.

    A letter section (a heading and its rows) is one ``Stack``: it splits between
    (or inside) rows at a page break, never leaving a heading alone at the foot
    of a page, and costs the page layout one flowable instead of dozens.
    ``keep_together`` moves the whole stack to the next page instead (a signature).
    """

    def __init__(self, items: Sequence[Text | Row], *, keep_together: bool = False) -> None:
        super().__init__()
        self.items = list(items)
        self.keep_together = keep_together
        self.spaceBefore = self.items[0].spaceBefore if self.items else 0
        self.spaceAfter = self.items[-1].spaceAfter if self.items else 0
        self._gaps: list[float] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self._gaps = []
        height = 0.0
        previous: Flowable | None = None
        for item in self.items:
            gap = 0.0 if previous is None else max(previous.spaceAfter, item.spaceBefore)
            item.wrap(availWidth, availHeight)
            self._gaps.append(gap)
            height += gap + item.height
            previous = item
        self.height = height
        return availWidth, height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        # kept together unless it is taller than a whole page (a very long name in a
        # signature): then it splits like any stack rather than stopping the letter
        if self.keep_together and not getattr(getattr(self, "_frame", None), "_atTop", False):
            return []
        self.wrap(availWidth, availHeight)
        used = 0.0
        for index, (item, gap) in enumerate(zip(self.items, self._gaps, strict=True)):
            if used + gap + item.height <= availHeight:
                used += gap + item.height
                continue
            parts = item.split(availWidth, availHeight - used - gap)
            head = self.items[:index] + parts[:1]
            tail = parts[1:] + self.items[index + 1:] if parts else self.items[index:]
            headings = [at for at, kept in enumerate(head) if kept.getKeepWithNext()]
            if headings and not parts and len(head) - headings[-1] - 1 < 2:
                tail = head[headings[-1]:] + tail  # a heading goes with two rows at least
                head = head[:headings[-1]]
            if not head:
                return []
            for part in parts:
                part.wrap(availWidth, availHeight)
            return [Stack(head), Stack(tail)]
        return [self]

    def emit(self, pen: Pen, x: float, top: float) -> None:
        for item, gap in zip(self.items, self._gaps, strict=True):
            top -= gap
            item.emit(pen, x, top)
            top -= item.height

    def draw(self) -> None:
        pen = Pen(self.canv)
        self.emit(pen, 0, self.height)
        pen.finish()
