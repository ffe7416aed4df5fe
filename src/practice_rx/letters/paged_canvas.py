"""What letters and the report PDF share about rendering: "Page N of M", and one lock.

reportlab keeps per-document font state in the shared font objects, so only one PDF
is rendered at a time in the process (a letter batch in a worker thread, a preview
on the GUI thread and a report export take turns) under :data:`RENDER_LOCK`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from reportlab.pdfgen.canvas import Canvas

from practice_rx.letters import fonts

RENDER_LOCK = threading.Lock()

#: draws a page's footer: (canvas, page number, page count)
Footer = Callable[[Canvas, int, int], None]


class PagedCanvas(Canvas):
    """Keeps finished pages until ``save`` so each footer can say "Page N of M"."""

    def __init__(self, *args: object, footer: Footer, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._footer = footer
        self._held_pages: list[dict[str, object]] = []
        fonts.prime(self)

    def showPage(self) -> None:  # reportlab's name
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self._footer(self, number, total)
            Canvas.showPage(self)
        Canvas.save(self)
