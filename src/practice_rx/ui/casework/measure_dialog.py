"""Recording one outcome measure with the person: one question on each row, its scale's
labelled answers chosen by keyboard (arrow keys, or the number typed).

A measure already taken at baseline is asked on the baseline's version and is
offered as a review or closing result, so the change stays like for like; the
service refuses a part-answered questionnaire naming the question.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.casework import MeasureOccasion
from practice_rx.errors import ConflictError, ValidationError
from practice_rx.measures import MeasureDefinition
from practice_rx.measures.model import ScoreMethod
from practice_rx.services.outcome_measures import ResultRow
from practice_rx.ui import messages
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, hint, labelled

NOT_ANSWERED = "Choose an answer"


def option_text(value: int, label: str) -> str:
    return f"{value} — {label}" if label != str(value) else str(value)


class MeasureEntryDialog(QDialog):
    """``MeasureEntryDialog(session, referral_id, measure_id=None)``: record one result."""

    #: the result just recorded (a :class:`ResultRow`)
    saved = Signal(object)

    def __init__(self, session: Session, referral_id: int, measure_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("measure_dialog")
        self.setWindowTitle(f"Record an outcome measure: referral {referral_id}")
        self.session = session
        self.referral_id = referral_id
        self.referral_version: int | None = None
        self.baselines: dict[str, int] = {}  # measure id: the baseline's version
        self.definition: MeasureDefinition | None = None
        self.answers: dict[str, QComboBox] = {}
        self.measure = QComboBox()
        self.measure.setObjectName("measure")
        self.occasion = QComboBox()
        self.occasion.setObjectName("occasion")
        self.answered_on = QDateEdit()
        self.answered_on.setObjectName("answered_on")
        self.answered_on.setDisplayFormat("d MMM yyyy")
        self.answered_on.setCalendarPopup(True)
        today = QDate(session.services.clock().date())
        self.answered_on.setDate(today)
        self.answered_on.setMaximumDate(today)
        self.direction = hint("")
        self.questions = QWidget()
        self.questions_form = QFormLayout(self.questions)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.questions)
        self.message = FieldMessage("Outcome measure")
        self.message.setObjectName("measure_message")
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("&Save result", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self.submit)

        top = QFormLayout()
        top.addRow(labelled("&Measure:", self.measure, name="Measure"), self.measure)
        top.addRow(labelled("O&ccasion:", self.occasion, name="Occasion",
                            description="Baseline at the first contact; review or closing "
                            "after"), self.occasion)
        top.addRow(labelled("Ans&wered on:", self.answered_on, name="Answered on",
                            description="Not in the future"), self.answered_on)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Outcome measure", 3))
        layout.addLayout(top)
        layout.addWidget(self.direction)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.measure.currentIndexChanged.connect(lambda *_: self._measure_chosen())
        self.save_button.setEnabled(False)
        open_size(self, 760, 640)
        self._wanted = measure_id
        self._load()

    # -- loading -------------------------------------------------------------------------

    def _load(self) -> None:
        services, user = self.session.services, self.session.user

        def fetch():
            referral = services.referrals.get(user.id, self.referral_id)
            results = services.outcome_measures.results(user.id, self.referral_id)
            baselines = {r.measure_id: r.measure_version for r in results
                         if r.occasion == MeasureOccasion.BASELINE}
            measures = {m.id: m for m in services.outcome_measures.available()}
            for measure_id, version in baselines.items():  # asked on the baseline's version
                measures[measure_id] = services.outcome_measures.definition(measure_id, version)
            return referral.version, baselines, list(measures.values())

        self.session.operations.run(fetch, done=self._loaded, failed=self._failed, owner=self,
                                    message="Opening the outcome measures…")

    def _loaded(self, got) -> None:
        self.referral_version, self.baselines, measures = got
        self.measure.blockSignals(True)
        self.measure.clear()
        for measure in measures:
            self.measure.addItem(measure.title, measure)
            if measure.id == self._wanted:
                self.measure.setCurrentIndex(self.measure.count() - 1)
        self.measure.blockSignals(False)
        if not measures:
            self.message.set_message("No outcome measure is installed; ask your practice admin.")
            return
        self._measure_chosen()
        self.save_button.setEnabled(True)
        self.measure.setFocus()

    def _failed(self, error: Exception) -> None:
        self.message.set_message(messages.describe(error)[1])

    def _measure_chosen(self) -> None:
        definition: MeasureDefinition | None = self.measure.currentData()
        if definition is None:
            return
        self.definition = definition
        self.occasion.clear()
        for occasion in MeasureOccasion:
            if occasion == MeasureOccasion.BASELINE and definition.id in self.baselines:
                continue
            self.occasion.addItem(occasion.label, occasion.value)
        directions = {definition.better_when_higher(key) for key in definition.score_keys()}
        self.direction.setText(
            "For this measure a lower score is better." if directions == {False} else
            "Higher is better, except where a question says lower is better."
            if len(directions) > 1 else "")
        while self.questions_form.rowCount():
            self.questions_form.removeRow(0)
        self.answers = {}
        previous: QWidget = self.answered_on
        for number, item in enumerate(definition.items, 1):
            box = QComboBox()
            box.setObjectName(f"answer_{item.key}")
            box.setPlaceholderText(NOT_ANSWERED)
            for option in definition.scales[item.scale].options:
                box.addItem(option_text(option.value, option.label), option.value)
            box.setCurrentIndex(-1)
            mnemonic = f"&{number}. " if number < 10 else f"{number}. "
            worse = (" (lower is better)" if definition.method is ScoreMethod.EACH
                     and not item.higher_is_better else "")
            label = labelled(f"{mnemonic}{item.text}{worse}", box, name=item.text,
                             description="Arrow keys or the number choose an answer")
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setMinimumWidth(300)
            self.questions_form.addRow(label, box)
            self.answers[item.key] = box
            self.setTabOrder(previous, box)
            previous = box
        self.setTabOrder(previous, self.save_button)

    # -- saving --------------------------------------------------------------------------

    def given(self) -> dict[str, int]:
        return {key: box.currentData() for key, box in self.answers.items()
                if box.currentIndex() >= 0}

    def submit(self) -> None:
        if self.definition is None or self.referral_version is None \
                or not self.save_button.isEnabled():
            return
        self.save_button.setEnabled(False)
        self.message.set_message(None)
        services, user = self.session.services, self.session.user
        self.session.operations.run(
            services.outcome_measures.record, user.id, self.referral_id, self.referral_version,
            (self.definition.id, self.definition.version), self.occasion.currentData(),
            self.answered_on.date().toPython(), self.given(), done=self._saved,
            failed=self._refused, owner=self, message="Saving the outcome measure…")

    def _saved(self, result: ResultRow) -> None:
        self.saved.emit(result)
        self.session.referral_changed.emit(self.referral_id)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        self.message.set_message(messages.describe(error)[1])
        if isinstance(error, ValidationError):
            first = next((self.answers[key] for key in self.answers if key in error.errors),
                         None)
            if first is not None:
                first.setFocus()
            elif "answered_on" in error.errors:
                self.answered_on.setFocus()
            elif "occasion" in error.errors:
                self.occasion.setFocus()
        elif isinstance(error, ConflictError):
            self._load()  # changed on another desk: the case as it is now, answers kept
