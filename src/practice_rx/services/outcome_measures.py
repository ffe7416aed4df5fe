"""Outcome measures installed from plugins, the results recorded for a case, and the change.

Each measure version is kept for good, like a form (a score is only readable with
the definition it was scored on). A result is scored when it is recorded, every
item answered; a case has one baseline per measure, and its follow-ups use the
baseline's version, so the change from baseline is always like for like.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from practice_rx.domain.casework import MeasureOccasion
from practice_rx.domain.identifiers import format_date
from practice_rx.domain.permissions import Action
from practice_rx.errors import NotFoundError, ValidationError
from practice_rx.measures import (
    AnswersError,
    MeasureDefinition,
    MeasureScores,
    change,
    measure_from_dict,
    score,
)
from practice_rx.services.base import ServiceBase, get_or_raise
from practice_rx.services.care_plans import load_open_case, touch
from practice_rx.storage.caseload_models import MeasureDefinitionRecord, MeasureResult
from practice_rx.storage.models import Referral

FOLLOW_UPS = (MeasureOccasion.REVIEW, MeasureOccasion.CLOSING)


def stored_measure(definition: Mapping[str, Any]) -> MeasureDefinition:
    """A measure as kept beside its scores (:meth:`MeasureDefinition.to_dict`), read back."""
    return measure_from_dict(definition, source=f"stored measure '{definition.get('id')}'")


def load_measure(session: Session, measure_id: str, version: int) -> MeasureDefinition:
    record = session.get(MeasureDefinitionRecord, (measure_id, version))
    if record is None:
        raise NotFoundError(f"Outcome measure '{measure_id}' version {version} is not installed; "
                            "is the plugin that supplies it installed and enabled?")
    return stored_measure(record.definition)


@dataclass(frozen=True)
class ResultRow:
    """One recorded questionnaire with its scores."""

    id: int
    measure_id: str
    measure_version: int
    measure_title: str
    occasion: MeasureOccasion
    answered_on: date
    answers: Mapping[str, int]
    scores: Mapping[str, float]


@dataclass(frozen=True)
class ScoreChange:
    key: str
    label: str
    baseline: float
    follow_up: float | None
    higher_is_better: bool
    #: True better, False worse, None unchanged or no follow-up yet
    better: bool | None

    @property
    def difference(self) -> float | None:
        return None if self.follow_up is None else self.follow_up - self.baseline


@dataclass(frozen=True)
class MeasureChange:
    """A measure's change from baseline to the latest follow-up of the same version."""

    measure_id: str
    measure_version: int
    title: str
    baseline_on: date | None
    follow_up_on: date | None
    scores: tuple[ScoreChange, ...]

    @property
    def text(self) -> str:
        """In words, for the screen and for letters."""
        if self.baseline_on is None:
            return f"{self.title}: no baseline"
        if self.follow_up_on is None:
            return f"{self.title}: no follow-up yet (baseline {format_date(self.baseline_on)})"
        return f"{self.title}: {format_date(self.baseline_on)} to {format_date(self.follow_up_on)}"


