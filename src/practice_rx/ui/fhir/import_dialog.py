"""Import FHIR bundle: another agency's referral, read from a file, as an inbound draft.

For reception and link workers (``enter_inbound_referrals``). The file is read and
checked off the GUI thread; a refused bundle lists every problem on its own line, each
starting with its path in the bundle, and nothing is saved. An accepted one becomes a
draft, which the main window opens for the person to check and send.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from practice_rx.errors import PracticeRxError, ValidationError
from practice_rx.storage.models import Referral
from practice_rx.ui import messages
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import ERROR_COLOUR, hint, labelled


def problem_lines(error: Exception) -> list[str]:
    """What to show for a refusal: each bad element of the bundle, or the one reason."""
    if isinstance(error, ValidationError):
        return list(error.errors.values())
    if isinstance(error, OSError):
        return [f"The file cannot be read: {error.strerror or error}"]
    if isinstance(error, PracticeRxError):
        return [str(error)]
    return [messages.describe(error)[1]]


class ImportBundleDialog(QDialog):
    """Entry point: ``ImportBundleDialog(session, parent)``; :attr:`imported` gives the draft."""

    #: (the draft's id, what happened) once a bundle was imported
    imported = Signal(int, str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("fhir_import")
        self.setWindowTitle("Import FHIR bundle")
        self.path = QLineEdit()
        self.path.setObjectName("fhir_import_path")
        self.path.setPlaceholderText("The bundle's file (JSON)")
        self.browse = QPushButton("&Browse…")
        self.browse.setObjectName("fhir_import_browse")
        self.browse.setAccessibleName("Choose the bundle's file")
        self.import_button = QPushButton("&Import")
        self.import_button.setObjectName("fhir_import_go")
        self.import_button.setAccessibleName("Import the bundle")
        self.import_button.setDefault(True)
        self.outcome = QLabel()
        self.outcome.setObjectName("fhir_import_outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("Outcome")
        self.outcome.hide()
        self.problems = QListWidget()
        self.problems.setObjectName("fhir_import_problems")
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName("Why the bundle was refused")
        self.problems.setAccessibleDescription(
            "One line for each problem, starting with where it is in the bundle")
        self.problems.hide()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        layout = QVBoxLayout(self)
        layout.addWidget(hint(
            "A FHIR R4 UK Core ServiceRequest bundle (JSON) another agency sent. The patient "
            "must already be registered here (matched by NHS number). It becomes a draft: "
            "check it, then send it to the link worker service."))
        layout.addWidget(labelled("Bundle &file:", self.path, name="Bundle file"))
        layout.addLayout(row)
        layout.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.outcome)
        layout.addWidget(self.problems, 1)
        layout.addStretch(1)  # keeps the rows together at the top until problems show
        self._spacer = layout.count() - 1
        layout.addWidget(close)
        QWidget.setTabOrder(self.path, self.browse)
        QWidget.setTabOrder(self.browse, self.import_button)
        QWidget.setTabOrder(self.import_button, self.problems)

        self.browse.clicked.connect(self.choose_file)
        self.import_button.clicked.connect(self.start)
        self.path.returnPressed.connect(self.start)
        self.resize(640, 420)

    def choose_file(self) -> None:
        start = self.path.text().strip() or str(Path.home())
        name, _ = QFileDialog.getOpenFileName(self, "Choose the FHIR bundle", start,
                                              "FHIR bundles (*.json);;All files (*)")
        if name:
            self.path.setText(name)
            self.import_button.setFocus()

    def start(self) -> None:
        """Read and import the file named, off the GUI thread."""
        text = self.path.text().strip()
        if not text:
            self._refused(ValidationError.single("file", "Bundle file: choose the file to "
                                                 "import"))
            self.path.setFocus()
            return
        self.import_button.setEnabled(False)
        self.outcome.setText("Importing…")
        self.outcome.setStyleSheet("")
        self.outcome.show()
        self._show_problems(False)
        self.session.operations.run(self._work, Path(text), done=self._done,
                                    failed=self._refused, owner=self,
                                    message="Importing the FHIR bundle…")

    def _show_problems(self, shown: bool) -> None:
        """The list takes the room left when shown; otherwise the spacer does."""
        self.problems.setVisible(shown)
        self.layout().setStretch(self._spacer, 0 if shown else 1)

    def _work(self, path: Path) -> Referral:
        return self.session.services.fhir.import_bundle(self.session.user.id, path.read_bytes())

    def _done(self, referral: Referral) -> None:
        self.import_button.setEnabled(True)
        who = referral.referrer_organisation or referral.referrer_name or "the person themself"
        self.imported.emit(referral.id, f"Imported as referral PRX-{referral.id:06d}, an "
                           f"inbound draft from {who}. Check it, then send it.")
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.import_button.setEnabled(True)
        lines = problem_lines(error)
        self.outcome.setText(f"Not imported, nothing was saved: {len(lines)} problem"
                             f"{'s' if len(lines) != 1 else ''}.")
        self.outcome.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.outcome.show()
        self.problems.clear()
        self.problems.addItems(lines)
        self._show_problems(True)
        self.problems.setCurrentRow(0)
        self.problems.setFocus()
