"""Letters from the referral view, and chasers for the whole chase list with progress."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton

from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.ui import letters_view
from practice_rx.ui.letter_preview import LetterPreviewDialog
from practice_rx.ui.worklist_filters import OVERDUE
from tests.ui.helpers import settle, top_level


@pytest.fixture
def opened_files(monkeypatch):
    opened = []
    monkeypatch.setattr(letters_view, "open_path", opened.append)
    return opened


def print_to_file(monkeypatch, path):
    """The native print dialog, answered at once: 'print to this PDF file'."""

    def exec_(dialog):
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(path))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", exec_)


def test_make_and_reprint_a_letter(window, qtbot, opened_files):
    session = window.session
    row = session.services.worklist.page(session.user.id, WorklistQuery(
        WorklistFilter(statuses=frozenset({"sent"})))).rows[0]
    window.detail.show_referral(row.id)
    settle(qtbot, session)
    panel = window.detail.letters
    panel.kind.setCurrentIndex(panel.kind.findData("chaser"))
    panel.findChild(QPushButton, "make_letter").click()
    settle(qtbot, session)
    assert "saved PRX-" in panel.message.text(), panel.message.text()
    made = top_level(LetterPreviewDialog, "letter_preview")
    assert made is not None and made.pdf.startswith(b"%PDF")
    saved = letters_view.letters_folder() / made.filename
    assert saved.read_bytes() == made.pdf
    assert opened_files == []
    assert panel.history.topLevelItemCount() == 1
    assert "Chaser" in panel.history.topLevelItem(0).text(1)
    made.close()

    panel.reprint()
    settle(qtbot, session)
    again = top_level(LetterPreviewDialog, "letter_preview")
    assert again is not None and again is not made
    assert again.pdf == saved.read_bytes()
    assert again.filename == made.filename
    assert "exactly" in panel.message.text()
    again.close()


def test_chaser_letters_for_the_chase_list(window, qtbot, opened_files, tmp_path,
                                           monkeypatch):
    session = window.session
    window.sidebar.statuses.choose(OVERDUE)
    settle(qtbot, session)
    overdue = window.worklist.model.total
    choice = window.chaser_letters()
    settle(qtbot, session)
    assert choice.model.rowCount() == overdue and len(choice.model.chosen()) == overdue
    choice.make().button(QMessageBox.StandardButton.Yes).click()
    settle(qtbot, session)
    assert f"{overdue} chaser letters saved" in window.statusBar().currentMessage()
    result = top_level(letters_view.BatchResultDialog, "batch_result")
    assert result is not None
    assert len(list(result.folder.glob("*.pdf"))) == overdue == len(result.paths)
    result.findChild(QPushButton, "open_letters_folder").click()
    assert opened_files == [result.folder]

    out = tmp_path / "all.pdf"
    print_to_file(monkeypatch, out)
    result.findChild(QPushButton, "print_all").click()
    assert result.progress is not None and result.progress.objectName() == "print_progress"
    settle(qtbot, session, timeout=60_000)
    pages = sum(len(PdfReader(path).pages) for path in result.paths)
    assert len(PdfReader(out).pages) == pages
    assert f"Printed {overdue} letters ({pages} pages)" in result.message.text()
    result.close()


def test_printing_all_can_be_cancelled(window, qtbot, tmp_path, monkeypatch):
    session = window.session
    window.sidebar.statuses.choose(OVERDUE)
    settle(qtbot, session)
    choice = window.chaser_letters()
    settle(qtbot, session)
    choice.make().button(QMessageBox.StandardButton.Yes).click()
    settle(qtbot, session)
    result = top_level(letters_view.BatchResultDialog, "batch_result")
    assert result is not None and len(result.paths) > 1
    print_to_file(monkeypatch, tmp_path / "some.pdf")
    progress = result.print_all()
    progress.findChild(QPushButton).click()  # Cancel, as soon as printing starts
    settle(qtbot, session, timeout=60_000)
    assert result.message.text().startswith("Stopped."), result.message.text()
    result.close()
