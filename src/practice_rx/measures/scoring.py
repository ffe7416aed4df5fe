"""Scoring a person's answers, and the change from baseline to follow-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from practice_rx.errors import ValidationError
from practice_rx.measures.model import MeasureDefinition, ScoreMethod


class AnswersError(ValidationError):
    """Answers that cannot be scored; ``errors`` maps each item key to what is expected."""


@dataclass(frozen=True)
class MeasureScores:
    """The scores of one completed questionnaire, keyed as ``score_keys()`` lists them."""

    measure_id: str
    measure_version: int
    scores: Mapping[str, float]


def score(measure: MeasureDefinition, answers: Mapping[str, object]) -> MeasureScores:
    """Every item must be answered on its scale: a part-answered measure is not scored,
    because a total with a gap would read as a real change."""
    errors = {}
    for item in measure.items:
        value = answers.get(item.key)
        scale = measure.scales[item.scale]
        if isinstance(value, bool) or not isinstance(value, int) or value not in scale.values:
            low, high = min(scale.values), max(scale.values)
            errors[item.key] = f"{item.text}: choose an answer from {low} to {high}"
    unknown = sorted(set(answers) - {item.key for item in measure.items})
    for key in unknown:
        errors[key] = f"{key}: not a question of {measure.title}"
    if errors:
        raise AnswersError(errors)
    values = {item.key: int(answers[item.key]) for item in measure.items}  # type: ignore[call-overload]
    if measure.method is ScoreMethod.EACH:
        scores = {key: float(value) for key, value in values.items()}
    else:
        raw = sum(values.values())
        scores = ({"total": measure.conversion[raw], "raw": float(raw)} if measure.conversion
                  else {"total": float(raw)})
    return MeasureScores(measure.id, measure.version, scores)


@dataclass(frozen=True)
class Change:
    """One score from baseline to follow-up; ``improved`` follows the score's direction."""

    key: str
    baseline: float
    follow_up: float

    @property
    def difference(self) -> float:
        return self.follow_up - self.baseline


def change(measure: MeasureDefinition, baseline: MeasureScores,
           follow_up: MeasureScores) -> list[tuple[Change, bool | None]]:
    """Each score's change and whether it is better (None when unchanged).

    Both must be of the same measure version: a rescored table would make the
    difference meaningless.
    """
    if (baseline.measure_id, baseline.measure_version) != (follow_up.measure_id,
                                                          follow_up.measure_version):
        raise ValueError("baseline and follow-up are of different measures or versions")
    changes = []
    for key in measure.score_keys():
        step = Change(key, baseline.scores[key], follow_up.scores[key])
        better = None if step.difference == 0 else (
            (step.difference > 0) == measure.better_when_higher(key))
        changes.append((step, better))
    return changes
