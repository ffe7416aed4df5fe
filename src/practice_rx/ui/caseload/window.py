"""The caseload in a window of its own, beside the worklist, with a way back to the case.

A link worker works down the caseload (record a contact, allocate) and opens a
case in the main window to see its plan, connections and outcome measures.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QVBoxLayout, QWidget

from practice_rx.ui.caseload.view import CaseloadView
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session


class CaseloadWindow(QDialog):
    """``CaseloadWindow(session, parent)``; :attr:`open_case` asks to show a referral."""

    #: show this referral's case in the main window (its id)
    open_case = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseload_window")
        self.setWindowTitle("Caseload")
        self.view = CaseloadView(session, self)
        self.open_button = QPushButton("&Open the case")
        self.open_button.setObjectName("caseload_open_case")
        self.open_button.setToolTip("Show its plan, connections and outcome measures in the "
                                    "main window")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.open_button.clicked.connect(self._open_current)
        self.view.opened.connect(self.open_case)
        open_size(self, 1200, 640)

    def _open_current(self) -> None:
        referral_id = self.view.current_referral_id()
        if referral_id is not None:
            self.open_case.emit(referral_id)
