"""Letters on screen and on paper: render a PDF's pages (pypdfium2), preview, print, save.

Pages are rendered to :class:`QImage` with pypdfium2 (no PIL), shown in a
scrolling dialog, and printed by painting each page image at the printer's
resolution (capped at 300 dpi) onto the printer's page. Rendering and
printing are Qt-GUI-free apart from QImage/QPainter/QPrinter, so a batch can
print from a worker thread. PDFium is not thread-safe: every use of it holds
:data:`_PDFIUM_LOCK`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Self

import pypdfium2 as pdfium
from PySide6.QtCore import QEvent, QRectF, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.widgets import ERROR_COLOUR

PREVIEW_DPI = 96
PRINT_DPI_CAP = 300
_PDFIUM_LOCK = threading.RLock()


# -- rendering --------------------------------------------------------------------------


def _page_image(page: pdfium.PdfPage, dpi: float) -> QImage:
    bitmap = page.render(scale=dpi / 72, prefer_bgrx=True, rev_byteorder=True)
    try:
        image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                       QImage.Format.Format_RGBX8888)
        return image.copy()  # owns its memory: the bitmap's buffer goes with the bitmap
    finally:
        bitmap.close()


def iter_pages(pdf: bytes, dpi: float) -> Iterable[QImage]:
    """Each page of ``pdf`` as an image at ``dpi``, one at a time (a long letter stays small)."""
    with _PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf)
        count = len(document)
    try:
        for index in range(count):
            with _PDFIUM_LOCK:
                page = document[index]
                try:
                    image = _page_image(page, dpi)
                finally:
                    page.close()
            yield image
    finally:
        with _PDFIUM_LOCK:
            document.close()


def render_pages(pdf: bytes, dpi: int) -> list[QImage]:
    """Every page of ``pdf`` as an RGB image at ``dpi`` dots per inch."""
    return list(iter_pages(pdf, dpi))


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's (width, height) in points."""
    with _PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf)
        try:
            return [document.get_page_size(index) for index in range(len(document))]
        finally:
            document.close()


# -- printing ---------------------------------------------------------------------------


class PrintJob:
    """One print job on ``printer``: PDFs added one after another, a new sheet per page.

    Usable from a worker thread (QPainter on a QPrinter is allowed there). Use as
    a context manager; :meth:`add` returns the pages printed for that PDF.
    """

    def __init__(self, printer: QPrinter) -> None:
        self.printer = printer
        self.painter = QPainter()
        self.pages = 0

    def __enter__(self) -> Self:
        self.printer.setFullPage(True)  # letters carry their own margins
        if not self.painter.begin(self.printer):
            raise OSError("The printer could not be started. Check it is on and connected.")
        self.painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        return self

    def __exit__(self, *exc) -> None:
        if self.painter.isActive():
            self.painter.end()

    def add(self, pdf: bytes) -> int:
        dpi = max(72, min(self.printer.resolution(), PRINT_DPI_CAP))
        printed = 0
        for image in iter_pages(pdf, dpi):
            if self.pages and not self.printer.newPage():
                raise OSError("The printer would not start a new page.")
            self.painter.drawImage(self._target(image), image)
            self.pages += 1
            printed += 1
        return printed

    def _target(self, image: QImage) -> QRectF:
        """The whole sheet, keeping the page's shape, centred."""
        sheet = self.printer.pageLayout().fullRectPixels(self.printer.resolution())
        scale = min(sheet.width() / image.width(), sheet.height() / image.height())
        width, height = image.width() * scale, image.height() * scale
        return QRectF((sheet.width() - width) / 2, (sheet.height() - height) / 2,
                      width, height)


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Print every page of ``pdf`` on ``printer``; the number of pages printed."""
    with PrintJob(printer) as job:
        return job.add(pdf)


def match_paper(printer: QPrinter, pdf: bytes) -> None:
    """Start the printer on the letter's paper size (A4), portrait."""
    sizes = page_sizes(pdf)
    if sizes:
        width, height = sizes[0]
        printer.setPageSize(QPageSize(QSizeF(width, height), QPageSize.Unit.Point,
                                      "", QPageSize.SizeMatchPolicy.FuzzyMatch))
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)


