"""The personalised care and support plan: each version kept, the agreed one shared.

A plan follows NHS England's five criteria (who the person wants involved, what
matters to them, the outcomes agreed, the actions and connections that reach
them, when it is reviewed). Every save is a new :class:`CarePlanVersion`; a
version agreed with the person is never changed (the table is append-only), so
a change after agreement is a new version, unagreed until the person agrees it.

Clinicians read :class:`PlanSummary` (the latest agreed version, no notes and no
one's words beyond what matters and the outcomes); link workers and admins read
every version in full.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from practice_rx.domain.identifiers import format_date
from practice_rx.domain.permissions import Action
from practice_rx.domain.statuses import Status
from practice_rx.domain.text import text_problem
from practice_rx.errors import TransitionError, ValidationError
from practice_rx.forms import FormDefinition, clean_answers
from practice_rx.forms.model import Section
from practice_rx.services.audit import AuditWriter
from practice_rx.services.base import ServiceBase, get_or_raise, load_for_change
from practice_rx.storage.caseload_models import CarePlanVersion
from practice_rx.storage.database import Database
from practice_rx.storage.models import Referral, User

#: A case the link worker is working on: casework may be recorded on it.
OPEN_CASE_STATUSES = frozenset({Status.ACCEPTED, Status.CONTACTED, Status.IN_PROGRESS})
MAX_SHORT_TEXT = 200  # an outcome, who does an action, who else agreed


def load_open_case(session: Session, referral_id: int, expected_version: int) -> Referral:
    """A referral allocated to a link worker and still open, locked against a stale save."""
    referral = load_for_change(session, Referral, referral_id, expected_version, "Referral")
    check_open_case(referral)
    return referral


def check_open_case(referral: Referral) -> None:
    if referral.allocated_to_id is None:
        raise TransitionError(referral.status, referral.status,
                              "casework is recorded on a referral allocated to a link worker; "
                              "allocate it first")
    if referral.status not in OPEN_CASE_STATUSES:
        raise TransitionError(referral.status, referral.status,
                              "casework is recorded while the case is accepted, contacted or "
                              "in progress")


def touch(referral: Referral, now: datetime) -> None:
    """Move the referral's version, so a second desk's stale save of the case conflicts."""
    referral.updated_at = now
    flag_modified(referral, "updated_at")


@dataclass(frozen=True)
class PlanAction:
    """One step of the plan: who does what, by when, and whether it is done."""

    who: str
    what: str
    by_when: date | None = None
    done: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"who": self.who, "what": self.what, "done": self.done,
                "by_when": self.by_when.isoformat() if self.by_when else None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanAction:
        by_when = data.get("by_when")
        return cls(str(data.get("who", "")), str(data.get("what", "")),
                   date.fromisoformat(by_when) if by_when else None, data.get("done") is True)


@dataclass(frozen=True)
class PlanContent:
    """What a link worker writes in a plan; ``sections`` holds answers by plugin section key."""

    what_matters: str
    who_involved: str = ""
    outcomes: Sequence[str] = ()
    actions: Sequence[PlanAction] = ()
    review_on: date | None = None
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Agreement:
    """The person agreed this version, on ``agreed_on`` (not in the future), with ``others``
    (family, a carer, a support worker) if they wanted them there."""

    agreed_on: date
    others: str = ""

    @property
    def agreed_with(self) -> str:
        others = self.others.strip()
        return f"the person and {others}" if others else "the person"


@dataclass(frozen=True)
class PlanVersion:
    """One version in full, for the link worker and for audit."""

    id: int
    number: int
    recorded_at: datetime
    recorded_by: str
    content: PlanContent
    agreed_with: str
    agreed_on: date | None
    #: each plugin section's stored definition, so old answers read as they were asked
    section_definitions: Mapping[str, Section]

    @property
    def agreed(self) -> bool:
        return self.agreed_on is not None


@dataclass(frozen=True)
class ConnectionSummary:
    service_name: str
    status: str
    status_label: str


@dataclass(frozen=True)
class PlanSummary:
    """What a clinician sees of the plan: the latest agreed version, and nothing said in
    contacts. ``newer_unagreed`` warns that a later version is still being discussed."""

    number: int
    agreed_with: str
    agreed_on: date
    what_matters: str
    outcomes: tuple[str, ...]
    actions: tuple[PlanAction, ...]
    review_on: date | None
    connections: tuple[ConnectionSummary, ...]
    newer_unagreed: bool


class CarePlanService(ServiceBase):
    def __init__(self, db: Database, clock: Callable[[], datetime], audit: AuditWriter,
                 plan_sections: Iterable[tuple[str, Section]] = ()) -> None:
        super().__init__(db, clock, audit)
        #: the sections plugins add now (from ``PluginHost.plan_sections()``), in order
        self.sections: dict[str, Section] = {section.key: section for _, section in plan_sections}

    def save(self, user_id: int, referral_id: int, expected_version: int, content: PlanContent,
             agreement: Agreement | None = None) -> CarePlanVersion:
        """Write the plan as a new version (numbered after the last); with ``agreement``, the
        version the person agreed, which then needs at least one outcome and a review date."""
        now = self.clock()
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.RECORD_CASEWORK)
            referral = load_open_case(session, referral_id, expected_version)
            cleaned = self._check(content, agreement, referral)
            number = (session.scalar(select(func.max(CarePlanVersion.number))
                                     .where(CarePlanVersion.referral_id == referral.id)) or 0) + 1
            version = CarePlanVersion(
                referral_id=referral.id, number=number, recorded_at=now, recorded_by_id=user_id,
                who_involved=content.who_involved.strip(),
                what_matters=content.what_matters.strip(),
                outcomes=[outcome.strip() for outcome in content.outcomes],
                actions=[action.to_dict() for action in _trimmed(content.actions)],
                review_on=content.review_on,
                agreed_with=agreement.agreed_with if agreement else "",
                agreed_on=agreement.agreed_on if agreement else None,
                sections=cleaned)
            session.add(version)
            touch(referral, now)
            session.flush()
            after: dict[str, Any] = {"plan_version_id": version.id, "number": number,
                                     "outcomes": len(version.outcomes),
                                     "actions": len(version.actions),
                                     "review_on": version.review_on}
            if agreement:
                after["agreed_on"] = agreement.agreed_on
            self.audit.record(session, at=now, user_id=user_id,
                              action="care_plan_agreed" if agreement else "care_plan_saved",
                              entity="referral", entity_id=referral.id,
                              patient_id=referral.patient_id, after=after)
            return version

    def versions(self, user_id: int, referral_id: int) -> list[PlanVersion]:
        """Every version, oldest first, in full (the casework: link workers and admins)."""
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.VIEW_CASEWORK)
            referral = get_or_raise(session, Referral, referral_id, "Referral")
            rows = session.execute(
                select(CarePlanVersion, User.display_name)
                .join(User, User.id == CarePlanVersion.recorded_by_id)
                .where(CarePlanVersion.referral_id == referral.id)
                .order_by(CarePlanVersion.number)).all()
            self._audit_view(session, user_id, referral, "care_plan_view")
            return [_version(row, name) for row, name in rows]

    def summary(self, user_id: int, referral_id: int) -> PlanSummary | None:
        """The latest agreed version's summary, or None if no version is agreed yet."""
        from practice_rx.services.connections import connection_rows

        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.VIEW_CASE_SUMMARY)
            referral = get_or_raise(session, Referral, referral_id, "Referral")
            agreed = session.scalar(
                select(CarePlanVersion)
                .where(CarePlanVersion.referral_id == referral.id,
                       CarePlanVersion.agreed_on.is_not(None))
                .order_by(CarePlanVersion.number.desc()).limit(1))
            self._audit_view(session, user_id, referral, "care_plan_summary_view")
            if agreed is None:
                return None
            newest = session.scalar(select(func.max(CarePlanVersion.number))
                                    .where(CarePlanVersion.referral_id == referral.id))
            connections = tuple(ConnectionSummary(row.service_name, row.status, row.status_label)
                                for row in connection_rows(session, referral.id))
            return PlanSummary(
                number=agreed.number, agreed_with=agreed.agreed_with, agreed_on=agreed.agreed_on,
                what_matters=agreed.what_matters, outcomes=tuple(agreed.outcomes),
                actions=tuple(PlanAction.from_dict(a) for a in agreed.actions),
                review_on=agreed.review_on, connections=connections,
                newer_unagreed=newest > agreed.number)

    # -- rules -------------------------------------------------------------------------

    def _check(self, content: PlanContent, agreement: Agreement | None,
               referral: Referral) -> dict[str, Any]:
        """Every problem at once; returns the plugin sections' answers as stored."""
        errors: dict[str, str] = {}
        today = self.today()
        problem = text_problem(content.what_matters)
        if problem is None and not content.what_matters.strip():
            problem = "write what matters to the person, in their own words"
        if problem:
            errors["what_matters"] = f"What matters to the person: {problem}"
        if problem := text_problem(content.who_involved):
            errors["who_involved"] = f"Who they want involved: {problem}"
        for number, outcome in enumerate(content.outcomes, 1):
            problem = text_problem(outcome, MAX_SHORT_TEXT)
            if problem is None and not outcome.strip():
                problem = "write the outcome, or remove it"
            if problem:
                errors[f"outcomes[{number - 1}]"] = f"Outcome {number}: {problem}"
        errors.update(_action_problems(content.actions))
        if agreement is not None:
            errors.update(self._agreement_problems(content, agreement, referral, today))
        elif content.review_on is not None and content.review_on < today:
            errors["review_on"] = "Review date: choose today or a later date"
        sections = self._clean_sections(content.sections, complete=agreement is not None,
                                        today=today, errors=errors)
        if errors:
            raise ValidationError(errors)
        return sections

    @staticmethod
    def _agreement_problems(content: PlanContent, agreement: Agreement, referral: Referral,
                            today: date) -> dict[str, str]:
        errors = {}
        if not isinstance(agreement.agreed_on, date):
            errors["agreed_on"] = "Agreed on: enter the date the person agreed the plan"
        elif agreement.agreed_on > today:
            errors["agreed_on"] = "Agreed on: cannot be in the future"
        elif agreement.agreed_on < referral.created_at.date():
            errors["agreed_on"] = (f"Agreed on: cannot be before the referral was made "
                                   f"({format_date(referral.created_at.date())})")
        if problem := text_problem(agreement.others, MAX_SHORT_TEXT - len("the person and ")):
            errors["agreed_others"] = f"Also agreed by: {problem}"
        if not any(outcome.strip() for outcome in content.outcomes):
            errors.setdefault("outcomes", "Outcomes agreed: a plan is agreed with at least one "
                                          "outcome")
        if content.review_on is None:
            errors["review_on"] = "Review date: an agreed plan says when it will be reviewed"
        elif isinstance(agreement.agreed_on, date) and content.review_on < agreement.agreed_on:
            errors["review_on"] = "Review date: choose the day it was agreed or later"
        return errors

    def _clean_sections(self, answers: Mapping[str, Mapping[str, Any]], *, complete: bool,
                        today: date, errors: dict[str, str]) -> dict[str, Any]:
        unknown = sorted(str(key)[:40] for key in answers if key not in self.sections)
        if unknown:
            errors["sections"] = f"Plan sections: not sections of this plan: {', '.join(unknown)}"
        stored: dict[str, Any] = {}
        for key, section in self.sections.items():
            given = answers.get(key, {})
            try:
                cleaned = clean_answers(section_form(section), given, complete=complete,
                                        today=today)
            except ValidationError as error:
                errors.update({f"sections.{key}.{field_key}": message
                               for field_key, message in error.errors.items()})
                continue
            if cleaned:
                stored[key] = {"section": section.to_dict(), "answers": cleaned}
        return stored

    def _audit_view(self, session: Session, user_id: int, referral: Referral,
                    action: str) -> None:
        self.audit.record(session, at=self.clock(), user_id=user_id, action=action,
                          entity="referral", entity_id=referral.id,
                          patient_id=referral.patient_id)


