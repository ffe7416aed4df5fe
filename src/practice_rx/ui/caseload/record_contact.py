"""Record a contact with the person, or an attempt at one, on their case.

The patient banner names whose case it is on every step. "When" is now unless
ticked earlier (the shared :class:`WhenItHappened`); length and note are for a
contact made; the next contact's date is always asked for, a week ahead to start.
After the practice's agreed number of failed attempts the dialog offers "not
contactable" — the link worker chooses it, and it is an ordinary status change.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.contacts import MAX_CONTACT_MINUTES, ContactType
from practice_rx.domain.statuses import Status
from practice_rx.errors import ConflictError
from practice_rx.services.contacts import AttemptsState, ContactDetails, ContactRecorded
from practice_rx.storage.models import Referral
from practice_rx.ui import messages
from practice_rx.ui.patient_banner import PatientBanner
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session
from practice_rx.ui.when_it_happened import WhenItHappened
from practice_rx.ui.widgets import FieldMessage, NoteEdit, heading, hint, labelled

FIELDS = ("contact_type", "occurred_at", "minutes", "note", "next_contact_on")


def _qdate(value) -> QDate:
    return QDate(value.year, value.month, value.day)


class RecordContactDialog(QDialog):
    """Entry point: ``RecordContactDialog(session, referral_id, parent)``, then ``open()``."""

    #: the contact was saved (a :class:`ContactRecorded`)
    recorded = Signal(object)

    def __init__(self, session: Session, referral_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("record_contact")
        self.setWindowTitle(f"Record contact: referral {referral_id}")
        self.session = session
        self.referral_id = referral_id
        self.referral: Referral | None = None
        self._discard_confirmed = False
        today = session.services.clock().date()
        self.banner = PatientBanner(lambda: session.services.clock().date())

        self.contact_type = QComboBox()
        self.contact_type.setObjectName("contact_type")
        for code in ContactType:
            self.contact_type.addItem(code.label, code.value)
        self.made = QRadioButton("Contact &made")
        self.made.setObjectName("contact_made")
        self.attempted = QRadioButton("Only a&ttempted (did not reach them)")
        self.attempted.setObjectName("contact_attempted")
        self.made.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.made)
        group.addButton(self.attempted)
        self.happened = WhenItHappened()
        self.minutes = QSpinBox()
        self.minutes.setObjectName("contact_minutes")
        self.minutes.setRange(0, MAX_CONTACT_MINUTES)
        self.minutes.setSpecialValueText("—")
        self.minutes.setSuffix(" minutes")
        self.minutes.setMaximumWidth(160)
        self.note = NoteEdit()
        self.note.setObjectName("contact_note")
        self.note.setPlaceholderText("What you talked about; for an attempt, e.g. no answer")
        self.next_contact = QDateEdit(_qdate(today + timedelta(days=7)))
        self.next_contact.setObjectName("next_contact_on")
        self.next_contact.setDisplayFormat("dd MMM yyyy")
        self.next_contact.setCalendarPopup(True)
        self.next_contact.setMaximumWidth(180)
        self.inputs = {"contact_type": self.contact_type, "occurred_at": self.happened.when,
                       "minutes": self.minutes, "note": self.note,
                       "next_contact_on": self.next_contact}
        self.messages = {key: FieldMessage(key.replace("_", " ")) for key in FIELDS}
        self.problem = FieldMessage("Contact")
        self.problem.setObjectName("contact_problem")
        self.attempts_note = hint("")
        self.attempts_note.setObjectName("contact_attempts_note")
        self.not_contactable = QPushButton("Mark &not contactable…")
        self.not_contactable.setObjectName("mark_not_contactable")
        self.not_contactable.hide()

        form = QFormLayout()
        made_row = QHBoxLayout()
        made_row.addWidget(self.made)
        made_row.addWidget(self.attempted)
        made_row.addStretch(1)
        for text, key, widget, description in (
            ("T&ype of contact:", "contact_type", self.contact_type, ""),
            ("Reached them?", None, made_row, ""),
            ("When:", "occurred_at", self.happened, "Now, unless it happened earlier"),
            ("&Length:", "minutes", self.minutes, "Minutes spent with the person"),
            ("N&ote:", "note", self.note, "Enter saves; Shift+Enter starts a new line"),
            ("Ne&xt contact:", "next_contact_on", self.next_contact, "Today or later"),
        ):
            cell = QVBoxLayout()
            if key is not None:
                cell.addWidget(self.messages[key])
            if isinstance(widget, QHBoxLayout):
                cell.addLayout(widget)
                form.addRow(text, cell)
                continue
            cell.addWidget(widget)
            target = self.happened.when if widget is self.happened else widget
            label = labelled(text, target, description=description)
            label.setWordWrap(False)  # a form's labels keep to one line beside their fields
            form.addRow(label, cell)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("save_contact")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(heading("Record a contact", 3))
        layout.addLayout(form)
        layout.addWidget(self.attempts_note)
        layout.addWidget(self.not_contactable)
        layout.addStretch(1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

        self.made.toggled.connect(self._made_toggled)
        self.note.submitted.connect(self.submit)
        self.save_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        self.not_contactable.clicked.connect(self.mark_not_contactable)
        self.save_button.setEnabled(False)
        open_size(self, 600, 620)
        self._load()

    # -- loading ---------------------------------------------------------------------

    def _load(self) -> None:
        services, user_id = self.session.services, self.session.user.id

        def read():
            return (services.referrals.get(user_id, self.referral_id),
                    services.contacts.attempts(user_id, self.referral_id))

        self.session.operations.run(read, done=self._loaded, failed=self._refused, owner=self,
                                    message="Reading the referral…")

    def _loaded(self, loaded: tuple[Referral, AttemptsState]) -> None:
        self.referral, attempts = loaded
        self.banner.set_patient(self.referral.patient, self.referral.id)
        self.happened.start_at(self.session.services.clock())
        self.save_button.setEnabled(True)
        self._show_attempts(attempts)
        self.contact_type.setFocus()

    def _show_attempts(self, attempts: AttemptsState) -> None:
        if attempts.failed_attempts:
            self.attempts_note.setText(
                f"{attempts.failed_attempts} attempt{'s' if attempts.failed_attempts != 1 else ''}"
                f" in a row without reaching them (the practice agreed {attempts.attempts_agreed}"
                " before 'not contactable').")
        else:
            self.attempts_note.setText("")
        self.not_contactable.setVisible(attempts.may_offer_not_contactable)

    def _made_toggled(self, made: bool) -> None:
        self.minutes.setEnabled(made)
        if not made:
            self.minutes.setValue(0)

    # -- saving ----------------------------------------------------------------------

    def details(self) -> ContactDetails:
        made = self.made.isChecked()
        minutes = self.minutes.value() if made and self.minutes.value() else None
        return ContactDetails(
            contact_type=self.contact_type.currentData(), made=made,
            next_contact_on=self.next_contact.date().toPython(), minutes=minutes,
            note=self.note.text(), occurred_at=self.happened.occurred_at())

    def submit(self) -> None:
        if self.referral is None or not self.save_button.isEnabled():
            return
        for message in self.messages.values():
            message.set_message(None)
        self.problem.set_message(None)
        if problem := self.happened.problem():
            self.messages["occurred_at"].set_message(problem)
            self.happened.when.setFocus()
            return
        self.save_button.setEnabled(False)
        self.session.operations.run(
            self.session.services.contacts.record, self.session.user.id, self.referral.id,
            self.referral.version, self.details(), done=self._saved, failed=self._refused,
            owner=self, message="Saving the contact…")

    def _saved(self, recorded: ContactRecorded) -> None:
        self.referral = recorded.referral
        self.recorded.emit(recorded)
        self.session.referral_changed.emit(recorded.referral.id)
        if recorded.may_offer_not_contactable:
            # keep the dialog open on the offer; what was typed is saved, so clear it
            self._discard_confirmed = True
            self.note.clear()
            self._show_attempts(recorded.attempts)
            self.problem.set_message(None)
            self.attempts_note.setText(self.attempts_note.text() + " Contact saved.")
            self.save_button.setEnabled(False)
            self.not_contactable.setFocus()
            return
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(self.referral is not None)
        if isinstance(error, ConflictError):
            messages.show_error(self, error).setInformativeText(
                "What you typed is kept. The referral has been reloaded: save again.")
            self._load()
            return
        messages.show_beside_fields(error, self.messages, self.inputs,
                                    self.problem.set_message, FIELDS)

    def mark_not_contactable(self) -> None:
        """Offered only when the service says so; it is the referral's status change."""
        if self.referral is None:
            return
        self.not_contactable.setEnabled(False)

        def done(referral: Referral) -> None:
            self.session.referral_changed.emit(referral.id)
            self._discard_confirmed = True
            self.accept()

        def failed(error: Exception) -> None:
            self.not_contactable.setEnabled(True)
            self.problem.set_message(messages.describe(error)[1])

        self.session.operations.run(
            self.session.services.referrals.change_status, self.session.user.id,
            self.referral.id, self.referral.version, Status.NOT_CONTACTABLE,
            "No contact after the agreed number of attempts", done=done, failed=failed,
            owner=self, message="Saving the status…")

    def reject(self) -> None:
        """Esc with a note typed asks before discarding it."""
        if not self.note.text().strip() or self._discard_confirmed:
            super().reject()
            return

        def discard() -> None:
            self._discard_confirmed = True
            super(RecordContactDialog, self).reject()

        messages.ask_discard(self, "Discard this contact?",
                             "The contact has not been saved. Discard it?", discard)
