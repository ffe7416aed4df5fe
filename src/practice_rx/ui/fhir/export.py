"""Export as FHIR: the referral shown (or several) as UK Core bundles in a folder.

The export runs off the GUI thread; a progress dialog appears if it takes more than a
moment, and cancelling it keeps nothing (the service removes the files it wrote and
rolls back their audit rows). The folder is asked for once per export.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QPushButton, QWidget

from practice_rx.ui import messages
from practice_rx.ui.session import Session


class Cancelled(Exception):
    """The person cancelled the export: nothing is kept."""


class FhirExport(QObject):
    """One export of ``referral_ids``; :meth:`ask` chooses the folder, :meth:`start` runs it."""

    #: a line for the status bar once the files are written
    finished = Signal(str)
    #: (done, total), from the worker thread (queued to the GUI thread)
    advanced = Signal(int, int)

    def __init__(self, session: Session, referral_ids: Sequence[int], parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.referral_ids = list(referral_ids)
        self.window = parent
        self._cancelled = False
        self.progress: QProgressDialog | None = None
        self.advanced.connect(self._advanced)

    def ask(self) -> None:
        """Choose the folder (a system dialog), then export into it."""
        folder = QFileDialog.getExistingDirectory(
            self.window, "Export as FHIR: choose a folder", str(Path.home()))
        if folder:
            self.start(Path(folder))
        else:
            self.deleteLater()  # the person closed the folder dialog: nothing to do

    def start(self, folder: Path) -> None:
        count = len(self.referral_ids)
        self.progress = QProgressDialog(f"Writing {count:,} FHIR bundle(s)…", "Cancel", 0,
                                        count, self.window)
        self.progress.setObjectName("fhir_export_progress")
        self.progress.setWindowTitle("Export as FHIR")
        self.progress.setAccessibleName("FHIR export progress")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(500)  # a single file never flashes a dialog
        self.progress.setAutoClose(False)
        self.progress.canceled.connect(self._cancel)
        self.progress.setValue(0)
        self.session.operations.run(
            self._work, folder, done=lambda paths: self._done(paths, folder),
            failed=self._failed, owner=self.window,
            message=f"Exporting {count:,} referral(s) as FHIR…")

    def _work(self, folder: Path) -> list[Path]:
        return self.session.services.fhir.export(
            self.session.user.id, self.referral_ids, folder, progress=self._told)

    def _told(self, done: int, total: int) -> None:
        """In the worker thread: pass the count on, or stop if the person cancelled."""
        if self._cancelled:
            raise Cancelled
        self.advanced.emit(done, total)

    def _advanced(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setValue(done)

    def _cancel(self) -> None:
        self._cancelled = True

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect(self._cancel)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _done(self, paths: list[Path], folder: Path) -> None:
        self._close_progress()
        self.finished.emit(f"{len(paths):,} FHIR bundle(s) written to {folder}; each export "
                           "is on the audit trail.")
        self.deleteLater()

    def _failed(self, error: Exception) -> None:
        self._close_progress()
        if isinstance(error, Cancelled):
            self.finished.emit("FHIR export cancelled: no file was kept.")
        elif isinstance(error, OSError):  # a folder that cannot be made or written
            messages.show(self.window, "Not exported", f"The folder cannot be written "
                          f"({error.strerror or error}); no file was kept. Choose another "
                          "folder.", QMessageBox.Icon.Warning,
                          object_name="fhir_export_refused")
        else:
            messages.show_error(self.window, error).setObjectName("fhir_export_refused")
        self.deleteLater()


def export_button(session: Session, current: Callable[[], int | None], parent: QWidget,
                  said: Callable[[str], None]) -> QPushButton:
    """"Export as FHIR…" for the referral ``current()`` names; ``said`` shows the outcome.

    No mnemonic: the referral pane keeps its letters free (see referral_view).
    """
    button = QPushButton("Export as FHIR…")
    button.setObjectName("export_fhir")
    button.setAccessibleName("Export as FHIR")
    button.setToolTip("Write this referral as a FHIR R4 UK Core bundle (JSON) into a folder, "
                      "for a system that reads FHIR")

    def clicked() -> None:
        referral_id = current()
        if referral_id is not None:
            export = FhirExport(session, [referral_id], parent)
            export.finished.connect(said)
            export.ask()
    button.clicked.connect(clicked)
    return button
