"""Letters: make one for the open referral, reprint one, or chasers for the whole list.

The letter service renders and records every letter (and audits it); this
module saves the PDF where the user can find it and opens it in the letter
preview (:mod:`practice_rx.ui.letter_preview`), from which it is printed or
saved. Batches run off the GUI thread with a progress dialog that can be
cancelled; their letters can then all be printed to one printer, also off the
GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressDialog,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.letter_kinds import KIND_LABELS, LetterKind
from practice_rx.settings import data_dir
from practice_rx.storage.models import Referral
from practice_rx.ui import messages
from practice_rx.ui.formatting import moment
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import ERROR_COLOUR, hint, labelled

if TYPE_CHECKING:  # the preview (pypdfium2) and the letters (reportlab) load when first used
    from PySide6.QtPrintSupport import QPrinter

    from practice_rx.letters.service import GeneratedLetter
    from practice_rx.ui.letter_preview import LetterPreviewDialog

LETTER_ROLE = Qt.ItemDataRole.UserRole + 1


def letters_folder() -> Path:
    return data_dir() / "letters"


def save_pdf(pdf: bytes, filename: str, folder: Path | None = None) -> Path:
    folder = folder or letters_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_bytes(pdf)
    return path


def open_path(path: Path) -> None:
    """Show a folder of letters (or a PDF) in the system's file manager or viewer."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def preview(pdf: bytes, filename: str, parent: QWidget, title: str = "Letter"
            ) -> LetterPreviewDialog:
    """Open a letter in the preview, to print or save; it closes itself when done."""
    from practice_rx.ui.letter_preview import LetterPreviewDialog

    dialog = LetterPreviewDialog(pdf, filename, parent, title=title,
                                 save_folder=letters_folder())
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


