"""The Casework tab of a referral: who holds the case, what is due, and the link worker's
commands, with the connections and outcome measures of the case.

Each role sees what the service layer gives it: a receptionist the dates (never
what was said), a clinician the summary, a link worker everything and the
commands. The panels are made anew for each referral shown, so one never shows
another person's case.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from practice_rx.domain.identifiers import format_date
from practice_rx.domain.permissions import Action
from practice_rx.domain.statuses import Status
from practice_rx.storage.models import Referral
from practice_rx.ui.flow_layout import FlowLayout
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import hint

OPEN_CASE = (Status.ACCEPTED, Status.CONTACTED, Status.IN_PROGRESS)
NOT_A_CASE = "Casework is kept for referrals to the link worker service."
CONNECTIONS_HEIGHT = 150
CONTACTS_HEIGHT = 180
OUTCOMES_HEIGHT = 420


class CaseworkTab(QWidget):
    """``CaseworkTab(session)``; :meth:`set_referral` with each referral the pane shows."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("casework_tab")
        self.session = session
        self.referral_id: int | None = None
        self.summary = QLabel()
        self.summary.setObjectName("casework_summary")
        self.summary.setWordWrap(True)
        self.buttons = FlowLayout()
        self.commands: dict[str, QPushButton] = {}
        for key, text in (("allocate", "&Allocate…"), ("contact", "Record &contact…"),
                          ("plan", "Care and support &plan…"), ("history", "Plan h&istory…"),
                          ("close", "Clo&se case…")):
            button = QPushButton(text)
            button.setObjectName(f"casework_{key}")
            self.commands[key] = button
            self.buttons.addWidget(button)
        self.panels = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(self.buttons)
        layout.addLayout(self.panels, 1)
        self.commands["allocate"].clicked.connect(lambda: self._open("allocate"))
        self.commands["contact"].clicked.connect(lambda: self._open("contact"))
        self.commands["plan"].clicked.connect(lambda: self._open("plan"))
        self.commands["history"].clicked.connect(lambda: self._open("history"))
        self.commands["close"].clicked.connect(lambda: self._open("close"))
        self.set_referral(None)

    @staticmethod
    def is_case(referral: Referral | None) -> bool:
        """A referral the link workers hold, or one to their service."""
        return referral is not None and (referral.allocated_to_id is not None or bool(
            referral.service is not None and referral.service.is_link_worker))

    def set_referral(self, referral: Referral | None) -> None:
        self._clear_panels()
        self.referral_id = referral.id if referral is not None else None
        can = self.session.can
        sees = can(Action.VIEW_CASELOAD) or can(Action.VIEW_CASE_SUMMARY)
        if not self.is_case(referral) or not sees:
            self.summary.setText(NOT_A_CASE if referral is not None else "")
            for button in self.commands.values():
                button.hide()
            return
        self.summary.setText(self._summary_text(referral))
        status = Status(referral.status)
        records = can(Action.RECORD_CASEWORK) and referral.allocated_to_id is not None
        shown = {
            "allocate": can(Action.ALLOCATE_REFERRALS) and status in OPEN_CASE,
            "contact": records and status in OPEN_CASE,
            "plan": records and status in OPEN_CASE,
            "history": can(Action.VIEW_CASEWORK),
            "close": records and status == Status.IN_PROGRESS,
        }
        for key, button in self.commands.items():
            button.setVisible(shown[key])
        if referral.allocated_to_id is not None and (can(Action.VIEW_CASEWORK)
                                                     or can(Action.VIEW_CASELOAD)):
            from practice_rx.ui.casework.contacts_panel import ContactsPanel

            contacts = ContactsPanel(self.session, referral.id, self)
            contacts.table.setMaximumHeight(CONTACTS_HEIGHT)
            self.panels.addWidget(contacts)
        if can(Action.VIEW_CASE_SUMMARY) and referral.allocated_to_id is not None:
            from practice_rx.ui.casework.connections_panel import ConnectionsPanel
            from practice_rx.ui.casework.outcomes_panel import OutcomesPanel

            connections = ConnectionsPanel(self.session, referral.id, self)
            connections.table.setMaximumHeight(CONNECTIONS_HEIGHT)  # a few rows; it scrolls
            self.panels.addWidget(connections)
            outcomes = OutcomesPanel(self.session, referral.id, self)
            outcomes.setMinimumHeight(OUTCOMES_HEIGHT)  # a chart and its words, unsquashed
            self.panels.addWidget(outcomes)
        elif not can(Action.VIEW_CASE_SUMMARY):
            self.panels.addWidget(hint("What the person and their link worker talked about, "
                                       "and their plan, are kept for the link workers and "
                                       "clinicians."))

    def _summary_text(self, referral: Referral) -> str:
        worker = referral.allocated_to
        if worker is None:
            held = "Not yet allocated to a link worker."
        else:
            held = f"Link worker: {worker.display_name}."
        due = referral.next_contact_due_on
        if due is not None and referral.status in OPEN_CASE:
            late = due < self.session.services.clock().date()
            held += f" Next contact {'was ' if late else ''}due {format_date(due)}" + (
                " (overdue)." if late else ".")
        return held

    def _clear_panels(self) -> None:
        while self.panels.count():
            widget = self.panels.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()

    def _open(self, key: str) -> QWidget | None:
        """The dialog for a command, about the referral shown now (never a remembered one)."""
        if self.referral_id is None:
            return None
        referral_id, session = self.referral_id, self.session
        if key == "allocate":
            from practice_rx.ui.caseload.allocate import AllocateDialog as Dialog
        elif key == "contact":
            from practice_rx.ui.caseload.record_contact import RecordContactDialog as Dialog
        elif key == "plan":
            from practice_rx.ui.casework.plan_editor import PlanEditor as Dialog
        elif key == "history":
            from practice_rx.ui.casework.plan_history import PlanHistory as Dialog
        else:
            from practice_rx.ui.casework.closing_dialog import ClosingDialog as Dialog
        dialog = Dialog(session, referral_id, self.window())
        dialog.open()
        return dialog