class OutcomeMeasureService(ServiceBase):
    supplied: set[tuple[str, int]] | None = None

    def sync(self, measures: Iterable[tuple[str, MeasureDefinition]]) -> list[tuple[str, str]]:
        """Install the (plugin, measure) pairs supplied now; returns (plugin, problem) for each
        refused: another plugin's id, or a changed definition under an installed version
        (the installed one is kept)."""
        problems: list[tuple[str, str]] = []
        supplied: set[tuple[str, int]] = set()
        with self.db.transaction() as session:
            owners: dict[str, str] = {}
            for measure_id, plugin in session.execute(
                    select(MeasureDefinitionRecord.measure_id, MeasureDefinitionRecord.plugin)
                    .order_by(MeasureDefinitionRecord.measure_id,
                              MeasureDefinitionRecord.version)):
                owners.setdefault(measure_id, plugin)
            for plugin, measure in measures:
                owner = owners.setdefault(measure.id, plugin)
                if owner != plugin:
                    problems.append((plugin, (
                        f"outcome measure id '{measure.id}' belongs to the plugin '{owner}', "
                        f"which registered it first; this plugin's '{measure.id}' version "
                        f"{measure.version} is not installed. Give the measure an id of its "
                        f"own, such as '{plugin}_{measure.id}'.")))
                    continue
                definition = measure.to_dict()
                record = session.get(MeasureDefinitionRecord, (measure.id, measure.version))
                if record is None:
                    session.add(MeasureDefinitionRecord(
                        measure_id=measure.id, version=measure.version, title=measure.title,
                        plugin=plugin, definition=definition))
                elif record.definition != definition:
                    problems.append((plugin, (
                        f"outcome measure '{measure.id}' version {measure.version} differs from "
                        "the installed one under the same version; the installed one is kept. "
                        "Give a changed measure a new version number.")))
                supplied.add((measure.id, measure.version))
        self.supplied = supplied
        return problems

    def available(self) -> list[MeasureDefinition]:
        """The newest version of each measure supplied now (all installed, before a sync)."""
        with self.db.reading() as session:
            records = session.scalars(select(MeasureDefinitionRecord).order_by(
                MeasureDefinitionRecord.measure_id, MeasureDefinitionRecord.version.desc())).all()
        newest: dict[str, MeasureDefinition] = {}
        for record in records:
            key = (record.measure_id, record.version)
            if record.measure_id not in newest and (self.supplied is None
                                                    or key in self.supplied):
                newest[record.measure_id] = stored_measure(record.definition)
        return list(newest.values())

    def definition(self, measure_id: str, version: int) -> MeasureDefinition:
        """An installed version, current or not (old results are read with theirs)."""
        with self.db.reading() as session:
            return load_measure(session, measure_id, version)

    def record(self, user_id: int, referral_id: int, expected_version: int,
               measure: tuple[str, int], occasion: MeasureOccasion | str, answered_on: date,
               answers: Mapping[str, object]) -> ResultRow:
        """Score and keep one questionnaire; every item answered, every problem at once.

        One baseline per measure per case (results are never changed; a second
        baseline is refused), and a follow-up is taken on the baseline's version.
        """
        now = self.clock()
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.RECORD_CASEWORK)
            referral = load_open_case(session, referral_id, expected_version)
            definition = load_measure(session, *measure)
            errors: dict[str, str] = {}
            if occasion not in {o.value for o in MeasureOccasion}:
                errors["occasion"] = "Occasion: choose baseline, review or closing"
            if not isinstance(answered_on, date):
                errors["answered_on"] = "Answered on: enter the date the person answered"
            elif answered_on > self.today():
                errors["answered_on"] = "Answered on: cannot be in the future"
            elif answered_on < referral.created_at.date():
                errors["answered_on"] = (f"Answered on: cannot be before the referral was made "
                                         f"({format_date(referral.created_at.date())})")
            baseline = _baseline(session, referral.id, definition.id)
            if baseline is not None and occasion == MeasureOccasion.BASELINE:
                errors["occasion"] = (f"Occasion: {definition.title} already has a baseline "
                                      f"({format_date(baseline.answered_on)}); record a review "
                                      "or closing result")
            elif baseline is not None and baseline.measure_version != definition.version:
                errors["measure"] = (f"Measure: the baseline was taken on version "
                                     f"{baseline.measure_version}; use that version, so the "
                                     "change is like for like")
            try:
                scores = score(definition, answers)
            except AnswersError as error:
                errors.update(error.errors)
            if errors:
                raise ValidationError(errors)
            result = MeasureResult(
                referral_id=referral.id, measure_id=definition.id,
                measure_version=definition.version, occasion=MeasureOccasion(occasion).value,
                answered_on=answered_on, recorded_at=now, recorded_by_id=user_id,
                answers={key: int(value) for key, value in answers.items()},  # type: ignore[call-overload]
                scores=dict(scores.scores))
            session.add(result)
            touch(referral, now)
            session.flush()
            self.audit.record(session, at=now, user_id=user_id, action="measure_recorded",
                              entity="referral", entity_id=referral.id,
                              patient_id=referral.patient_id,
                              after={"result_id": result.id, "measure": definition.id,
                                     "version": definition.version, "occasion": result.occasion,
                                     "answered_on": answered_on, "scores": result.scores})
            return _result_row(result, definition)

    def results(self, user_id: int, referral_id: int) -> list[ResultRow]:
        """A case's results, in the order they were answered."""
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.VIEW_CASE_SUMMARY)
            referral = get_or_raise(session, Referral, referral_id, "Referral")
            rows = _results(session, referral.id)
            self._audit_view(session, user_id, referral)
            return rows

    def changes(self, user_id: int, referral_id: int) -> list[MeasureChange]:
        """Per measure taken: baseline to the latest follow-up, or "no follow-up yet"."""
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.VIEW_CASE_SUMMARY)
            referral = get_or_raise(session, Referral, referral_id, "Referral")
            results = _results(session, referral.id)
            self._audit_view(session, user_id, referral)
            definitions = {(r.measure_id, r.measure_version): load_measure(
                session, r.measure_id, r.measure_version) for r in results}
        return measure_changes(results, definitions)

    def _audit_view(self, session: Session, user_id: int, referral: Referral) -> None:
        self.audit.record(session, at=self.clock(), user_id=user_id, action="measures_view",
                          entity="referral", entity_id=referral.id,
                          patient_id=referral.patient_id)


