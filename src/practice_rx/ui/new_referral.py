"""A new referral, start to finish, by keyboard: patient → form → service → review → send.

Ctrl+N opens it. Enter chooses in the lists and moves on to the next question in
the form (past the rest of its tick boxes); Alt+N and Alt+B step forward and back;
Ctrl+S saves a draft and Ctrl+Enter sends. The dialog only gathers what was
typed and calls the referral service; whatever the service refuses comes back
beside the field it names, and the dialog goes to that step. Nothing typed is
thrown away, and a refused send keeps the one draft it saved: trying again
updates that draft. Another clinician's draft is sent only on their behalf,
after a confirmation.

The patient banner stays above every step once the patient is chosen. The
dialog fits a practice PC (1280×720 logical pixels, or less): each step
scrolls inside, and the buttons sit in a footer that is always in view.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from practice_rx.errors import ConflictError, ValidationError
from practice_rx.forms import FormDefinition, clean_answers
from practice_rx.services.referrals import DraftChanges
from practice_rx.startup import default_form
from practice_rx.storage.models import Patient, Referral, Service, User
from practice_rx.ui import messages
from practice_rx.ui.answers_view import answers_html
from practice_rx.ui.caseload.inbound import InboundPanel, wants_inbound_panel
from practice_rx.ui.delivery.actions import deliver_after_send, status_bar_report
from practice_rx.ui.form_renderer import FormRenderer
from practice_rx.ui.formatting import ROLE_LABELS
from practice_rx.ui.patient_banner import PatientBanner, banner_text
from practice_rx.ui.patient_picker import PatientPicker, clinic_today
from practice_rx.ui.service_picker import ServicePicker, service_line
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, hint, labelled

STEPS = ("Patient", "Form", "Service", "Review and send")
PATIENT, FORM, SERVICE, REVIEW = range(4)

PREFERRED_SIZE = QSize(900, 760)
MINIMUM_SIZE = QSize(640, 440)
#: room left on the screen for the window's title bar and borders
FRAME_ALLOWANCE = QSize(16, 48)


def _mnemonic_safe(text: str) -> str:
    """A name in a button's text: an ampersand in it is shown, not taken as an Alt key."""
    return text.replace("&", "&&")


def initial_size(available: QRect, preferred: QSize = PREFERRED_SIZE) -> QSize:
    """The preferred size, made smaller where the screen is (a 1366×768 PC, 150% scaling)."""
    return QSize(
        max(MINIMUM_SIZE.width(), min(preferred.width(),
                                      available.width() - FRAME_ALLOWANCE.width())),
        max(MINIMUM_SIZE.height(), min(preferred.height(),
                                       available.height() - FRAME_ALLOWANCE.height())))


