"""The letter typeface: DejaVu Sans, shipped with PracticeRx and embedded in every PDF.

A shipped TrueType font makes a letter look the same on every workstation and
printer, and covers accented names (Zoë, Łukasz, Siobhán) that the PDF base
fonts cannot show. All four faces are registered as one family so ``<b>`` and
``<i>`` work in any ``Paragraph`` a plugin template uses.
"""

from __future__ import annotations

import threading
import zlib
from typing import Any

from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

from practice_rx.letters.resources import font_path

FAMILY = "PracticeRxSans"
REGULAR = FAMILY
BOLD = f"{FAMILY}-Bold"
ITALIC = f"{FAMILY}-Italic"
BOLD_ITALIC = f"{FAMILY}-BoldItalic"

# Characters beyond ASCII that letters commonly use, given subset codes in this fixed
# order at the start of every document: then nearly every letter embeds the same
# font subset, which is made and compressed once per process (see _CachingFace).
PRIMER = "\u2013\u2022\u2018\u2019\u201c\u201d\u00e9\u00a3"
_SUBSET_CACHE_SIZE = 64

_FACES = {REGULAR: "regular", BOLD: "bold", ITALIC: "italic", BOLD_ITALIC: "bold_italic"}
_lock = threading.Lock()
_registered = False


def register_fonts() -> str:
    """Register the family with reportlab once per process; returns the family name."""
    global _registered
    if _registered:
        return FAMILY
    with _lock:
        if not _registered:
            # Each document is built with invariant=1; this also covers anything that reads
            # the global setting (the same inputs must always give the same bytes).
            rl_config.invariant = 1
            for name, face in _FACES.items():
                pdfmetrics.registerFont(_LetterFont(name, str(font_path(face))))
            addMapping(FAMILY, 0, 0, REGULAR)
            addMapping(FAMILY, 1, 0, BOLD)
            addMapping(FAMILY, 0, 1, ITALIC)
            addMapping(FAMILY, 1, 1, BOLD_ITALIC)
            _registered = True
    return FAMILY


def prime(canv: Any) -> None:
    """Give the common non-ASCII characters their subset codes before any text is drawn."""
    doc = canv._doc
    for name in _FACES:
        pdfmetrics.getFont(name).splitString(PRIMER, doc)


class _PrecompressedFlate:
    """A FlateDecode stream filter for bytes that were compressed already (a cached subset)."""

    pdfname = "FlateDecode"

    @staticmethod
    def encode(data: bytes) -> bytes:
        return data

    @staticmethod
    def decode(data: bytes) -> bytes:
        return zlib.decompress(data)


class _Formatted(pdfdoc.PDFObject):
    """A PDF value formatted once and reused as it is (a subset's widths array)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        return self.data


class _LetterFont(TTFont):
    """DejaVu Sans with its per-document work cached (see :class:`_CachingFace`)."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self.face.__class__ = _CachingFace
        self.face._subsets = {}
        self.face._widths = {}

    def splitString(self, text: str, doc: Any,  # noqa: N802 (reportlab's name)
                    encoding: str = "utf-8") -> list[tuple[int, bytes]]:
        """Printable ASCII straight to subset 0, where every document's state has it already.

        Most of a letter's text is ASCII; reportlab's loop over each character to
        find its code was a tenth of the letter. Any other text goes through it.
        """
        if text.isascii() and text.isprintable() and doc in self.state:
            return [(0, text.encode("ascii"))] if text else []
        return super().splitString(text, doc, encoding)

    def addObjects(self, doc: Any) -> None:  # noqa: N802 (reportlab's name)
        state = self.state.get(doc)
        subsets = [list(subset) for subset in state.subsets] if state is not None else []
        names = [self.getSubsetInternalName(number, doc)[1:] for number in range(len(subsets))]
        super().addObjects(doc)
        fonts = doc.idToObject["BasicFonts"].dict
        for name, subset in zip(names, subsets, strict=True):
            pdf_font = fonts.get(name)
            if pdf_font is not None:
                pdf_font.Widths = self.face.widths(subset, doc)


class _CachingFace(TTFontFace):
    """A font face that makes and compresses each distinct glyph subset once per process.

    Building a TrueType subset and compressing it is a third of the time a
    letter takes, and with :func:`prime` almost every letter needs the same
    subset. The bytes are a pure function of the subset, so caching them
    changes nothing in the output.
    """

    _subsets: dict[tuple[int, ...], tuple[bytes, bytes]]
    _widths: dict[tuple[int, ...], _Formatted]

    def widths(self, subset: list[int], doc: Any) -> _Formatted:
        key = tuple(subset)
        cached = self._widths.get(key)
        if cached is None:
            array = pdfdoc.PDFArray([self.getCharWidth(code) for code in subset])
            cached = _Formatted(array.format(doc))
            if len(self._widths) >= _SUBSET_CACHE_SIZE:
                self._widths.clear()
            self._widths[key] = cached
        return cached

    def _cached(self, subset: list[int]) -> tuple[bytes, bytes]:
        key = tuple(subset)
        cached = self._subsets.get(key)
        if cached is None:
            raw = TTFontFace.makeSubset(self, subset)
            cached = (raw, zlib.compress(raw))
            if len(self._subsets) >= _SUBSET_CACHE_SIZE:
                self._subsets.clear()
            self._subsets[key] = cached
        return cached

    def makeSubset(self, subset: list[int]) -> bytes:  # noqa: N802 (reportlab's name)
        return self._cached(subset)[0]

    def addSubsetObjects(self, doc: Any, fontname: str, subset: list[int]) -> Any:  # noqa: N802
        reference = TTFontFace.addSubsetObjects(self, doc, fontname, subset)
        stream = doc.idToObject.get(f"fontFile:{self.filename}({fontname})")
        if doc.compression and stream is not None and stream.filters:
            stream.content = self._cached(subset)[1]
            stream.filters = [_PrecompressedFlate]
        return reference