def measure_changes(results: list[ResultRow],
                    definitions: Mapping[tuple[str, int], MeasureDefinition]
                    ) -> list[MeasureChange]:
    """The change per measure, in the order measures were first taken."""
    by_measure: dict[str, list[ResultRow]] = {}
    for result in results:
        by_measure.setdefault(result.measure_id, []).append(result)
    changes = []
    for measure_id, rows in by_measure.items():
        baseline = next((r for r in rows if r.occasion == MeasureOccasion.BASELINE), None)
        if baseline is None:
            first = rows[0]
            changes.append(MeasureChange(measure_id, first.measure_version, first.measure_title,
                                         None, None, ()))
            continue
        definition = definitions[(measure_id, baseline.measure_version)]
        follow_ups = [r for r in rows if r.occasion in FOLLOW_UPS
                      and r.measure_version == baseline.measure_version]
        latest = follow_ups[-1] if follow_ups else None
        steps: list[ScoreChange] = []
        if latest is None:
            steps = [ScoreChange(key, definition.score_label(key), baseline.scores[key], None,
                                 definition.better_when_higher(key), None)
                     for key in definition.score_keys()]
        else:
            for step, better in change(definition, _scores(baseline), _scores(latest)):
                steps.append(ScoreChange(step.key, definition.score_label(step.key),
                                         step.baseline, step.follow_up,
                                         definition.better_when_higher(step.key), better))
        changes.append(MeasureChange(measure_id, baseline.measure_version, definition.title,
                                     baseline.answered_on,
                                     latest.answered_on if latest else None, tuple(steps)))
    return changes


def _scores(row: ResultRow) -> MeasureScores:
    return MeasureScores(row.measure_id, row.measure_version, row.scores)


def _baseline(session: Session, referral_id: int, measure_id: str) -> MeasureResult | None:
    return session.scalar(select(MeasureResult).where(
        MeasureResult.referral_id == referral_id, MeasureResult.measure_id == measure_id,
        MeasureResult.occasion == MeasureOccasion.BASELINE.value).limit(1))


def _results(session: Session, referral_id: int) -> list[ResultRow]:
    records = session.scalars(select(MeasureResult).where(
        MeasureResult.referral_id == referral_id).order_by(
        MeasureResult.answered_on, MeasureResult.id)).all()
    titles = dict(session.execute(select(
        MeasureDefinitionRecord.measure_id, MeasureDefinitionRecord.title)).all())
    return [ResultRow(r.id, r.measure_id, r.measure_version, titles.get(r.measure_id, r.measure_id),
                      MeasureOccasion(r.occasion), r.answered_on, dict(r.answers),
                      {key: float(value) for key, value in r.scores.items()})
            for r in records]


def _result_row(result: MeasureResult, definition: MeasureDefinition) -> ResultRow:
    return ResultRow(result.id, result.measure_id, result.measure_version, definition.title,
                     MeasureOccasion(result.occasion), result.answered_on, dict(result.answers),
                     dict(result.scores))

