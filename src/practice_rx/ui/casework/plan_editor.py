"""Writing the care and support plan with the person: Save keeps a version, Agree records
that the person agreed it (a later change is a new version, shown as not yet agreed).

Opens on the latest version, so the link worker carries on where they left off.
Every problem the service names is shown at once; the first field with one takes
the focus. A save refused because the case changed on another desk keeps what was
typed and reloads the case.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.identifiers import format_date, format_moment
from practice_rx.errors import ConflictError, ValidationError
from practice_rx.services.care_plans import Agreement, PlanContent, PlanVersion, section_form
from practice_rx.ui import messages
from practice_rx.ui.casework.actions_model import WHO, ActionsModel
from practice_rx.ui.form_renderer import FormRenderer
from practice_rx.ui.patient_banner import PatientBanner
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, hint, labelled, row_table

#: a first review is usually some weeks after the plan is made
REVIEW_AFTER = timedelta(weeks=6)


def _text_box(name: str, lines: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(name)
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setDisplayFormat("d MMM yyyy")
    edit.setCalendarPopup(True)
    return edit


class PlanEditor(QDialog):
    """``PlanEditor(session, referral_id)``: the plan of one case, for the link worker."""

    #: the version just written (a :class:`CarePlanVersion`)
    saved = Signal(object)

    def __init__(self, session: Session, referral_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plan_editor")
        self.setWindowTitle(f"Care and support plan: referral {referral_id}")
        self.session = session
        self.referral_id = referral_id
        self.referral = None
        self._loaded_content: PlanContent | None = None
        self._discard_confirmed = False
        self.banner = PatientBanner(lambda: session.services.clock().date())
        self.state = hint("Loading the plan…")
        self.state.setObjectName("plan_state")

        self.what_matters = _text_box("what_matters", 4)
        self.who_involved = QLineEdit()
        self.who_involved.setObjectName("who_involved")
        self.outcomes = _text_box("outcomes", 3)
        self.actions = ActionsModel(parent=self)
        self.table = row_table(QTableView())
        self.table.setObjectName("actions")
        self.table.setModel(self.actions)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.DoubleClicked)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setColumnWidth(0, 150)
        self.table.setColumnWidth(1, 330)
        self.table.setColumnWidth(2, 110)
        self.table.setMinimumHeight(self.table.verticalHeader().defaultSectionSize() * 4 + 30)
        self.add_action = QPushButton("&Add action")
        self.remove_action = QPushButton("&Remove action")
        self.done_action = QPushButton("Mark &done / not done")
        self.review_on = _date_edit("review_on")
        self.agreed_on = _date_edit("agreed_on")
        self.agreed_others = QLineEdit()
        self.agreed_others.setObjectName("agreed_others")
        self.agreed_others.setPlaceholderText("For example her daughter Anne")
        self.renderers: dict[str, FormRenderer] = {
            key: FormRenderer(section_form(section))
            for key, section in session.services.care_plans.sections.items()}
        self.message = FieldMessage("Plan")
        self.message.setObjectName("plan_message")

        form = QFormLayout()
        form.addRow(labelled("&What matters to the person (in their own words):",
                             self.what_matters, name="What matters to the person",
                             description="Required; Tab moves on"))
        form.addRow(self.what_matters)
        form.addRow(labelled("Who they want &involved:", self.who_involved,
                             name="Who they want involved"), self.who_involved)
        form.addRow(labelled("&Outcomes agreed (one on each line):", self.outcomes,
                             name="Outcomes agreed",
                             description="One outcome on each line; Tab moves on"))
        form.addRow(self.outcomes)
        form.addRow(labelled("Ac&tions:", self.table, name="Actions",
                             description="Type to change a cell; Space ticks Done"))
        form.addRow(self.table)
        buttons_row = QHBoxLayout()
        for button in (self.add_action, self.remove_action, self.done_action):
            buttons_row.addWidget(button)
        buttons_row.addStretch(1)
        form.addRow(buttons_row)
        form.addRow(labelled("Re&view date:", self.review_on, name="Review date"),
                    self.review_on)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(form)
        for renderer in self.renderers.values():
            body_layout.addWidget(renderer)
        agreement = QGroupBox("When the person agrees the plan")
        agreement_form = QFormLayout(agreement)
        agreement_form.addRow(labelled("Agreed o&n:", self.agreed_on, name="Agreed on"),
                              self.agreed_on)
        agreement_form.addRow(labelled("Also agreed &by (optional):", self.agreed_others,
                                       name="Also agreed by"), self.agreed_others)
        body_layout.addWidget(agreement)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.ApplyRole)
        self.save_button.setAccessibleName("Save this version, not yet agreed")
        self.agree_button = self.buttons.addButton("A&gree with the person",
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        self.agree_button.setAccessibleName("Save this version as agreed with the person")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(heading("Care and support plan", 3))
        layout.addWidget(self.state)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.add_action.clicked.connect(self._add_action)
        self.remove_action.clicked.connect(
            lambda: self.actions.remove(self.table.currentIndex().row()))
        self.done_action.clicked.connect(
            lambda: self.actions.toggle_done(self.table.currentIndex().row()))
        self.save_button.clicked.connect(lambda: self.submit(agree=False))
        self.agree_button.clicked.connect(lambda: self.submit(agree=True))
        cancel.clicked.connect(self.reject)
        self._set_buttons(False)
        today = session.services.clock().date()
        self.review_on.setDate(QDate(today + REVIEW_AFTER))
        self.agreed_on.setDate(QDate(today))
        self.agreed_on.setMaximumDate(QDate(today))
        open_size(self, 900, 740)
        self.load()

    # -- loading -------------------------------------------------------------------------

    def load(self, keep_typed: bool = False) -> None:
        services, user = self.session.services, self.session.user

        def fetch():
            return (services.referrals.get(user.id, self.referral_id),
                    services.care_plans.versions(user.id, self.referral_id))

        self.session.operations.run(fetch, done=lambda got: self._loaded(*got, keep_typed),
                                    failed=self._failed, owner=self,
                                    message="Opening the plan…")

    def _loaded(self, referral, versions: list[PlanVersion], keep_typed: bool) -> None:
        self.referral = referral
        self.banner.set_patient(referral.patient, referral.id)
        latest = versions[-1] if versions else None
        if latest is None:
            self.state.setText("No plan yet: write what matters to the person first.")
        else:
            agreed = (f"agreed with {latest.agreed_with} on {format_date(latest.agreed_on)}"
                      if latest.agreed else "not yet agreed")
            self.state.setText(
                f"Version {latest.number}, saved {format_moment(latest.recorded_at)} by "
                f"{latest.recorded_by}: {agreed}. Saving makes version {latest.number + 1}.")
        if latest is not None and not keep_typed:
            self.set_content(latest.content)
        if not keep_typed:
            self._loaded_content = self.content()
        self._set_buttons(True)
        self.what_matters.setFocus()

    def _failed(self, error: Exception) -> None:
        self._set_buttons(self.referral is not None)
        self.message.set_message(messages.describe(error)[1])

    # -- the plan as typed -----------------------------------------------------------------

    def set_content(self, content: PlanContent) -> None:
        self.what_matters.setPlainText(content.what_matters)
        self.who_involved.setText(content.who_involved)
        self.outcomes.setPlainText("\n".join(content.outcomes))
        self.actions.set_actions(list(content.actions))
        if content.review_on:
            self.review_on.setDate(QDate(content.review_on))
        for key, renderer in self.renderers.items():
            renderer.set_answers(content.sections.get(key, {}))

    def content(self) -> PlanContent:
        outcomes = tuple(line.strip() for line in self.outcomes.toPlainText().splitlines()
                         if line.strip())
        review: date = self.review_on.date().toPython()
        return PlanContent(
            what_matters=self.what_matters.toPlainText(), who_involved=self.who_involved.text(),
            outcomes=outcomes, actions=tuple(self.actions.actions()), review_on=review,
            sections={key: renderer.answers() for key, renderer in self.renderers.items()})

    def _add_action(self) -> None:
        row = self.actions.add()
        index = self.actions.index(row, WHO)
        self.table.setFocus()
        self.table.setCurrentIndex(index)
        self.table.edit(index)

    # -- saving --------------------------------------------------------------------------

    def submit(self, agree: bool) -> None:
        if self.referral is None or not self.save_button.isEnabled():
            return
        agreement = (Agreement(agreed_on=self.agreed_on.date().toPython(),
                               others=self.agreed_others.text()) if agree else None)
        self._set_buttons(False)
        self.message.set_message(None)
        services, user = self.session.services, self.session.user
        self.session.operations.run(
            services.care_plans.save, user.id, self.referral_id, self.referral.version,
            self.content(), agreement, done=self._saved, failed=self._refused, owner=self,
            message="Saving the plan…")

    def _saved(self, version) -> None:
        self.saved.emit(version)
        self.session.referral_changed.emit(self.referral_id)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self._set_buttons(True)
        if isinstance(error, ConflictError):
            messages.show_error(self, error).setInformativeText(
                "What you typed has been kept. The case has been reloaded: save again.")
            self.load(keep_typed=True)
            return
        if not isinstance(error, ValidationError):
            self.message.set_message(messages.describe(error)[1])
            return
        self.message.set_message("\n".join(error.errors.values()))
        for key, renderer in self.renderers.items():
            prefix = f"sections.{key}."
            renderer.show_errors({name.removeprefix(prefix): text
                                  for name, text in error.errors.items()
                                  if name.startswith(prefix)})
        self._focus_first(list(error.errors))

    def _focus_first(self, keys: list[str]) -> None:
        inputs = {"what_matters": self.what_matters, "who_involved": self.who_involved,
                  "outcomes": self.outcomes, "review_on": self.review_on,
                  "agreed_on": self.agreed_on, "agreed_others": self.agreed_others}
        for key in keys:
            if key.startswith("actions["):
                row = int(key[len("actions["):key.index("]")])
                column = {"who": 0, "what": 1, "by_when": 2, "done": 3}.get(
                    key.rsplit(".", 1)[-1], 0)
                self.table.setFocus()
                self.table.setCurrentIndex(self.actions.index(row, column))
                return
            base = key.split("[", 1)[0]
            if base in inputs:
                inputs[base].setFocus()
                return

    def reject(self) -> None:
        """Esc or Cancel with changes typed asks before discarding them."""
        if self._discard_confirmed or self.referral is None \
                or self.content() == self._loaded_content:
            super().reject()
            return

        def discard() -> None:
            self._discard_confirmed = True
            super(PlanEditor, self).reject()

        messages.ask_discard(self, "Discard the changes to the plan?",
                             "What you typed has not been saved. Discard it?", discard)

    def _set_buttons(self, enabled: bool) -> None:
        self.save_button.setEnabled(enabled)
        self.agree_button.setEnabled(enabled)

    def keyPressEvent(self, event) -> None:
        # Enter in a one-line field must not agree the plan by accident: it moves on
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not isinstance(
                self.focusWidget(), QPushButton):
            self.focusNextChild()
            return
        super().keyPressEvent(event)
