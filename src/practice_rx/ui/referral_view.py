"""One referral in full: patient, status and its timeline, answers, service, notes, actions.

Buttons offer only the status changes the lifecycle allows now; plugins' actions
for this status appear beside them and run off the GUI thread. For a user who sees
several of the network's practices, the status line names the referral's practice.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.permissions import Action, Role
from practice_rx.domain.statuses import AWAITING_RESPONSE, Status
from practice_rx.errors import ConflictError, NotFoundError
from practice_rx.plugin_api import ActionResult, ReferralAction
from practice_rx.services.delivery import DeliveryRow
from practice_rx.services.referrals import snapshot
from practice_rx.storage.models import Referral, ReferralNote
from practice_rx.ui import messages
from practice_rx.ui.answers_view import AnswersView
from practice_rx.ui.casework.case_tab import CaseworkTab
from practice_rx.ui.delivery.actions import deliver_after_send, send_again
from practice_rx.ui.fhir.export import export_button
from practice_rx.ui.flow_layout import FlowLayout
from practice_rx.ui.formatting import (
    URGENCY_LABELS,
    category_label,
    day,
    moment,
    nhs,
    status_label,
)
from practice_rx.ui.letters_view import LettersPanel
from practice_rx.ui.patient_banner import PatientBanner
from practice_rx.ui.practices.practice_chooser import read_visible
from practice_rx.ui.referral_timeline import timeline_entries
from practice_rx.ui.session import Session
from practice_rx.ui.status_dialog import StatusDialog, next_statuses
from practice_rx.ui.widgets import (
    ERROR_COLOUR,
    FieldMessage,
    NoteEdit,
    heading,
    hint,
    labelled,
)

# No mnemonics here: Ctrl+U reaches every status from the keyboard, and the
# letters stay free for the fields and menus around them.
ACTION_VERBS = {
    Status.SENT: "Send", Status.ACCEPTED: "Accepted", Status.CONTACTED: "Contacted",
    Status.IN_PROGRESS: "In progress", Status.COMPLETED: "Completed",
    Status.REJECTED: "Rejected…", Status.DECLINED: "Declined…",
    Status.NOT_CONTACTABLE: "Not contactable…", Status.CANCELLED: "Cancel referral…",
}


#: narrow enough for 1024 px beside the list, wide enough for the tabs' content
PANE_MIN_WIDTH = 360


def _selectable(label: QLabel) -> QLabel:
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class ReferralView(QWidget):
    """The detail pane; empty until a referral is shown."""

    #: the user asked to continue writing this draft (its id)
    edit_draft = Signal(int)
    #: the referral shown was (re)loaded
    shown = Signal(object)
    #: a status or a note was saved here on the referral shown (its id)
    saved = Signal(int)
    #: the pane went empty: nothing is shown, nothing can be acted on
    cleared = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.referral: Referral | None = None
        self.form = None
        self._loading_id: int | None = None

        self.pages = QStackedWidget()
        self.empty = hint("")
        self.empty.setObjectName("empty_pane")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages.addWidget(self.empty)

        body = QWidget()
        self.banner = PatientBanner(lambda: session.services.clock().date())
        self.status_line = _selectable(QLabel())
        self.status_line.setObjectName("referral_status")
        self.update_button = QPushButton("&Update status…")
        self.update_button.setObjectName("update_status")
        self.update_button.setAccessibleName("Update status")
        self.update_button.setToolTip("Ctrl+U")
        self.edit_button = QPushButton("Continue dr&aft…")
        self.edit_button.setObjectName("continue_draft")
        self.edit_button.setAccessibleName("Continue writing this draft")
        # one wrapping row: the status buttons after these two, then the plugins' actions
        self.buttons = FlowLayout()
        self.buttons.addWidget(self.update_button)
        self.buttons.addWidget(self.edit_button)
        self.fhir_button = export_button(session, self.showing, self, self.say)
        self.buttons.addWidget(self.fhir_button)
        self._action_buttons: list[QPushButton] = []
        self.result = _selectable(QLabel())
        self.result.setObjectName("action_result")
        self.result.setAccessibleName("Result")
        self.result.hide()

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Referral details")
        self.tabs.setUsesScrollButtons(True)
        self.tabs.addTab(self._timeline_tab(), "Timeline")
        self.answers = AnswersView()
        self.answers.setObjectName("answers")
        self.tabs.addTab(self.answers, "Answers")
        self.tabs.addTab(self._people_tab(), "Patient and service")
        self.letters = LettersPanel(session)
        self.tabs.addTab(self.letters, "Letters")
        self.casework = CaseworkTab(session)
        self.tabs.addTab(self.casework, "Casework")
        self.tabs.setMinimumHeight(300)

        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.status_line)
        layout.addLayout(self.buttons)
        layout.addWidget(self.result)
        layout.addWidget(self.tabs, 1)
        # On a small screen the pane scrolls inside itself; nothing is cut off.
        self.scroll = QScrollArea()
        self.scroll.setObjectName("referral_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)
        self.pages.addWidget(self.scroll)
        self.setMinimumWidth(PANE_MIN_WIDTH)  # the splitter never cuts the pane's content

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        self.update_button.clicked.connect(lambda: self.update_status())
        self.edit_button.clicked.connect(
            lambda: self.referral and self.edit_draft.emit(self.referral.id))
        self.add_note_button.clicked.connect(self.add_note)
        self.note.submitted.connect(self.add_note)
        #: the practices the user sees, by id (read once per user, and after a practice save)
        self.practice_names: dict[int, str] = {}
        session.user_changed.connect(lambda user: self._read_practices() if user else None)
        session.practice_changed.connect(self._read_practices)
        session.delivery_tried.connect(
            lambda referral_id: self.reload() if self.showing() == referral_id else None)
        self._read_practices()
        self.clear()

    def _read_practices(self) -> None:
        def done(practices) -> None:
            self.practice_names = {practice.id: practice.name for practice in practices}
            if self.referral is not None:
                self.status_line.setText(self._status_text(self.referral))

        read_visible(self.session, self, done)

    def _timeline_tab(self) -> QWidget:
        tab = QWidget()
        self.timeline = QTreeWidget()
        self.timeline.setObjectName("timeline")
        self.timeline.setColumnCount(4)
        self.timeline.setHeaderLabels(["When", "Who", "Change", "Note"])
        self.timeline.setRootIsDecorated(False)
        self.timeline.setWordWrap(True)
        self.timeline.setAlternatingRowColors(True)
        header = self.timeline.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.notes = QPlainTextEdit()
        self.notes.setReadOnly(True)
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(110)
        self.note = NoteEdit()
        self.note.setObjectName("note_box")
        self.note.setPlaceholderText("Type a note; Enter adds it")
        self.add_note_button = QPushButton("Add note")
        self.add_note_button.setAccessibleName("Add note")
        self.note_message = FieldMessage("Note")

        layout = QVBoxLayout(tab)
        layout.addWidget(labelled("Status history:", self.timeline, name="Status history",
                                  description="Who changed the status, when, and why"))
        layout.addWidget(self.timeline, 2)
        layout.addWidget(labelled("Notes so far:", self.notes, name="Notes so far",
                                  description="Each note with who wrote it and when; notes "
                                  "are never changed, a correction is a new note"))
        layout.addWidget(self.notes, 1)
        note_row = QHBoxLayout()
        note_row.addWidget(self.note, 1)
        note_row.addWidget(self.add_note_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(labelled("&New note:", self.note, name="New note",
                                  description="Enter adds the note; Shift+Enter starts a "
                                  "new line"))
        layout.addLayout(note_row)
        layout.addWidget(self.note_message)
        return tab

    def _people_tab(self) -> QWidget:
        tab = QWidget()
        self.patient_details = QFormLayout()
        self.service_details = QFormLayout()
        for form in (self.patient_details, self.service_details):
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        layout = QVBoxLayout(tab)
        layout.addWidget(heading("Patient", 3))
        layout.addLayout(self.patient_details)
        layout.addWidget(heading("Service", 3))
        layout.addLayout(self.service_details)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(tab)
        return scroll

    # -- loading -------------------------------------------------------------------------

    def show_referral(self, referral_id: int) -> None:
        """Read a referral and its form off the GUI thread, then show them."""
        if not self.session.signed_in:  # signed out meanwhile: nothing is read for nobody
            return
        if self.referral is None or self.referral.id != referral_id:
            self.clear(f"Opening referral {referral_id}…")
        self._loading_id = referral_id
        services = self.session.services
        user_id = self.session.user.id

        def read():
            referral = services.referrals.get(user_id, referral_id)
            try:
                form = services.forms.get(referral.form_id, referral.form_version)
            except NotFoundError:
                form = None
            return referral, form, services.delivery.for_referral(user_id, referral_id)

        def done(result) -> None:
            if self._loading_id == referral_id:
                self._show(*result)

        def failed(error: Exception) -> None:
            if self._loading_id == referral_id:
                self.clear(f"Referral {referral_id} could not be opened: "
                           f"{messages.describe(error)[1]}")

        self.session.operations.run(read, done=done, failed=failed, owner=self,
                                    message="Opening the referral…")

    def reload(self) -> None:
        if self.referral is not None:
            self.show_referral(self.referral.id)

    def clear(self, text: str | None = None) -> None:
        """Show nothing (``text`` says why, else what to do next): no referral to act on."""
        self.referral, self.form, self._loading_id = None, None, None
        self.banner.set_patient(None)
        self.casework.set_referral(None)  # no panel of another case stays behind
        self.empty.setText(text or self.empty_text())
        self.pages.setCurrentIndex(0)
        self.cleared.emit()

    def empty_text(self) -> str:
        """What the empty pane suggests, for the role signed in: only what they may do."""
        text = "Choose a referral in the list to see it here."
        if self.session.can(Action.WRITE_REFERRALS):
            text += "\n\nCtrl+N starts a new referral."
        elif self.session.signed_in:
            text += "\n\nCtrl+Shift+O shows the overdue referrals to chase."
        return text

    def wanted(self) -> int | None:
        """The referral shown or being opened."""
        if self._loading_id is not None:
            return self._loading_id
        return self.referral.id if self.referral is not None else None

    def showing(self) -> int | None:
        """The referral shown and ready to act on (not one still opening)."""
        if self.referral is None or self._loading_id not in (None, self.referral.id):
            return None
        return self.referral.id

    def _show(self, referral: Referral, form, deliveries: Sequence[DeliveryRow] = ()) -> None:
        same = self.referral is not None and self.referral.id == referral.id
        self.referral, self.form = referral, form
        if not same:
            self.result.hide()
            self.note_message.set_message(None)
        self._loading_id = None
        self.banner.set_patient(referral.patient, referral.id)
        self.status_line.setText(self._status_text(referral))
        self._fill_actions(referral)
        self._add_send_again(deliveries)
        self._fill_timeline(referral, deliveries)
        self.notes.setPlainText(notes_text(referral.notes))
        self.answers.show_answers(form, referral.answers)
        self._fill_people(referral)
        self.letters.set_referral(referral)
        self.casework.set_referral(referral)
        self.pages.setCurrentIndex(1)
        if not same:
            self.scroll.verticalScrollBar().setValue(0)
        self.shown.emit(referral)

    def _status_text(self, referral: Referral) -> str:
        parts = [f"<b>Status: {status_label(referral.status)}</b>"]
        service = referral.service.name if referral.service else "no service chosen yet"
        parts.append(f"to {service}")
        if referral.response_due_on:
            # Workaround until the core says whether a referral is overdue (as the
            # worklist rows do): the same rule, from the domain's statuses.
            today = self.session.services.clock().date()
            if referral.status in AWAITING_RESPONSE and referral.response_due_on < today:
                parts.append(f"<span style='color:{ERROR_COLOUR}'><b>OVERDUE</b>: a response "
                             f"was due {day(referral.response_due_on)}</span>")
            else:
                parts.append(f"response due {day(referral.response_due_on)}")
        parts.append(f"urgency: {URGENCY_LABELS.get(referral.urgency, referral.urgency)}")
        practice = self.practice_names.get(referral.practice_id)
        if len(self.practice_names) > 1 and practice:
            parts.append(f"at {escape(practice)}")
        return " · ".join(parts)

    def _fill_actions(self, referral: Referral) -> None:
        for button in self._action_buttons:
            self.buttons.removeWidget(button)
            button.deleteLater()
        self._action_buttons = []
        allowed = next_statuses(referral.status, self.session,
                                casework=referral.allocated_to_id is not None)
        self.update_button.setEnabled(bool(allowed))
        self._fill_draft_button(referral)
        for status in allowed:
            button = QPushButton(ACTION_VERBS.get(status, status_label(status)))
            button.setObjectName(f"to_{status.value}")
            button.setAccessibleName(f"Mark {status_label(status)}")
            button.setToolTip(f"Change the status to {status_label(status)}, with a note")
            button.clicked.connect(lambda _=False, s=status.value: self.update_status(s))
            self._action_buttons.append(button)
        for action in self.session.plugins.referral_actions():
            if not action.applies_to(referral.status):
                continue
            button = QPushButton(action.label)
            button.setObjectName(f"action_{action.id}")
            button.setAccessibleName(action.label)
            button.setToolTip(action.help or f"{action.label} (from a plugin)")
            button.clicked.connect(lambda _=False, a=action: self.run_action(a))
            self._action_buttons.append(button)
        for button in self._action_buttons:
            self.buttons.addWidget(button)

    def _fill_draft_button(self, referral: Referral) -> None:
        """Only a clinician continues a draft; another clinician's says whose it is."""
        clinician = self.session.signed_in and self.session.user.role == Role.CLINICIAN
        self.edit_button.setVisible(referral.status == Status.DRAFT and clinician)
        if referral.referrer_id == (self.session.user.id if self.session.signed_in else None):
            self.edit_button.setText("Continue dr&aft…")
            self.edit_button.setAccessibleName("Continue writing this draft")
        else:
            name = referral.referrer.display_name
            self.edit_button.setText(f"Continue {name.replace('&', '&&')}'s dr&aft…")
            self.edit_button.setAccessibleName(f"Continue writing {name}'s draft")

    def _add_send_again(self, deliveries: Sequence[DeliveryRow]) -> None:
        """"Send again" for each delivery not made or failed, for those who may deliver."""
        if not self.session.can(Action.DELIVER_REFERRALS):
            return
        for row in deliveries:
            if not row.can_send_again:
                continue
            button = QPushButton(f"Send again over {row.channel_label}")
            button.setObjectName(f"send_again_{row.id}")
            button.setAccessibleName(f"Send again over {row.channel_label}")
            button.setToolTip(f"Send {row.local_id} to {row.to_address} again: files "
                              "already delivered are not sent twice")
            button.clicked.connect(lambda _=False, r=row, b=button: self._send_again(r, b))
            self._action_buttons.append(button)
            self.buttons.addWidget(button)

    def _send_again(self, row: DeliveryRow, button: QPushButton) -> None:
        button.setEnabled(False)
        send_again(self.session, row, self, self.say)

    def _fill_timeline(self, referral: Referral,
                       deliveries: Sequence[DeliveryRow] = ()) -> None:
        self.timeline.clear()
        for entry in timeline_entries(referral, deliveries):
            item = QTreeWidgetItem([entry.when_text, entry.who, entry.change, entry.note])
            item.setToolTip(3, entry.note)
            if entry.detail:
                item.setToolTip(2, entry.detail)
            self.timeline.addTopLevelItem(item)
        if self.timeline.topLevelItemCount():
            self.timeline.scrollToItem(
                self.timeline.topLevelItem(self.timeline.topLevelItemCount() - 1))

    def _fill_people(self, referral: Referral) -> None:
        for form in (self.patient_details, self.service_details):
            while form.rowCount():
                form.removeRow(0)
        patient = referral.patient
        for label, value in (
            ("Name", patient.full_name), ("NHS number", nhs(patient.nhs_number)),
            ("Date of birth", day(patient.date_of_birth)), ("Address",
             ", ".join(filter(None, [patient.address.replace("\n", ", "), patient.postcode]))),
            ("Phone", patient.phone), ("Email", patient.email),
            ("Preferred contact", patient.preferred_contact.title()),
            ("Best times", patient.contact_times), ("First language", patient.first_language),
            ("Interpreter needed", "Yes" if patient.interpreter_needed else "No"),
            ("Accessibility needs", patient.accessibility_needs),
            ("Carer", patient.carer_details),
        ):
            self.patient_details.addRow(f"{label}:", _selectable(QLabel(value or "—")))
        service = referral.service
        if service is None:
            self.service_details.addRow(QLabel("No service chosen yet."))
        else:
            for label, value in (
                ("Name", service.name), ("Provider", service.provider),
                ("Category", category_label(service.category)),
                ("Phone", service.phone), ("Email", service.email),
                ("Opening times", service.opening_times),
                ("Response window", f"{service.response_days} working days"
                 if service.response_days else "Practice default"),
                ("From catalogue", service.plugin),
            ):
                self.service_details.addRow(f"{label}:", _selectable(QLabel(value or "—")))
        self.service_details.addRow("Referred by:", _selectable(QLabel(
            f"{referral.referrer.display_name} on {moment(referral.created_at)}")))

    # -- doing things ----------------------------------------------------------------------

    def update_status(self, target: str | None = None) -> StatusDialog | None:
        """Open the status dialog (Ctrl+U); ``target`` preselects a status."""
        if self.referral is None or not next_statuses(
                self.referral.status, self.session,
                casework=self.referral.allocated_to_id is not None):
            return None
        dialog = StatusDialog(self.session, self.referral, target, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda referral: self._saved(referral.id))
        if self.referral.status == Status.DRAFT:  # sent from here: delivered after it
            dialog.saved.connect(lambda referral: deliver_after_send(
                self.session, referral.id, self, self.say) if referral.status == Status.SENT
                else None)
        dialog.open()
        return dialog

    def add_note(self) -> None:
        text = self.note.text().strip()
        if self.referral is None:
            return
        if not text:
            self.note_message.set_message("Note: type the note first")
            self.note.setFocus()
            return
        self.note_message.set_message(None)
        self.add_note_button.setEnabled(False)
        referral = self.referral

        def done(saved: Referral) -> None:
            self.add_note_button.setEnabled(True)
            self.note.clear()
            self._saved(saved.id)
            self.session.referral_changed.emit(saved.id)

        def failed(error: Exception) -> None:
            self.add_note_button.setEnabled(True)
            if isinstance(error, ConflictError):
                messages.show_error(self, error).setInformativeText(
                    "Your note has been kept in the box. The referral has been reloaded; "
                    "press Enter in the note box to add it again.")
                self.reload()
            else:
                self.note_message.set_message(messages.describe(error)[1])

        self.session.operations.run(
            self.session.services.referrals.add_note, self.session.user.id, referral.id,
            referral.version, text, done=done, failed=failed, owner=self,
            message="Adding the note…")

    def _saved(self, referral_id: int) -> None:
        self.saved.emit(referral_id)
        self.show_referral(referral_id)

    def say(self, text: str, ok: bool = True) -> None:
        """A message under the buttons: the outcome of an action, or a problem."""
        text = text if ok else f"Problem: {text}"
        self.result.setStyleSheet("" if ok else f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.result.setText(text)
        self.result.setAccessibleDescription(text)
        self.result.show()

    def run_action(self, action: ReferralAction) -> None:
        if self.referral is None:
            return
        data = snapshot(self.referral, self.referral.service)

        def done(result: ActionResult) -> None:
            self.say(f"{action.label}: {result.message}", ok=result.ok)

        self.session.operations.run(self.session.plugins.run_action, action, data, done=done,
                                    owner=self, message=f"Running {action.label}…")


def notes_text(notes: list[ReferralNote]) -> str:
    """The notes, oldest first, each under its time and author; a correction says what it
    corrects (the corrected note stays, as written)."""
    if not notes:
        return "No notes yet."
    by_id = {note.id: note for note in notes}
    entries = []
    for note in notes:
        heading = f"{moment(note.at)}  {note.author.display_name}"
        corrected = by_id.get(note.corrects_id) if note.corrects_id else None
        if corrected is not None:
            heading += (f" (corrects the note of {moment(corrected.at)} by "
                        f"{corrected.author.display_name})")
        entries.append(f"{heading}\n{note.text}")
    return "\n\n".join(entries)