def section_form(section: Section) -> FormDefinition:
    """A plugin's plan section as a one-section form, so the form checker and renderer work."""
    return FormDefinition(id=f"plan_{section.key}", version=1, title=section.title,
                          sections=(section,))


def require_agreed_plan(session: Session, referral: Referral) -> None:
    """A case allocated to a link worker is "in progress" once a plan is agreed with the person.

    Called by the referral service before contacted → in progress; a referral to a
    community service with no link worker has no plan here and is not held back.
    """
    if referral.allocated_to_id is None:
        return
    agreed = session.scalar(select(func.count()).select_from(CarePlanVersion).where(
        CarePlanVersion.referral_id == referral.id, CarePlanVersion.agreed_on.is_not(None)))
    if not agreed:
        raise TransitionError(referral.status, Status.IN_PROGRESS,
                              "agree a care and support plan with the person first")


def _trimmed(actions: Sequence[PlanAction]) -> list[PlanAction]:
    return [PlanAction(a.who.strip(), a.what.strip(), a.by_when, a.done) for a in actions]


def _action_problems(actions: Sequence[PlanAction]) -> dict[str, str]:
    errors = {}
    for number, action in enumerate(actions, 1):
        where, key = f"Action {number}", f"actions[{number - 1}]"
        problem = text_problem(action.who, MAX_SHORT_TEXT)
        if problem is None and not action.who.strip():
            problem = "say who will do it (the person, the link worker, a family member…)"
        if problem:
            errors[f"{key}.who"] = f"{where}, who: {problem}"
        problem = text_problem(action.what)
        if problem is None and not action.what.strip():
            problem = "say what will be done"
        if problem:
            errors[f"{key}.what"] = f"{where}, what: {problem}"
        if action.by_when is not None and not isinstance(action.by_when, date):
            errors[f"{key}.by_when"] = f"{where}, by when: enter a date"
        if not isinstance(action.done, bool):
            errors[f"{key}.done"] = f"{where}, done: answer yes or no"
    return errors


def _version(row: CarePlanVersion, recorded_by: str) -> PlanVersion:
    sections = {key: value.get("answers", {}) for key, value in (row.sections or {}).items()}
    definitions = {key: section_form_from(value["section"])
                   for key, value in (row.sections or {}).items() if "section" in value}
    content = PlanContent(
        what_matters=row.what_matters, who_involved=row.who_involved,
        outcomes=tuple(row.outcomes), review_on=row.review_on, sections=sections,
        actions=tuple(PlanAction.from_dict(action) for action in row.actions))
    return PlanVersion(id=row.id, number=row.number, recorded_at=row.recorded_at,
                       recorded_by=recorded_by, content=content, agreed_with=row.agreed_with,
                       agreed_on=row.agreed_on, section_definitions=definitions)


def section_form_from(data: Mapping[str, Any]) -> Section:
    """A stored section definition read back (checked as a form's section is)."""
    form = FormDefinition.from_dict({"id": "plan_section", "version": 1, "title": "Plan section",
                                     "sections": [dict(data)]})
    return form.sections[0]
