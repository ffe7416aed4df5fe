"""The letter preview: pages rendered with pypdfium2, printed through QPrinter, saved as PDF."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QLabel, QPushButton

from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.ui import letter_preview
from practice_rx.ui.letter_preview import LetterPreviewDialog, print_pdf, render_pages
from tests.ui.helpers import settle, top_level


def a_referral(services, user_id: int) -> int:
    return services.worklist.page(user_id, WorklistQuery(
        WorklistFilter(statuses=frozenset({"sent"})))).rows[0].id


@pytest.fixture
def letter(demo_core):
    """A recorded referral letter for a demo referral."""
    services = demo_core.services
    user = services.users.ensure("dr.patel", "dr.patel", "clinician")
    return services.letters.generate(user.id, a_referral(services, user.id), "referral")


def dark_fraction(image) -> float:
    small = image.scaledToWidth(200)
    dark = sum(1 for y in range(small.height()) for x in range(small.width())
               if small.pixelColor(x, y).lightness() < 100)
    return dark / (small.width() * small.height())


def test_pages_render_as_a4_with_ink(letter, qapp):
    pages = render_pages(letter.pdf, 96)
    assert len(pages) == len(PdfReader(io.BytesIO(letter.pdf)).pages) >= 1
    for page in pages:
        assert page.height() / page.width() == pytest.approx(2 ** 0.5, abs=0.01)
        assert page.width() == pytest.approx(210 / 25.4 * 96, abs=2)
    first = pages[0]
    assert first.pixelColor(2, 2).lightness() > 240  # white paper
    assert 0.002 < dark_fraction(first) < 0.5  # and writing on it


def test_print_pdf_to_a_pdf_printer(letter, qapp, tmp_path):
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    pages = print_pdf(letter.pdf, printer)
    expected = len(render_pages(letter.pdf, 36))
    assert pages == expected
    printed = PdfReader(out)
    assert len(printed.pages) == expected
    box = printed.pages[0].mediabox
    assert float(box.height) / float(box.width) == pytest.approx(2 ** 0.5, abs=0.01)


def test_preview_after_make_letter_saves_and_prints(window, qtbot, tmp_path, monkeypatch):
    session = window.session
    window.detail.show_referral(a_referral(session.services, session.user.id))
    settle(qtbot, session)
    panel = window.detail.letters
    panel.kind.setCurrentIndex(panel.kind.findData("referral"))
    panel.findChild(QPushButton, "make_letter").click()
    settle(qtbot, session)
    dialog = top_level(LetterPreviewDialog, "letter_preview")
    assert dialog is not None
    qtbot.waitExposed(dialog)
    record = session.services.letters.history(session.user.id, panel.referral.id)[0]
    pages = len(PdfReader(io.BytesIO(dialog.pdf)).pages)
    labels = [label for label in dialog.findChildren(QLabel)
              if label.objectName().startswith("letter_page_")]
    assert len(labels) == pages
    assert all(not label.pixmap().isNull() for label in labels)
    assert labels[0].accessibleName() == f"Page 1 of {pages}"
    for button in ("print_letter", "save_letter_pdf", "close_preview"):
        assert dialog.findChild(QPushButton, button).accessibleName()

    # Save as PDF: the exact bytes recorded
    asked = {}

    def save_name(parent, caption, start, filters):
        asked["start"] = start
        return str(tmp_path / "copy"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
    dialog.findChild(QPushButton, "save_letter_pdf").click()
    assert asked["start"].endswith(dialog.filename)
    saved = tmp_path / "copy.pdf"
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == record.sha256

    # Print…: the native dialog (answered 'to this file'), then every page
    out = tmp_path / "printed.pdf"

    def exec_(print_dialog):
        print_dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        print_dialog.printer().setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", exec_)
    dialog.findChild(QPushButton, "print_letter").click()
    assert out.exists() and len(PdfReader(out).pages) == pages
    assert f"Sent {pages} page" in dialog.message.text()

    # cancelling the print dialog prints nothing
    out.unlink()
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert dialog.print_letter() == 0 and not out.exists()

    dialog.findChild(QPushButton, "close_preview").click()
    assert not dialog.isVisible()


def test_preview_fits_a_narrow_dialog(letter, qtbot):
    dialog = LetterPreviewDialog(letter.pdf, letter.filename)
    qtbot.addWidget(dialog)
    dialog.resize(400, 500)
    dialog.show()
    qtbot.waitExposed(dialog)
    label = dialog.findChild(QLabel, "letter_page_1")
    assert label.width() <= dialog.scroll.viewport().width()
    assert label.height() / label.width() == pytest.approx(2 ** 0.5, abs=0.02)
    assert letter_preview.PREVIEW_DPI == 96