class NewReferralDialog(QDialog):
    """Raise a referral (or continue a draft)."""

    #: (referral id, what happened) once it was sent or saved as a draft
    done = Signal(int, str)
    #: the patient chosen (a :class:`Patient`), each time one is
    patient_changed = Signal(object)

    def __init__(self, session: Session, draft_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("new_referral")
        self.session = session
        self.patient: Patient | None = None
        self.service: Service | None = None
        self.draft: Referral | None = None
        self.renderer: FormRenderer | None = None
        self._saving = False
        #: what the service refused that the dialog cannot check itself (a plugin's rule)
        self._refused_elsewhere: list[str] = []
        #: who wrote the draft being continued, when that is not the signed-in user
        self.author: User | None = None
        self.setWindowTitle("New referral" if draft_id is None else "Continue a draft referral")

        self.steps_label = QLabel()
        self.steps_label.setAccessibleName("Steps")
        self.patient_banner = PatientBanner(clinic_today(session))
        self.pages = QStackedWidget()

        # 1. patient
        self.patient_picker = PatientPicker(session)
        self.pages.addWidget(self._page("Who is the referral for?", self.patient_picker))
        # 2. form
        self.form_choice = QComboBox()
        self.form_choice.setObjectName("form_choice")
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setObjectName("form_scroll")
        form_page = QWidget()
        form_layout = QVBoxLayout(form_page)
        form_layout.setContentsMargins(0, 0, 0, 0)
        choice_row = QHBoxLayout()
        choice_row.addWidget(labelled("Referral &form:", self.form_choice, name="Referral form",
                                      description="The practice's default form is chosen"))
        choice_row.addWidget(self.form_choice, 1)
        form_layout.addLayout(choice_row)
        # reception and link workers enter referrals from outside the practice
        self.inbound = InboundPanel() if wants_inbound_panel(session) else None
        if self.inbound is not None:
            self.inbound.start_at(session.services.clock())
            form_layout.addWidget(self.inbound)
        form_layout.addWidget(self.form_scroll, 1)
        self.pages.addWidget(self._page("Referral details and consent", form_page))
        # 3. service
        self.service_picker = ServicePicker(session)
        self.pages.addWidget(self._page("Where to refer", self.service_picker))
        # 4. review
        self.review = QTextBrowser()
        self.review.setObjectName("review")
        self.review.setOpenLinks(False)
        self.review.setAccessibleName("Review the referral")
        self.problems = FieldMessage("Referral")
        self.problems.setObjectName("review_problems")
        self.on_behalf_note = QLabel()
        self.on_behalf_note.setObjectName("on_behalf_note")
        self.on_behalf_note.setWordWrap(True)
        self.on_behalf_note.hide()
        review_page = QWidget()
        review_layout = QVBoxLayout(review_page)
        review_layout.setContentsMargins(0, 0, 0, 0)
        review_layout.addWidget(self.on_behalf_note)
        review_layout.addWidget(self.problems)
        review_layout.addWidget(self.review, 1)
        self.pages.addWidget(self._page("Check, then send", review_page))

        self.back_button = QPushButton("&Back")
        self.next_button = QPushButton("&Next")
        self.next_button.setObjectName("next")
        self.draft_button = QPushButton("Save &draft")
        self.draft_button.setObjectName("save_draft")
        self.draft_button.setToolTip("Ctrl+S")
        self.send_button = QPushButton("S&end referral")
        self.send_button.setObjectName("send")
        self.send_button.setToolTip("Ctrl+Enter")
        self.cancel_button = QPushButton("Cancel")
        for button in (self.back_button, self.next_button, self.draft_button, self.send_button,
                       self.cancel_button):
            button.setAccessibleName(button.text().replace("&", ""))
            button.setAutoDefault(True)  # Enter presses the button that has the focus
            button.setDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.draft_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.send_button)
        self.status = hint("")
        self.status.setAccessibleName("Progress")

        footer = QWidget()
        footer.setObjectName("footer")
        footer_layout = QVBoxLayout(footer)
        footer_layout.setContentsMargins(0, 0, 0, 0)
        footer_layout.addWidget(self.status)
        footer_layout.addLayout(buttons)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)

        layout = QVBoxLayout(self)
        layout.addWidget(self.steps_label)
        layout.addWidget(self.patient_banner)
        layout.addWidget(self.pages, 1)
        layout.addWidget(footer)

        self.patient_picker.chosen.connect(self._patient_chosen)
        self.service_picker.chosen.connect(self._service_chosen)
        self.form_choice.currentIndexChanged.connect(lambda _: self._load_form())
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.draft_button.clicked.connect(lambda: self.save(send=False))
        self.send_button.clicked.connect(lambda: self.save(send=True))
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+S"), self, lambda: self.save(send=False))
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, lambda: self.save(send=True))
        QShortcut(QKeySequence("Alt+Right"), self, self.next)
        QShortcut(QKeySequence("Alt+Left"), self, self.back)

        self.setMinimumSize(MINIMUM_SIZE)
        screen = (parent.screen() if parent is not None else None) or \
            QGuiApplication.primaryScreen()
        self.resize(initial_size(screen.availableGeometry()) if screen else PREFERRED_SIZE)
        self._fill_forms()
        if draft_id is None:
            self.go(PATIENT)
        else:
            self._load_draft(draft_id)

    @staticmethod
    def _page(title: str, content: QWidget) -> QWidget:
        """A step: its heading and content. Every step's content gives way when the window
        is small (a list, the form's scroll area, the review's text), so no step needs
        more than a small window and the footer stays in view."""
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading(title, 2))
        layout.addWidget(content, 1)
        return page

    # -- steps ----------------------------------------------------------------------------

    @property
    def step(self) -> int:
        return self.pages.currentIndex()

    def go(self, step: int) -> None:
        if step > PATIENT and self.patient is None:
            step = PATIENT
            self.status.setText("Choose the patient first.")
        if step == REVIEW:
            self._fill_review()
        if step == SERVICE and not self.service_picker.results.count():
            self.service_picker.find()
        if step == PATIENT and self.patient is not None and self.step != PATIENT:
            self.patient_picker.search.show_only(self.patient)
        self.pages.setCurrentIndex(step)
        self.steps_label.setText(" › ".join(
            f"<b>{i + 1}. {name}</b>" if i == step else f"{i + 1}. {name}"
            for i, name in enumerate(STEPS)))
        self.steps_label.setAccessibleDescription(f"Step {step + 1} of {len(STEPS)}: "
                                                  f"{STEPS[step]}")
        self.back_button.setEnabled(step > PATIENT)
        self.next_button.setVisible(step < REVIEW)
        self.send_button.setVisible(step == REVIEW)
        self.draft_button.setEnabled(self.patient is not None)
        self._focus_step()

    def _focus_step(self) -> None:
        step = self.step
        if step == PATIENT:
            self.patient_picker.focus()
        elif step == FORM and self.renderer is not None:
            first = self.renderer.first_to_answer()
            if first is not None:
                self.renderer.focus_field(first)
        elif step == SERVICE:
            self.service_picker.search.setFocus()
        elif step == REVIEW:
            self.send_button.setFocus()

    def next(self) -> None:
        step = self.step
        if step == PATIENT:
            if self.patient_picker.currentWidget() is self.patient_picker.form:
                self.patient_picker.form.save()
            elif not self.patient_picker.search.enter() and self.patient is not None:
                self.go(FORM)
        elif step == FORM:
            self.go(SERVICE)
        elif step == SERVICE and not self.service_picker.enter():
            self.go(REVIEW)

    def back(self) -> None:
        if self.step > PATIENT:
            self.go(self.step - 1)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter: choose in a list, move to the next field in the form; never send."""
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter) or event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            super().keyPressEvent(event)
            return
        step = self.step
        if step == PATIENT:
            if self.patient_picker.currentWidget() is self.patient_picker.form:
                self.patient_picker.form.save()
            else:
                self.patient_picker.search.enter()
        elif step == FORM and (self.renderer is None
                               or not self.renderer.focus_next_question()):
            self.focusNextChild()
        elif step == SERVICE:
            self.service_picker.enter()
        event.accept()

    # -- choices ---------------------------------------------------------------------------

    def _patient_chosen(self, patient: Patient) -> None:
        if self.draft is not None and patient.id != self.draft.patient_id:
            self.status.setText("A saved draft stays with its patient; start a new referral "
                                "for another patient.")
            return
        before = self.patient
        self.patient = patient
        self._follow_practice(before)
        self.patient_banner.set_patient(patient, self.draft.id if self.draft else None)
        self.patient_picker.back_to_search()
        self.status.setText("")
        self.patient_changed.emit(patient)
        self.go(FORM)

    def choose_patient(self, patient: Patient) -> None:
        """Start on ``patient`` (found by the caller through the patient service), as if
        chosen in the search: the banner shows and the journey moves to the form."""
        self._patient_chosen(patient)

    def add_notice(self, notice: QWidget) -> None:
        """A notice above the banner, seen at every step (where the journey came from)."""
        self.layout().insertWidget(self.layout().indexOf(self.patient_banner), notice)

    def _service_chosen(self, service: Service) -> None:
        self.service = service
        self.service_picker.message.set_message(None)
        self.go(REVIEW)

    # -- forms -----------------------------------------------------------------------------

    def _fill_forms(self) -> None:
        records = self.session.services.forms.available()
        preferred = default_form(self.session.app)
        self.form_choice.blockSignals(True)
        for record in records:
            self.form_choice.addItem(f"{record.title} (version {record.version})",
                                     (record.form_id, record.version))
        if preferred is not None:
            self.form_choice.setCurrentIndex(self._form_index(preferred))
        self.form_choice.blockSignals(False)
        self._load_form()

    def _form_index(self, key: tuple[str, int]) -> int:
        """The index of the form ``(id, version)``, else 0. Compared here because
        ``QComboBox.findData`` compares a Python tuple by identity, so never matches."""
        for index in range(self.form_choice.count()):
            if tuple(self.form_choice.itemData(index) or ()) == tuple(key):
                return index
        return 0

    def _load_form(self, key: tuple[str, int] | None = None, answers: dict | None = None) -> None:
        key = key or self.form_choice.currentData()
        if key is None:
            self.form_scroll.setWidget(QLabel("No referral form is installed. Check the "
                                              "plugins (Tools › Plugins)."))
            self.renderer = None
            return
        previous = self.renderer.answers() if self.renderer is not None else {}
        form = self.session.services.forms.get(*key)
        self.renderer = FormRenderer(form)
        self.renderer.setObjectName("form_renderer")
        keys = {field.key for field in form.fields()} | {
            field.other_text_key for field in form.fields() if field.other_text_key}
        start = {**self._prefill(form, self.patient), **{k: v for k, v in previous.items() if k in keys}}
        if answers is not None:
            start = answers
        self.renderer.set_answers(start)
        self.form_scroll.setWidget(self.renderer)

    def _follow_practice(self, before: Patient | None) -> None:
        """In a network the referrer writes from the patient's practice: the prefilled
        organisation, phone and email follow the patient chosen, unless typed over."""
        if self.renderer is None or self.draft is not None:
            return
        form = self.renderer.form
        old = self._prefill(form, before)
        new = self._prefill(form, self.patient)
        answers = self.renderer.answers()
        moved = {key: new.get(key, "") for key in ("referrer_organisation", "referrer_phone",
                                                     "referrer_email")
                 if key in old and answers.get(key) == old[key]}
        if moved:
            self.renderer.set_answers({**answers, **moved})

    def _prefill(self, form: FormDefinition, patient: Patient | None) -> dict[str, object]:
        """Who is referring and today's date, so the GP types only what only they know;
        the practice is ``patient``'s (the first practice before one is chosen)."""
        user = self.session.user
        practice = self.session.services.practice.get(patient.practice_id if patient else None)
        values = {
            "referrer_name": user.display_name,
            "referrer_role": user.job_title or ROLE_LABELS.get(user.role, ""),
            "referrer_organisation": practice.name if practice else "",
            "referrer_phone": practice.phone if practice else "",
            "referrer_email": practice.email if practice else "",
            "consent_date": self.session.services.clock().date().isoformat(),
        }
        keys = {field.key for field in form.fields()}
        return {key: value for key, value in values.items() if key in keys and value}

    def _load_draft(self, draft_id: int) -> None:
        referral = self.session.services.referrals.get(self.session.user.id, draft_id)
        self.draft = referral
        if referral.referrer_id != self.session.user.id:
            self.author = referral.referrer
            name = referral.referrer.display_name
            self.send_button.setText(f"S&end on behalf of {_mnemonic_safe(name)}…")
            self.send_button.setAccessibleName(f"Send on behalf of {name}")
            self.on_behalf_note.setText(
                f"<b>Written by {escape(name)}.</b> You are sending it on their behalf; "
                "you will be asked to confirm, and both names are recorded.")
            self.on_behalf_note.show()
        key = (referral.form_id, referral.form_version)
        if self.form_choice.findData(key) < 0:
            self.form_choice.addItem(f"{referral.form_id} (version {referral.form_version})",
                                     key)
        self.form_choice.blockSignals(True)
        self.form_choice.setCurrentIndex(self.form_choice.findData(key))
        self.form_choice.blockSignals(False)
        self.form_choice.setEnabled(False)
        self._load_form(key, dict(referral.answers))
        if self.inbound is not None:
            self.inbound.set_from(referral)
        self.service = referral.service
        if referral.service is not None:
            self.service_picker.select(referral.service.id)
        self._patient_chosen(referral.patient)

    # -- review ----------------------------------------------------------------------------

    def _fill_review(self) -> None:
        parts = []
        if self.patient is not None:
            today = self.session.services.clock().date()
            parts.append(f"<h3>Patient</h3><p>{escape(banner_text(self.patient, today))}</p>")
        parts.append("<h3>Service</h3><p>" + (escape(service_line(self.service))
                     if self.service else "<b>Not chosen yet</b>") + "</p>")
        problems: list[str] = []
        if self.renderer is not None:
            form = self.renderer.form
            answers = self.renderer.answers()
            try:
                cleaned = clean_answers(form, answers, complete=True,
                                        today=self.session.services.clock().date())
            except ValidationError as error:
                problems.extend(error.errors.values())
                try:
                    cleaned = clean_answers(form, answers, complete=False,
                                            today=self.session.services.clock().date())
                except ValidationError:
                    cleaned = {}
            parts.append(answers_html(form, cleaned))
        if self.service is None:
            problems.append("Service: choose the service to refer to")
        if problems:
            self.problems.set_message("Before it can be sent: " + "; ".join(problems))
        elif self._refused_elsewhere:
            # what only the service knows (a plugin's check): kept until the next send
            self.problems.set_message("Not sent: " + "; ".join(self._refused_elsewhere))
        else:
            self.problems.set_message(None)
            if self.status.text().startswith("Not sent"):
                self.status.setText("Everything needed is there: check it, then send.")
        self.review.setHtml("".join(parts))

    # -- saving ----------------------------------------------------------------------------

    def save(self, send: bool) -> None:
        if self.patient is None:
            self.go(PATIENT)
            self.status.setText("Choose the patient first.")
            return
        if self.renderer is None or self._saving:
            return  # a second Ctrl+Enter while the first is saving would make a second draft
        if self.inbound is not None and (problem := self.inbound.problem()):
            self._show_errors({"occurred_at": problem})
            return
        if send and self.author is not None:
            self._confirm_on_behalf()
            return
        self._save(send)

    def _confirm_on_behalf(self) -> None:
        """Another clinician's draft goes only after the sender says it is on their behalf."""
        name = self.author.display_name
        box = QMessageBox(QMessageBox.Icon.Question, f"Send on behalf of {name}?",
                          f"This draft was written by {name}. Send it on their behalf? "
                          "Your name and theirs are recorded with the referral.",
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("confirm_on_behalf")
        send = box.addButton(f"&Send on behalf of {_mnemonic_safe(name)}",
                             QMessageBox.ButtonRole.AcceptRole)
        send.setObjectName("send_on_behalf")
        keep = box.addButton("&Do not send", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result: box.clickedButton() is send and self._save(
            send=True, on_behalf=True))
        box.open()

    def _save(self, send: bool, on_behalf: bool = False) -> None:
        self._saving = True
        self.send_button.setEnabled(False)
        self.draft_button.setEnabled(False)
        self.status.setText("Sending…" if send else "Saving the draft…")
        services, user_id = self.session.services, self.session.user.id
        changes = DraftChanges(service_id=self.service.id if self.service else None,
                               answers=self.renderer.answers(),
                               source=self.inbound.source_details() if self.inbound else None)
        if self.draft is None:
            form_key = (self.renderer.form.id, self.renderer.form.version)
            self.session.operations.run(
                services.referrals.create_draft, user_id, self.patient.id, form_key, changes,
                done=lambda referral: self._draft_saved(referral, send, on_behalf),
                failed=self._refused, owner=self, message="Saving the draft…")
        else:
            self.session.operations.run(
                services.referrals.update_draft, user_id, self.draft.id, self.draft.version,
                changes, done=lambda referral: self._draft_saved(referral, send, on_behalf),
                failed=self._refused, owner=self, message="Saving the draft…")

    def _draft_saved(self, referral: Referral, send: bool, on_behalf: bool = False) -> None:
        self.draft = referral
        self.patient_banner.set_patient(self.patient, referral.id)
        self.form_choice.setEnabled(False)  # a draft keeps the form it was started on
        self.session.referral_changed.emit(referral.id)
        if not send:
            self._finish(referral.id, f"Draft referral {referral.id} saved.")
            return
        self.session.operations.run(
            self.session.services.referrals.send, self.session.user.id, referral.id,
            referral.version, "", on_behalf,
            self.inbound.received_at() if self.inbound else None, done=self._sent,
            failed=self._refused, owner=self,
            message="Sending the referral…")

    def _sent(self, referral: Referral) -> None:
        self.session.referral_changed.emit(referral.id)
        name = self.service.name if self.service else "the service"
        window = self.parentWidget()  # outlives this dialog, which closes now
        deliver_after_send(self.session, referral.id, window, status_bar_report(window))
        self._finish(referral.id, f"Referral {referral.id} sent to {name}.")

    def _finish(self, referral_id: int, text: str) -> None:
        self._saving = False
        self.done.emit(referral_id, text)
        self.status.setText(text)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self._saving = False
        self.send_button.setEnabled(True)
        self.draft_button.setEnabled(True)
        saved = f" Draft {self.draft.id} is saved." if self.draft is not None else ""
        if isinstance(error, ValidationError):
            self.status.setText("Not sent: some answers need attention." + saved)
            self._show_errors(error.errors)
            return
        if isinstance(error, ConflictError) and self.draft is not None:
            messages.show_error(self, error).setInformativeText(
                "Your answers are kept here. Save again to keep them.")
            self._reload_version()
        else:
            messages.show_error(self, error)
        self.status.setText(messages.describe(error)[1] + saved)

    def _show_errors(self, errors: dict[str, str]) -> None:
        on_form = self.renderer.show_errors(errors) if self.renderer is not None else []
        inbound = self.inbound.show_errors(errors) if self.inbound is not None else []
        service_error = errors.get("service_id")
        self.service_picker.message.set_message(service_error)
        rest = [text for key, text in errors.items()
                if key not in on_form and key not in inbound and key != "service_id"]
        self._refused_elsewhere = rest
        self.problems.set_message("Not sent: " + "; ".join(errors.values()) if errors else None)
        if inbound:
            self.go(FORM)
            self.inbound.inputs[inbound[0]].setFocus()
        elif on_form:
            self.go(FORM)
            self.renderer.focus_field(on_form[0])
        elif service_error:
            self.go(SERVICE)
        else:
            self.go(REVIEW)
            if rest:
                self.problems.set_message("Not sent: " + "; ".join(rest))

    def _reload_version(self) -> None:
        def done(referral: Referral) -> None:
            self.draft = referral

        self.session.operations.run(self.session.services.referrals.get, self.session.user.id,
                                    self.draft.id, done=done, owner=self,
                                    message="Reloading the draft…")

    # -- closing ----------------------------------------------------------------------------

    def reject(self) -> None:
        """Closing with unsaved answers asks first; nothing typed goes without a yes."""
        typed = self.renderer is not None and self.patient is not None and self.draft is None
        if not typed or getattr(self, "_discard_confirmed", False):
            super().reject()
            return
        def discard() -> None:
            self._discard_confirmed = True
            super(NewReferralDialog, self).reject()

        messages.ask_discard(self, "Discard this referral?",
                             "The referral has not been saved. Discard it?", discard)

