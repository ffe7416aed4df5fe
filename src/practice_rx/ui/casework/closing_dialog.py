"""Close a case: how far the goals were met, why not, and a short summary; Enter saves.

Shows, read-only, the services the plan connected the person to and the latest
outcome scores (what the message back to the GP will say), so the link worker
closes with them in view. Everything is read and saved off the GUI thread
through :class:`practice_rx.services.closing.ClosingService`.

Entry point: ``ClosingDialog(session, referral_id, parent)``; ``closed`` is
emitted with the :class:`CaseClosure` once saved (and ``session.referral_changed``
with the referral's id).
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.casework import GoalsMet
from practice_rx.errors import ConflictError, ValidationError
from practice_rx.services.closing import MAX_SUMMARY, Closing
from practice_rx.ui import messages
from practice_rx.ui.patient_banner import PatientBanner
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session
from practice_rx.ui.when_it_happened import WhenItHappened
from practice_rx.ui.widgets import FieldMessage, NoteEdit, heading, hint, labelled

MNEMONICS = {GoalsMet.FULLY: "&Fully met", GoalsMet.PARTLY: "&Partly met",
             GoalsMet.NOT_MET: "&Not met"}


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def connection_lines(lines) -> str:
    if not lines:
        return "No services were connected through the plan."
    return "\n".join(f"• {line.service}: {line.status_label}"
                     + (" (connected)" if line.connected else "") for line in lines)


def score_lines(measures) -> str:
    if not measures:
        return "No outcome measures were taken."
    out = []
    for measure in measures:
        out.append(measure.title)
        for score in measure.scores:
            change = f", {score.change}" if score.change else ""
            lower = " (lower is better)" if score.lower_is_better else ""
            out.append(f"   {score.label} \u2013 {_number(score.baseline)} \u2192 "
                       f"{_number(score.follow_up)}{change}{lower}")
    return "\n".join(out)


class ClosingDialog(QDialog):
    """The link worker completes a case (needs ``record_casework``; the service checks)."""

    #: the CaseClosure as saved
    closed = Signal(object)

    def __init__(self, session: Session, referral_id: int, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("closing_dialog")
        self.setWindowTitle(f"Close the case: referral {referral_id}")
        self.session = session
        self.referral_id = referral_id
        self.referral = None
        self._discard_confirmed = False
        self.banner = PatientBanner(lambda: session.services.clock().date())
        self.title = heading(f"Close the case: referral {referral_id}", 3)
        self.connections = QLabel("Reading…")
        self.connections.setObjectName("closing_connections")
        self.connections.setAccessibleName("Services connected to")
        self.connections.setWordWrap(True)
        self.scores = QLabel("Reading…")
        self.scores.setObjectName("closing_scores")
        self.scores.setAccessibleName("Latest outcome scores")
        self.scores.setWordWrap(True)
        facts = QWidget()
        facts_layout = QVBoxLayout(facts)
        facts_layout.setContentsMargins(0, 0, 0, 0)
        facts_layout.addWidget(QLabel("<b>Services connected to</b>"))
        facts_layout.addWidget(self.connections)
        facts_layout.addWidget(QLabel("<b>Outcome scores, baseline \u2192 latest</b>"))
        facts_layout.addWidget(self.scores)
        facts_layout.addStretch(1)
        self.facts = QScrollArea()
        self.facts.setObjectName("closing_facts")
        self.facts.setWidget(facts)
        self.facts.setWidgetResizable(True)
        self.facts.setMaximumHeight(190)

        self.goals = QButtonGroup(self)
        goals_row = QHBoxLayout()
        self.goal_buttons: dict[GoalsMet, QRadioButton] = {}
        for goals in GoalsMet:
            button = QRadioButton(MNEMONICS[goals])
            button.setObjectName(f"goals_{goals.value}")
            button.setAccessibleName(f"Goals {goals.label.lower()}")
            self.goals.addButton(button)
            self.goal_buttons[goals] = button
            goals_row.addWidget(button)
        goals_row.addStretch(1)
        self.why_not = NoteEdit()
        self.why_not.setObjectName("closing_why_not")
        self.why_not.setAccessibleName("Why the goals were not fully met")
        self.why_not.setPlaceholderText("What stopped the goals being met")
        self.summary = NoteEdit()
        self.summary.setObjectName("closing_summary")
        self.summary.setAccessibleName("Summary")
        self.summary.setPlaceholderText("The support given and how it ended, for the GP")
        self.happened = WhenItHappened()
        self.message = FieldMessage("Closing")
        self.message.setObjectName("closing_message")
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Close case",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("close_case")
        self.save_button.setAccessibleName("Close the case and mark it completed")
        self.save_button.setEnabled(False)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        goals_label = QLabel("Goals agreed in the plan were:")
        layout.addWidget(goals_label)
        layout.addLayout(goals_row)
        layout.addWidget(labelled("&Why not fully met:", self.why_not,
                                  name="Why the goals were not fully met",
                                  description="Needed unless the goals were fully met"))
        layout.addWidget(self.why_not)
        layout.addWidget(labelled("S&ummary:", self.summary, name="Summary",
                                  description=f"For the message back to the GP; up to "
                                              f"{MAX_SUMMARY:,} characters. Enter saves"))
        layout.addWidget(self.summary)
        layout.addWidget(hint("Enter saves; Shift+Enter starts a new line."))
        layout.addWidget(self.happened)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        buttons = [self.goal_buttons[goals] for goals in GoalsMet]
        order = [*buttons, self.why_not, self.summary, self.happened.earlier,
                 self.happened.when, self.save_button, cancel]
        for first, second in pairwise(order):
            self.setTabOrder(first, second)

        self.goals.buttonToggled.connect(lambda *_: self._explain())
        self.why_not.submitted.connect(self.submit)
        self.summary.submitted.connect(self.submit)
        self.save_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        self._explain()
        open_size(self, 620, 640)
        self.load()

    # -- reading -----------------------------------------------------------------------

    def load(self) -> None:
        services, user_id, referral_id = self.session.services, self.session.user.id, \
            self.referral_id

        def read():
            return (services.referrals.get(user_id, referral_id),
                    services.closing.connections(user_id, referral_id),
                    services.closing.scores(user_id, referral_id))

        self.session.operations.run(read, done=self._loaded, failed=self._refused, owner=self,
                                    message="Reading the case…")

    def _loaded(self, result) -> None:
        referral, connections, scores = result
        self.referral = referral
        self.banner.set_patient(referral.patient, referral.id)
        self.happened.start_at(self.session.services.clock())
        self.connections.setText(connection_lines(connections))
        self.scores.setText(score_lines(scores))
        self.save_button.setEnabled(True)
        self.goal_buttons[GoalsMet.FULLY].setFocus()

    # -- choosing ----------------------------------------------------------------------

    def chosen(self) -> GoalsMet | None:
        for goals, button in self.goal_buttons.items():
            if button.isChecked():
                return goals
        return None

    def _explain(self) -> None:
        goals = self.chosen()
        self.why_not.setEnabled(goals is not GoalsMet.FULLY)

    # -- saving ------------------------------------------------------------------------

    def submit(self) -> None:
        if self.referral is None or not self.save_button.isEnabled():
            return
        problem = self.happened.problem()
        if problem:
            self.message.set_message(problem)
            self.happened.when.setFocus()
            return
        goals = self.chosen()
        closing = Closing(goals.value if goals else "", self.summary.text(),
                          self.why_not.text() if goals is not GoalsMet.FULLY else "",
                          self.happened.occurred_at())
        self.message.set_message(None)
        self.save_button.setEnabled(False)
        self.session.operations.run(
            self.session.services.closing.close, self.session.user.id, self.referral.id,
            self.referral.version, closing, done=self._saved, failed=self._refused, owner=self,
            message="Closing the case…")

    def _saved(self, closure) -> None:
        self.closed.emit(closure)
        self.session.referral_changed.emit(self.referral_id)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(self.referral is not None)
        if isinstance(error, ConflictError):
            messages.show_error(self, error).setInformativeText(
                "What you typed has been kept. The case has been reloaded: check it, then "
                "close it again.")
            self.load()
        elif isinstance(error, ValidationError):
            self.message.set_message("Not closed yet: " + "; ".join(error.errors.values()))
            first = next(iter(error.errors))
            target = {"goals_met": self.goal_buttons[GoalsMet.FULLY],
                      "why_not": self.why_not, "summary": self.summary,
                      "occurred_at": self.happened.when}.get(first)
            if target is not None:
                target.setFocus()
        else:
            self.message.set_message(messages.describe(error)[1])

    def reject(self) -> None:
        """Esc or Cancel with something typed asks before discarding it."""
        typed = self.summary.text().strip() or self.why_not.text().strip() or self.chosen()
        if not typed or self._discard_confirmed:
            super().reject()
            return

        def discard() -> None:
            self._discard_confirmed = True
            super(ClosingDialog, self).reject()

        messages.ask_discard(self, "Discard this closing?",
                             "The outcome and summary have not been saved. Discard them?",
                             discard)
