"""Reading generated letters back: their text, and the size of each piece of text."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pypdf import PdfReader


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def text_of(pdf: bytes) -> str:
    """All pages' text with runs of white space made single spaces (lines re-wrap)."""
    return re.sub(r"\s+", " ", " ".join(page_texts(pdf)))


@dataclass(frozen=True)
class Piece:
    text: str
    size: float


def sized_text(pdf: bytes) -> list[Piece]:
    """Each piece of text on every page with its font size in points."""
    pieces: list[Piece] = []
    for page in reader(pdf).pages:
        def visit(text, cm, tm, font_dict, font_size):
            if text.strip():
                scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
                pieces.append(Piece(text.strip(), round(font_size * scale, 2)))
        page.extract_text(visitor_text=visit)
    return pieces