class LettersPanel(QWidget):
    """The open referral's letters: make one, see those made, reprint one."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.referral: Referral | None = None
        self.kind = QComboBox()
        self.kind.setObjectName("letter_kind")
        self.make_button = QPushButton("&Make letter")
        self.make_button.setObjectName("make_letter")
        self.make_button.setAccessibleName("Make the letter and preview it")
        # until the referral is read: the kinds this role may make that need no casework
        self._offer([kind for kind in LetterKind
                     if not kind.casework and session.can(kind.action)])
        self.history = QTreeWidget()
        self.history.setObjectName("letter_history")
        self.history.setHeaderLabels(["When", "Letter", "Template"])
        self.history.setRootIsDecorated(False)
        self.history.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.reprint_button = QPushButton("Re&print")
        self.reprint_button.setObjectName("reprint_letter")
        self.reprint_button.setAccessibleName("Reprint the chosen letter exactly")
        self._records: dict[int, object] = {}
        self.preview: LetterPreviewDialog | None = None
        self.message = QLabel()
        self.message.setObjectName("letter_message")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Letters message")

        row = QHBoxLayout()
        row.addWidget(self.kind, 1)
        row.addWidget(self.make_button)
        layout = QVBoxLayout(self)
        layout.addWidget(labelled("Letter &kind:", self.kind, name="Kind of letter"))
        layout.addLayout(row)
        layout.addWidget(hint(f"Letters are saved in {letters_folder()} and shown to "
                              "print or save. Each one is recorded."))
        layout.addWidget(labelled("Letters made so far:", self.history,
                                  name="Letters made so far"))
        layout.addWidget(self.history, 1)
        reprint_row = QHBoxLayout()
        reprint_row.addStretch(1)
        reprint_row.addWidget(self.reprint_button)
        layout.addLayout(reprint_row)
        layout.addWidget(self.message)
        self.make_button.clicked.connect(self.make)
        self.reprint_button.clicked.connect(self.reprint)

    def set_referral(self, referral: Referral) -> None:
        if self.referral is None or self.referral.id != referral.id:
            self.message.clear()
        self.referral = referral
        self.refresh()

    def refresh(self) -> None:
        if self.referral is None:
            return
        referral_id = self.referral.id
        services, user_id = self.session.services, self.session.user.id

        def read():
            names = {user.id: user.display_name for user in services.users.list()}
            return [(letter, names.get(letter.created_by_id, ""))
                    for letter in services.letters.history(user_id, referral_id)], \
                services.letters.available(user_id, referral_id)

        def done(result) -> None:
            letters, kinds = result
            if self.referral is None or self.referral.id != referral_id:
                return
            self._offer(kinds)
            self.history.clear()
            self._records = {letter.id: letter for letter, _ in letters}
            for letter, who in letters:
                kind = KIND_LABELS.get(LetterKind(letter.kind), letter.kind) \
                    if letter.kind in LetterKind._value2member_map_ else letter.kind
                item = QTreeWidgetItem([f"{moment(letter.created_at)} · {who}", kind,
                                        f"{letter.template_id} v{letter.template_version}"])
                item.setData(0, LETTER_ROLE, letter.id)
                self.history.addTopLevelItem(item)
            if self.history.topLevelItemCount():
                self.history.setCurrentItem(self.history.topLevelItem(0))
            self.reprint_button.setEnabled(self.history.topLevelItemCount() > 0)

        self.session.operations.run(read, done=done, failed=self._failed, owner=self,
                                    message="Reading the letters…")

    def _offer(self, kinds: list[LetterKind]) -> None:
        """Only the kinds this user may make for this referral now (the casework letters
        need the case summary permission and an agreed plan or a closed case)."""
        chosen = self.kind.currentData()
        self.kind.clear()
        for kind in kinds:
            self.kind.addItem(KIND_LABELS[kind], kind.value)
        if chosen is not None and self.kind.findData(chosen) >= 0:
            self.kind.setCurrentIndex(self.kind.findData(chosen))
        self.make_button.setEnabled(self.kind.count() > 0)

    def _say(self, text: str, ok: bool = True) -> None:
        self.message.setStyleSheet("" if ok else f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.message.setText(text if ok else f"Problem: {text}")

    def _failed(self, error: Exception) -> None:
        self.make_button.setEnabled(True)
        self._say(messages.describe(error)[1], ok=False)

    def make(self) -> None:
        if self.referral is None:
            return
        self.make_button.setEnabled(False)
        kind = self.kind.currentData()

        def work():
            letter = self.session.services.letters.generate(self.session.user.id,
                                                            referral_id, kind)
            save_pdf(letter.pdf, letter.filename)
            return letter

        referral_id = self.referral.id
        self.session.operations.run(work, done=self._made, failed=self._failed, owner=self,
                                    message="Making the letter…")

    def _title(self, kind: str) -> str:
        return KIND_LABELS[LetterKind(kind)] if kind in LetterKind._value2member_map_ \
            else "Letter"

    def _made(self, letter: GeneratedLetter) -> None:
        self.make_button.setEnabled(True)
        self._say(f"Made and saved {letter.filename}; it is open to print or save.")
        self.preview = preview(letter.pdf, letter.filename, self,
                               self._title(letter.record.kind))
        self.refresh()

    def reprint(self) -> None:
        item = self.history.currentItem()
        if item is None:
            return
        letter_id = item.data(0, LETTER_ROLE)
        record = self._records.get(letter_id)

        def work():
            from practice_rx.letters.service import GeneratedLetter  # reportlab: on demand

            pdf = self.session.services.letters.reprint(self.session.user.id, letter_id)
            filename = GeneratedLetter(pdf, record).filename if record is not None \
                else f"PRX-letter-{letter_id}.pdf"
            save_pdf(pdf, filename.removesuffix(".pdf") + "-reprint.pdf")
            return pdf, filename

        def done(result: tuple[bytes, str]) -> None:
            pdf, filename = result
            self._say(f"Reprinted exactly as first printed: {filename}")
            kind = self._title(record.kind) if record is not None else "Letter"
            self.preview = preview(pdf, filename, self, f"{kind} (reprint)")

        self.session.operations.run(work, done=done, failed=self._failed, owner=self,
                                    message="Reprinting the letter…")


class _Progress(QObject):
    """Carries a batch's progress from the worker thread to the GUI thread."""

    advanced = Signal(int, int)


def chaser_batch(session: Session, referral_ids: list[int], listed_at: datetime,
                 parent: QWidget, finished: Callable[[str], None] | None = None
                 ) -> QProgressDialog:
    """Chaser letters for the referrals chosen in the chase list, with a progress dialog.

    The chasing service records each letter as a chase and leaves out, with the
    reason, any referral answered or chased by someone else since ``listed_at``.
    """
    progress = _Progress(parent)
    dialog = QProgressDialog("Making chaser letters…", "Cancel", 0, 0, parent)
    dialog.setObjectName("batch_progress")
    dialog.setWindowTitle("Chaser letters")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAccessibleName("Chaser letters progress")
    progress.advanced.connect(lambda done, total: (dialog.setMaximum(total),
                                                    dialog.setValue(done)))
    services, user_id = session.services, session.user.id
    cancelled = {"yes": False}
    dialog.canceled.connect(lambda: cancelled.update(yes=True))
    folder = letters_folder() / f"chasers-{datetime.now():%Y-%m-%d-%H%M%S}"

    def work():
        items = services.chasing.make_letters(user_id, referral_ids, listed_at,
                                              progress=progress.advanced.emit,
                                              cancelled=lambda: cancelled["yes"])
        saved = [save_pdf(item.letter.pdf, item.letter.filename, folder)
                 for item in items if item.letter is not None]
        problems = [f"referral {item.referral_id}: {item.error}" for item in items if item.error]
        return saved, problems

    def done(result) -> None:
        dialog.reset()
        saved, problems = result
        text = f"{len(saved)} chaser letter{'s' if len(saved) != 1 else ''} saved in {folder}."
        if cancelled["yes"]:
            text = "Stopped. " + text
        if problems:
            text += f" {len(problems)} not made: " + "; ".join(problems[:5])
            text += " …" if len(problems) > 5 else ""
        if saved:
            BatchResultDialog(session, saved, folder, text, parent, title="Chaser letters").show()
        if finished is not None:
            finished(text)

    def failed(error: Exception) -> None:
        dialog.reset()
        messages.show_error(parent, error)

    session.operations.run(work, done=done, failed=failed, owner=parent,
                           message="Making chaser letters…")
    return dialog