def choose_printer(parent: QWidget | None, pdf: bytes | None = None,
                   title: str = "Print") -> QPrinter | None:
    """The native print dialog; the printer chosen, or None when the user cancels."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if pdf is not None:
        match_paper(printer, pdf)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    dialog.setAccessibleName(title)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.printer()


# -- the preview dialog -----------------------------------------------------------------


class LetterPreviewDialog(QDialog):
    """A letter's pages on screen, with Print…, Save as PDF… and Close."""

    def __init__(self, pdf: bytes, filename: str, parent: QWidget | None = None,
                 title: str = "Letter", save_folder: Path | None = None,
                 printed: Callable[[int], None] | None = None) -> None:
        super().__init__(parent)
        self.pdf = pdf
        self.filename = filename
        self.save_folder = save_folder
        self.printed = printed
        self.setObjectName("letter_preview")
        self.setWindowTitle(f"{title} — {filename}")
        self.setAccessibleName(f"Preview of {title.lower()}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        self.images = render_pages(pdf, round(PREVIEW_DPI * self.devicePixelRatioF()))
        self.pages: list[QLabel] = []
        self._room = 0.0
        holder = QWidget()
        holder.setObjectName("letter_pages")
        holder.setStyleSheet("#letter_pages { background: #8a8f94; }")
        column = QVBoxLayout(holder)
        column.setSpacing(12)
        column.setContentsMargins(12, 12, 12, 12)
        for number, image in enumerate(self.images, 1):
            page = QLabel()
            page.setObjectName(f"letter_page_{number}")
            page.setAccessibleName(f"Page {number} of {len(self.images)}")
            page.setAlignment(Qt.AlignmentFlag.AlignCenter)
            page.setStyleSheet("background: white;")
            column.addWidget(page, 0, Qt.AlignmentFlag.AlignHCenter)
            self.pages.append(page)
        column.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("letter_scroll")
        self.scroll.setAccessibleName("Letter pages")
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(holder)

        self.message = QLabel()
        self.message.setObjectName("preview_message")
        self.message.setAccessibleName("Preview message")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.print_button = QPushButton("&Print…")
        self.print_button.setObjectName("print_letter")
        self.print_button.setAccessibleName("Print the letter")
        self.save_button = QPushButton("&Save as PDF…")
        self.save_button.setObjectName("save_letter_pdf")
        self.save_button.setAccessibleName("Save the letter as a PDF file")
        self.close_button = QPushButton("&Close")
        self.close_button.setObjectName("close_preview")
        self.close_button.setAccessibleName("Close the preview")
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.print_button.clicked.connect(self.print_letter)
        self.save_button.clicked.connect(self.save_as_pdf)
        self.close_button.clicked.connect(self.reject)
        self.print_button.setDefault(True)

        page_width = self.images[0].width() / self.devicePixelRatioF() if self.images else 800
        size = QSizeF(page_width + 70, page_width * 1.2).toSize()
        open_size(self, size.width(), size.height())
        self.scroll.viewport().installEventFilter(self)
        self._fit_pages()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_pages()
        return super().eventFilter(watched, event)

    def _fit_pages(self) -> None:
        """Pages at 96 dpi, made smaller when the dialog is narrower than a page."""
        ratio = self.devicePixelRatioF()
        room = max(200, self.scroll.viewport().width() - 24) * ratio
        if room == self._room:
            return
        self._room = room
        for page, image in zip(self.pages, self.images, strict=True):
            if image.width() > room:
                image = image.scaledToWidth(int(room), Qt.TransformationMode.SmoothTransformation)
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(ratio)
            page.setPixmap(pixmap)
            page.setFixedSize(pixmap.deviceIndependentSize().toSize())

    def _say(self, text: str, ok: bool = True) -> None:
        self.message.setStyleSheet("" if ok else f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.message.setText(text if ok else f"Problem: {text}")

    def print_letter(self) -> int:
        printer = choose_printer(self, self.pdf, "Print the letter")
        if printer is None:
            return 0
        printer.setDocName(self.filename)
        try:
            pages = print_pdf(self.pdf, printer)
        except OSError as error:
            self._say(str(error), ok=False)
            return 0
        where = printer.printerName() or printer.outputFileName() or "the printer"
        self._say(f"Sent {pages} page{'s' if pages != 1 else ''} to {where}.")
        if self.printed is not None:
            self.printed(pages)
        return pages

    def save_as_pdf(self) -> Path | None:
        folder = self.save_folder or Path.home()
        name, _ = QFileDialog.getSaveFileName(self, "Save the letter as PDF",
                                              str(folder / self.filename), "PDF files (*.pdf)")
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            path.write_bytes(self.pdf)
        except OSError as error:
            self._say(f"Could not save {path}: {error.strerror or error}", ok=False)
            return None
        self._say(f"Saved {path}.")
        return path
