"""Update a referral's status with a note: Ctrl+U, then Enter.

The list holds only the statuses the referral may move to now (from the
lifecycle in :mod:`practice_rx.domain.statuses`), the next step first. Enter
saves from the list or the note box; Shift+Enter starts a new line in a note.
If someone else changed the referral meanwhile, a message says so, the
referral is reloaded, and the note typed so far is kept.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.statuses import NOTE_REQUIRED, Status, allowed_next
from practice_rx.errors import ConflictError, TransitionError, ValidationError
from practice_rx.storage.models import Referral
from practice_rx.ui import messages
from practice_rx.ui.formatting import status_label
from practice_rx.ui.patient_banner import PatientBanner
from practice_rx.ui.session import Session
from practice_rx.ui.when_it_happened import WhenItHappened
from practice_rx.ui.widgets import FieldMessage, NoteEdit, heading, hint, labelled

STATUS_ROLE = Qt.ItemDataRole.UserRole + 1


#: moved by the link worker's casework, not chosen: a recorded contact, closing the case
CASEWORK_MOVES = frozenset({Status.CONTACTED, Status.COMPLETED})


def next_statuses(current: str, session: Session | None = None, *,
                  casework: bool = False) -> list[Status]:
    """The statuses allowed now (for this user's role), the usual next step first; for a
    link worker's case (``casework``) not those its contacts and closing make."""
    order = list(Status)
    statuses = sorted(allowed_next(current), key=order.index)
    if session is not None:
        statuses = [status for status in statuses if session.can_move_to(status)]
    if casework:
        statuses = [status for status in statuses if status not in CASEWORK_MOVES]
    return statuses


class _StatusList(QListWidget):
    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class StatusDialog(QDialog):
    """Choose the new status, add a note, Enter to save."""

    #: the referral as saved
    saved = Signal(object)

    def __init__(self, session: Session, referral: Referral, target: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("status_dialog")
        self.session = session
        self.setWindowTitle("Update status")
        self.banner = PatientBanner(lambda: session.services.clock().date())
        self.title = heading("", 3)
        self.current = hint("")
        self.statuses = _StatusList()
        self.statuses.setObjectName("new_status")
        self.note = NoteEdit()
        self.note.setObjectName("status_note")
        self.note.setPlaceholderText("What happened, and who said so")
        self.note_hint = hint("")
        self.happened = WhenItHappened()
        self.message = FieldMessage("Status change")
        self.message.setObjectName("status_message")
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setAccessibleName("Save the new status")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.title)
        layout.addWidget(self.current)
        layout.addWidget(labelled("&New status:", self.statuses, name="New status",
                                  description="Only the statuses this referral can move to now"))
        layout.addWidget(self.statuses)
        layout.addWidget(labelled("N&ote:", self.note, name="Note",
                                  description="Enter saves; Shift+Enter starts a new line"))
        layout.addWidget(self.note)
        layout.addWidget(self.note_hint)
        layout.addWidget(self.happened)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setTabOrder(self.statuses, self.note)
        self.setTabOrder(self.note, self.happened.earlier)
        self.setTabOrder(self.happened.earlier, self.happened.when)
        self.setTabOrder(self.happened.when, self.save_button)
        self.setTabOrder(self.save_button, cancel)

        self.statuses.submitted.connect(self.submit)
        self.note.submitted.connect(self.submit)
        self.save_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        self.statuses.currentItemChanged.connect(lambda *_: self._explain())
        self.referral: Referral = referral
        self._discard_confirmed = False
        self.set_referral(referral, target)
        self.resize(560, self.sizeHint().height())

    def set_referral(self, referral: Referral, target: str | None = None) -> None:
        """Show ``referral`` as it is now; keeps the note and, if still allowed, the choice."""
        chosen = target or self.chosen()
        self.referral = referral
        self.banner.set_patient(referral.patient, referral.id)
        service = referral.service.name if referral.service else "no service chosen yet"
        self.title.setText(f"Referral {referral.id} to {service}")
        self.setWindowTitle(f"Update status: referral {referral.id}")
        self.happened.start_at(self.session.services.clock())
        self.current.setText(f"Status now: {status_label(referral.status)}")
        self.statuses.clear()
        for status in next_statuses(referral.status, self.session,
                                    casework=referral.allocated_to_id is not None):
            text = status_label(status)
            if status in NOTE_REQUIRED:
                text += " (give a reason in the note)"
            item = QListWidgetItem(text)
            item.setData(STATUS_ROLE, status.value)
            self.statuses.addItem(item)
            if status.value == chosen:
                self.statuses.setCurrentItem(item)
        if self.statuses.currentRow() < 0 and self.statuses.count():
            self.statuses.setCurrentRow(0)
        rows = max(3, self.statuses.count())
        self.statuses.setFixedHeight(rows * self.statuses.sizeHintForRow(0) + 8
                                     if self.statuses.count() else 60)
        final = self.statuses.count() == 0
        self.save_button.setEnabled(not final)
        if final and not next_statuses(referral.status):
            self.message.set_message(f"'{status_label(referral.status)}' is final: the status "
                                     "cannot change. Raise a new referral instead.")
        elif final:
            self.message.set_message("Your role cannot make the next change to this "
                                     "referral's status; a colleague can.")
        self._explain()
        (self.note if target else self.statuses).setFocus()

    def chosen(self) -> str | None:
        item = self.statuses.currentItem()
        return item.data(STATUS_ROLE) if item else None

    def _explain(self) -> None:
        chosen = self.chosen()
        if chosen and Status(chosen) in NOTE_REQUIRED:
            self.note_hint.setText(f"A reason is needed to mark it {status_label(chosen)}.")
        else:
            self.note_hint.setText("A note is optional. Enter saves.")

    # -- saving ------------------------------------------------------------------------

    def submit(self) -> None:
        target = self.chosen()
        if target is None or not self.save_button.isEnabled():
            return
        problem = self.happened.problem()
        if problem:
            self.message.set_message(problem)
            self.happened.when.setFocus()
            return
        self.message.set_message(None)
        self.save_button.setEnabled(False)
        services, user = self.session.services, self.session.user
        referral = self.referral
        note = self.note.text()
        self.session.operations.run(
            services.referrals.change_status, user.id, referral.id, referral.version, target,
            note, self.happened.occurred_at(), done=self._saved, failed=self._refused, owner=self,
            message="Saving the status…")

    def _saved(self, referral: Referral) -> None:
        self.saved.emit(referral)
        self.session.referral_changed.emit(referral.id)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ConflictError):
            messages.show_error(self, error).setInformativeText(
                "Your note has been kept. The referral has been reloaded: check its status, "
                "then save again.")
            self.reload()
        elif isinstance(error, TransitionError):
            self.message.set_message(str(error))
            self.note.setFocus()
        elif isinstance(error, ValidationError) and "occurred_at" in error.errors:
            self.message.set_message(error.errors["occurred_at"])
            self.happened.when.setFocus()
        elif isinstance(error, ValidationError):
            self.message.set_message("Not sent yet – complete the referral first: "
                                     + "; ".join(error.errors.values()))
        else:
            self.message.set_message(messages.describe(error)[1])

    def reject(self) -> None:
        """Esc or Cancel with a note typed (or a time chosen) asks before discarding it."""
        typed = self.note.text().strip() or self.happened.earlier.isChecked()
        if not typed or self._discard_confirmed:
            super().reject()
            return

        def discard() -> None:
            self._discard_confirmed = True
            super(StatusDialog, self).reject()

        messages.ask_discard(self, "Discard this status change?",
                             "The new status and its note have not been saved. Discard them?",
                             discard)

    def reload(self) -> None:
        """Read the referral again (keeping the note) after someone else changed it."""
        self.session.operations.run(
            self.session.services.referrals.get, self.session.user.id, self.referral.id,
            done=self.set_referral, failed=lambda error: messages.show_error(self, error),
            owner=self, message="Reloading the referral…")
        self.session.referral_changed.emit(self.referral.id)