class BatchResultDialog(QDialog):
    """A batch's outcome, with its letters to print all at once or find in their folder."""

    def __init__(self, session: Session, paths: list[Path], folder: Path, text: str,
                 parent: QWidget, title: str = "Letters") -> None:
        super().__init__(parent)
        self.session = session
        self.paths = paths
        self.folder = folder
        self.title = title
        self.setObjectName("batch_result")
        self.setWindowTitle(title)
        self.setAccessibleName(f"{title} made")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.summary = QLabel(text)
        self.summary.setObjectName("batch_summary")
        self.summary.setAccessibleName("What the batch made")
        self.summary.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("batch_message")
        self.message.setAccessibleName("Printing message")
        self.message.setWordWrap(True)
        self.print_button = QPushButton("&Print all…")
        self.print_button.setObjectName("print_all")
        self.print_button.setAccessibleName(f"Print all {len(paths)} letters on one printer")
        self.folder_button = QPushButton("Open &folder")
        self.folder_button.setObjectName("open_letters_folder")
        self.folder_button.setAccessibleName("Open the folder the letters are saved in")
        self.close_button = QPushButton("&Close")
        self.close_button.setObjectName("close_batch")
        self.close_button.setAccessibleName("Close")
        buttons = QDialogButtonBox()
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.print_button.clicked.connect(self.print_all)
        self.folder_button.clicked.connect(lambda: open_path(self.folder))
        self.close_button.clicked.connect(self.reject)
        self.print_button.setDefault(True)
        self.progress: QProgressDialog | None = None

    def print_all(self) -> QProgressDialog | None:
        from practice_rx.ui.letter_preview import choose_printer

        first = self.paths[0].read_bytes() if self.paths else None
        printer = choose_printer(self, first, f"Print all {self.title.lower()}")
        if printer is None:
            return None
        self.print_button.setEnabled(False)
        self.message.setText("Printing…")

        def finished(text: str, ok: bool) -> None:
            self.print_button.setEnabled(True)
            self.message.setStyleSheet("" if ok else f"color: {ERROR_COLOUR}; font-weight: bold;")
            self.message.setText(text if ok else f"Problem: {text}")

        self.progress = print_batch(self.session, self.paths, printer, self, finished,
                                    self.title)
        return self.progress


def print_batch(session: Session, paths: list[Path], printer: QPrinter, parent: QWidget,
                finished: Callable[[str, bool], None], title: str = "Letters"
                ) -> QProgressDialog:
    """Print the PDFs at ``paths`` as one job on ``printer``, off the GUI thread.

    A progress dialog counts the letters; Cancel stops after the letter being
    printed (those already sent stay sent). ``finished(text, ok)`` says how it went.
    """
    progress = _Progress(parent)
    dialog = QProgressDialog(f"Printing {title.lower()}…", "Cancel", 0, len(paths), parent)
    dialog.setObjectName("print_progress")
    dialog.setWindowTitle(f"Printing {title.lower()}")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAccessibleName(f"Printing {title.lower()} progress")
    progress.advanced.connect(lambda done, total: dialog.setValue(done))
    cancelled = {"yes": False}
    dialog.canceled.connect(lambda: cancelled.update(yes=True))
    printer.setDocName(title)

    from practice_rx.ui.letter_preview import PrintJob

    def work():
        letters = pages = 0
        with PrintJob(printer) as job:
            for path in paths:
                if cancelled["yes"]:
                    break
                pages += job.add(path.read_bytes())
                letters += 1
                progress.advanced.emit(letters, len(paths))
        return letters, pages

    def done(result: tuple[int, int]) -> None:
        dialog.reset()
        letters, pages = result
        text = (f"Printed {letters} letter{'s' if letters != 1 else ''} "
                f"({pages} page{'s' if pages != 1 else ''}) on "
                f"{printer.printerName() or printer.outputFileName() or 'the printer'}.")
        if cancelled["yes"] and letters < len(paths):
            text = f"Stopped. {text} {len(paths) - letters} not printed."
        finished(text, True)

    def failed(error: Exception) -> None:
        dialog.reset()
        finished(str(error) if isinstance(error, OSError) else messages.describe(error)[1],
                 False)

    # the printer lives until the work is done: the closures hold it
    session.operations.run(work, done=done, failed=failed, owner=parent,
                           message=f"Printing {title.lower()}…")
    return dialog
