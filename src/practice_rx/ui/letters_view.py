"""Letters: make one for the open referral, reprint one, or chasers for the whole list.

The letter service renders and records every letter (and audits it); this
module only saves the PDF where the user can find it and opens it in the
system's PDF viewer, from which it is printed. Batches run off the GUI thread
with a progress dialog that can be cancelled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
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
from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.settings import data_dir
from practice_rx.storage.models import Referral
from practice_rx.ui import messages
from practice_rx.ui.formatting import moment
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import ERROR_COLOUR, hint, labelled

BATCH_LIMIT = 500
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
    """Show a PDF (or a folder of them) in the system's viewer, to read or print."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class LettersPanel(QWidget):
    """The open referral's letters: make one, see those made, reprint one."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.referral: Referral | None = None
        self.kind = QComboBox()
        self.kind.setObjectName("letter_kind")
        for kind in LetterKind:
            self.kind.addItem(KIND_LABELS[kind], kind.value)
        self.make_button = QPushButton("&Make letter")
        self.make_button.setObjectName("make_letter")
        self.make_button.setAccessibleName("Make the letter and open it")
        self.history = QTreeWidget()
        self.history.setObjectName("letter_history")
        self.history.setHeaderLabels(["When", "Letter", "Template"])
        self.history.setRootIsDecorated(False)
        self.history.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.reprint_button = QPushButton("Reprint")
        self.reprint_button.setObjectName("reprint_letter")
        self.reprint_button.setAccessibleName("Reprint the chosen letter exactly")
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
        layout.addWidget(hint(f"Letters are saved in {letters_folder()} and opened for "
                              "printing. Each one is recorded."))
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
                    for letter in services.letters.history(user_id, referral_id)]

        def done(letters) -> None:
            if self.referral is None or self.referral.id != referral_id:
                return
            self.history.clear()
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
            return save_pdf(letter.pdf, letter.filename)

        referral_id = self.referral.id
        self.session.operations.run(work, done=self._made, failed=self._failed, owner=self,
                                    message="Making the letter…")

    def _made(self, path: Path) -> None:
        self.make_button.setEnabled(True)
        self._say(f"Saved {path.name}; opening it to print.")
        open_path(path)
        self.refresh()

    def reprint(self) -> None:
        item = self.history.currentItem()
        if item is None:
            return
        letter_id = item.data(0, LETTER_ROLE)

        def work():
            pdf = self.session.services.letters.reprint(self.session.user.id, letter_id)
            return save_pdf(pdf, f"PRX-letter-{letter_id}-reprint.pdf")

        def done(path: Path) -> None:
            self._say(f"Reprinted exactly as first printed: {path.name}")
            open_path(path)

        self.session.operations.run(work, done=done, failed=self._failed, owner=self,
                                    message="Reprinting the letter…")


class _Progress(QObject):
    """Carries a batch's progress from the worker thread to the GUI thread."""

    advanced = Signal(int, int)


def chaser_batch(session: Session, filter: WorklistFilter, parent: QWidget,
                 finished: Callable[[str], None] | None = None) -> QProgressDialog:
    """Chaser letters for the referrals in the worklist as filtered, with a progress dialog."""
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
        query = WorklistQuery(filter, sort="due", descending=False, page_size=BATCH_LIMIT)
        ids = [row.id for row in services.worklist.page(user_id, query).rows]
        items = services.letters.batch(user_id, ids, LetterKind.CHASER,
                                       progress=progress.advanced.emit,
                                       cancelled=lambda: cancelled["yes"])
        saved = [save_pdf(item.letter.pdf, item.letter.filename, folder)
                 for item in items if item.letter is not None]
        problems = [f"referral {item.referral_id}: {item.error}" for item in items if item.error]
        return len(ids), saved, problems

    def done(result) -> None:
        dialog.reset()
        asked, saved, problems = result
        text = f"{len(saved)} chaser letter{'s' if len(saved) != 1 else ''} saved in {folder}."
        if cancelled["yes"]:
            text = "Stopped. " + text
        if problems:
            text += f" {len(problems)} could not be made: " + "; ".join(problems[:5])
            text += " …" if len(problems) > 5 else ""
        if asked >= BATCH_LIMIT:
            text += f" (Only the first {BATCH_LIMIT}; narrow the list for the rest.)"
        if saved:
            open_path(folder)
        if finished is not None:
            finished(text)

    def failed(error: Exception) -> None:
        dialog.reset()
        messages.show_error(parent, error)

    session.operations.run(work, done=done, failed=failed, owner=parent,
                           message="Making chaser letters…")
    return dialog

