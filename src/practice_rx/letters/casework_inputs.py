"""The link worker's casework as a letter sees it: one frozen value, part of LetterInputs.

The care plan letter (to the person) and the message back (to the GP and the
referrer) are pure functions of their inputs like every letter, so what they
say about the plan, the connections, the scores and the codes is gathered here
first, from the tables, by :func:`practice_rx.letters.casework_facts.casework_for`.
Stored with each letter (``to_dict``) so a reprint shows what was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from practice_rx.domain.statuses import CODE_TERMS

#: The codes PracticeRx may tell a practice to record, with their terms: the domain's
#: verified list (the same terms as the CSV for the GP record), under its older name.
CODE_DISPLAYS = CODE_TERMS


@dataclass(frozen=True)
class PlanAction:
    """One step of the plan: who does what, by when, and whether it is done."""

    who: str
    what: str
    by_when: date | None = None
    done: bool = False


@dataclass(frozen=True)
class ConnectionFact:
    """A community service the plan connected the person to, or tried to."""

    service: str
    provider: str
    status: str
    status_label: str
    connected: bool


@dataclass(frozen=True)
class ScoreFact:
    """One score from baseline to the latest follow-up; ``change`` is better, worse,
    unchanged, or "" without both."""

    label: str
    baseline: float | None
    follow_up: float | None
    change: str = ""
    lower_is_better: bool = False


@dataclass(frozen=True)
class MeasureFact:
    title: str
    baseline_on: date | None
    follow_up_on: date | None
    scores: tuple[ScoreFact, ...]


@dataclass(frozen=True)
class ClinicalCode:
    """A SNOMED CT code the practice should record: its term, a note on when it applies and
    the date of the referral event that carries it (None in letters stored before dates)."""

    code: str
    display: str
    note: str = ""
    on: date | None = None


@dataclass(frozen=True)
class AnswerRow:
    """One answer of a plugin's plan section, as it reads on paper."""

    label: str
    answer: str


@dataclass(frozen=True)
class PlanSectionFact:
    """A section a plugin added to the plan, with the answers agreed in it."""

    title: str
    rows: tuple[AnswerRow, ...] = ()


@dataclass(frozen=True)
class CaseworkFacts:
    """What the link worker recorded, for the person's plan and the message back.

    ``plan_number`` is the agreed plan version shown (None: none agreed yet);
    ``goals_met`` is "" while the case is open (a message back is then interim).
    """

    link_worker: str
    plan_number: int | None = None
    plan_agreed_with: str = ""
    plan_agreed_on: date | None = None
    what_matters: str = ""
    who_involved: str = ""
    outcomes: tuple[str, ...] = ()
    actions: tuple[PlanAction, ...] = ()
    review_on: date | None = None
    plan_sections: tuple[PlanSectionFact, ...] = ()
    connections: tuple[ConnectionFact, ...] = ()
    measures: tuple[MeasureFact, ...] = ()
    contacts_made: int = 0
    contacts_attempted: int = 0
    goals_met: str = ""
    goals_met_label: str = ""
    why_not: str = ""
    summary: str = ""
    closed_on: date | None = None
    codes: tuple[ClinicalCode, ...] = ()
    source: str = "practice"
    source_label: str = ""
    referrer_organisation: str = ""
    referrer_name: str = ""
    referrer_contact: str = ""

    @property
    def closed(self) -> bool:
        return bool(self.goals_met)

    @property
    def plan_agreed(self) -> bool:
        return self.plan_number is not None

    @property
    def copy_to_referrer(self) -> bool:
        """An agency's referral (not the practice's, not the person's own) gets a copy."""
        return self.source not in ("practice", "self_referral") and bool(
            self.referrer_name or self.referrer_organisation)

    @property
    def connected(self) -> tuple[ConnectionFact, ...]:
        return tuple(line for line in self.connections if line.connected)

    def to_dict(self) -> dict[str, Any]:
        return _dump(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CaseworkFacts:
        return _load(cls, data)


_NESTED: dict[str, type] = {
    "actions": PlanAction, "connections": ConnectionFact, "measures": MeasureFact,
    "scores": ScoreFact, "codes": ClinicalCode, "plan_sections": PlanSectionFact,
    "rows": AnswerRow,
}


def _dump(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {field.name: _dump(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, tuple):
        return [_dump(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _load(kind: type, data: Mapping[str, Any]) -> Any:
    values: dict[str, Any] = {}
    for field in fields(kind):
        if field.name not in data:
            continue  # written before the field existed: its default
        value = data[field.name]
        if field.name in _NESTED:
            value = tuple(_load(_NESTED[field.name], item) for item in value or ())
        elif field.type == "tuple[str, ...]":
            value = tuple(value or ())
        elif field.type == "date | None" and isinstance(value, str):
            value = date.fromisoformat(value)
        values[field.name] = value
    return kind(**values)


__all__ = ["CODE_DISPLAYS", "AnswerRow", "CaseworkFacts", "ClinicalCode", "ConnectionFact",
           "MeasureFact", "PlanAction", "PlanSectionFact", "ScoreFact"]
