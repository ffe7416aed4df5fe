"""A person's outcome measures: the change from baseline, and a chart per measure over time.

The change is said in words first (baseline to the latest follow-up, or "no
follow-up yet"), each score marked better or worse by its own direction; the
chart below repeats it as a picture, and its text alternative as a list.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QScrollArea, QVBoxLayout, QWidget

from practice_rx.domain.permissions import Action
from practice_rx.services.outcome_measures import MeasureChange, ScoreChange
from practice_rx.ui import messages
from practice_rx.ui.casework.measure_dialog import MeasureEntryDialog
from practice_rx.ui.casework.score_chart import ScoreChart
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, hint


def change_words(step: ScoreChange) -> str:
    """One score's change, in words that do not rely on colour or arrows."""
    lower = "" if step.higher_is_better else " (lower is better)"
    if step.follow_up is None:
        return f"{step.label}{lower}: {step.baseline:g} at baseline; no follow-up yet"
    verdict = {True: "better", False: "worse", None: "no change"}[step.better]
    return f"{step.label}{lower}: {step.baseline:g} to {step.follow_up:g} ({verdict})"


class OutcomesPanel(QWidget):
    """``OutcomesPanel(session, referral_id)``: the case's outcome measures; link workers can
    record one from here."""

    def __init__(self, session: Session, referral_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcomes_panel")
        self.session = session
        self.referral_id = referral_id
        self.charts: dict[str, ScoreChart] = {}
        self.record_button = QPushButton("Record an outcome &questionnaire…")
        self.record_button.setVisible(session.can(Action.RECORD_CASEWORK))
        self.record_button.clicked.connect(self.record)
        self.message = FieldMessage("Outcome measures")
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Outcome measures", 3))
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.record_button)
        session.referral_changed.connect(
            lambda referral_id: referral_id == self.referral_id and self.reload())
        self.reload()

    def reload(self) -> None:
        services, user = self.session.services, self.session.user

        def fetch():
            results = services.outcome_measures.results(user.id, self.referral_id)
            changes = services.outcome_measures.changes(user.id, self.referral_id)
            definitions = {(c.measure_id, c.measure_version): services.outcome_measures
                           .definition(c.measure_id, c.measure_version) for c in changes}
            return results, changes, definitions

        self.session.operations.run(fetch, done=self._loaded, owner=self,
                                    failed=lambda e: self.message.set_message(
                                        messages.describe(e)[1]),
                                    message="Opening the outcome measures…")

    def _loaded(self, got) -> None:
        results, changes, definitions = got
        while self.body_layout.count():
            widget = self.body_layout.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.charts = {}
        if not changes:
            self.body_layout.addWidget(hint("No outcome measures recorded yet."))
        for measure in changes:
            self._add_measure(measure, results, definitions)
        self.body_layout.addStretch(1)

    def _add_measure(self, measure: MeasureChange, results, definitions) -> None:
        self.body_layout.addWidget(heading(measure.title, 4))
        self.body_layout.addWidget(hint(measure.text))
        for step in measure.scores:
            self.body_layout.addWidget(hint(change_words(step)))
        chart = ScoreChart()
        chart.show_measure(definitions[(measure.measure_id, measure.measure_version)], results)
        self.charts[measure.measure_id] = chart
        self.body_layout.addWidget(chart)

    def record(self) -> None:
        dialog = MeasureEntryDialog(self.session, self.referral_id, parent=self)
        dialog.open()
