"""Gathering a case's casework from the tables, for the care plan and the message back.

Read straight from the casework tables (``storage/caseload_models.py``) so the
letters do not depend on how the plan, connection and measure screens write
them. Only this referral's rows are read: every query is by its id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from practice_rx.domain.casework import ConnectionStatus, GoalsMet, MeasureOccasion
from practice_rx.domain.referral_sources import ReferralSource
from practice_rx.domain.statuses import SNOMED_DECLINED, SNOMED_REFERRED, verified_term
from practice_rx.forms import FormDefinition
from practice_rx.forms.answers import is_visible
from practice_rx.letters.casework_inputs import (
    AnswerRow,
    CaseworkFacts,
    ClinicalCode,
    ConnectionFact,
    MeasureFact,
    PlanAction,
    PlanSectionFact,
    ScoreFact,
)
from practice_rx.letters.content import answer_text
from practice_rx.measures import (
    MeasureDefinition,
    MeasureScores,
    builtin_measures,
    change,
    measure_from_dict,
)
from practice_rx.storage.caseload_models import (
    CarePlanVersion,
    CaseClosure,
    Contact,
    MeasureDefinitionRecord,
    MeasureResult,
    PlanConnection,
    ReferralAllocation,
)
from practice_rx.storage.models import Referral, ReferralEvent, Service, User

FOLLOW_UPS = (MeasureOccasion.REVIEW.value, MeasureOccasion.CLOSING.value)
#: what the GP should know about each verified code when recording it
CODE_NOTES = {
    SNOMED_REFERRED: "Once per episode: record it if it was not recorded when the referral "
                     "was made",
    SNOMED_DECLINED: "The person declined social prescribing",
}


def casework_for(session: Session, referral: Referral,
                 measures: Sequence[MeasureDefinition] = ()) -> CaseworkFacts:
    """The casework of ``referral`` as its letters show it.

    ``measures`` are definitions known besides the stored ones and the built-ins
    (a plugin's), used to label scores; an unknown measure shows its codes.
    """
    plan = session.scalars(
        select(CarePlanVersion)
        .where(CarePlanVersion.referral_id == referral.id, CarePlanVersion.agreed_on.is_not(None))
        .order_by(CarePlanVersion.number.desc(), CarePlanVersion.id.desc())).first()
    closure = session.get(CaseClosure, referral.id)
    made = dict(session.execute(
        select(Contact.made, func.count()).where(Contact.referral_id == referral.id)
        .group_by(Contact.made)).all())
    source = referral.source or ReferralSource.PRACTICE.value
    known_source = source in ReferralSource._value2member_map_
    facts: dict[str, Any] = {
        "link_worker": _link_worker(session, referral, plan),
        "connections": connection_facts(session, referral.id),
        "measures": _measures(session, referral.id, measures),
        "contacts_made": int(made.get(True, 0)),
        "contacts_attempted": int(made.get(False, 0)),
        "codes": codes_for(session, referral),
        "source": source,
        "source_label": ReferralSource(source).label if known_source else source,
        "referrer_organisation": referral.referrer_organisation or "",
        "referrer_name": referral.referrer_name or "",
        "referrer_contact": referral.referrer_contact or "",
    }
    if plan is not None:
        facts.update(
            plan_number=plan.number, plan_agreed_with=plan.agreed_with or "",
            plan_agreed_on=plan.agreed_on, what_matters=plan.what_matters or "",
            who_involved=plan.who_involved or "",
            outcomes=tuple(str(item) for item in plan.outcomes or () if str(item).strip()),
            actions=tuple(_action(item) for item in plan.actions or ()
                          if isinstance(item, Mapping)),
            review_on=plan.review_on, plan_sections=_plan_sections(plan.sections or {}))
    if closure is not None:
        goals = closure.goals_met
        facts.update(
            goals_met=goals,
            goals_met_label=GoalsMet(goals).label if goals in GoalsMet._value2member_map_
            else goals,
            why_not=closure.why_not or "", summary=closure.summary or "",
            closed_on=closure.closed_at.date())
    return CaseworkFacts(**facts)


def codes_for(session: Session, referral: Referral) -> tuple[ClinicalCode, ...]:
    """Each of the referral's events that carries a verified code, oldest first, with the
    day it happened: the same events, codes and terms as ``practice-rx export codes``
    (:mod:`practice_rx.services.gp_codes`). An event with any other code is left off."""
    found = session.execute(
        select(ReferralEvent.snomed_code, ReferralEvent.occurred_at)
        .where(ReferralEvent.referral_id == referral.id, ReferralEvent.snomed_code != "")
        .order_by(ReferralEvent.occurred_at, ReferralEvent.id)).all()
    return tuple(ClinicalCode(code, term, CODE_NOTES.get(code, ""), at.date())
                 for code, at in found if (term := verified_term(code)) is not None)


def _link_worker(session: Session, referral: Referral, plan: CarePlanVersion | None) -> str:
    worker_id = referral.allocated_to_id
    if worker_id is None:
        worker_id = session.scalar(
            select(ReferralAllocation.link_worker_id)
            .where(ReferralAllocation.referral_id == referral.id)
            .order_by(ReferralAllocation.id.desc()).limit(1))
    if worker_id is None and plan is not None:
        worker_id = plan.recorded_by_id
    name = session.scalar(select(User.display_name).where(User.id == worker_id)) \
        if worker_id is not None else None
    return name or ""


def _action(item: Mapping[str, Any]) -> PlanAction:
    """A stored action, read leniently: the plan screen owns its exact keys."""
    when = next((item[key] for key in ("by_when", "by", "due_on", "due") if item.get(key)), None)
    if isinstance(when, str):
        try:
            when = date.fromisoformat(when[:10])
        except ValueError:
            when = None
    return PlanAction(who=str(item.get("who") or ""), what=str(item.get("what") or ""),
                      by_when=when if isinstance(when, date) else None,
                      done=bool(item.get("done")))


def connection_facts(session: Session, referral_id: int) -> tuple[ConnectionFact, ...]:
    """The services the plan connected the person to, or tried to, with their status."""
    rows = session.execute(
        select(Service.name, Service.provider, PlanConnection.status)
        .join(Service, Service.id == PlanConnection.service_id)
        .where(PlanConnection.referral_id == referral_id)
        .order_by(PlanConnection.id)).all()
    lines = []
    for name, provider, status in rows:
        code = ConnectionStatus(status) if status in ConnectionStatus._value2member_map_ \
            else None
        lines.append(ConnectionFact(name, provider or "", status,
                                    code.label if code else status, bool(code and code.connected)))
    return tuple(lines)


def measure_facts(session: Session, referral_id: int,
                  extra: Sequence[MeasureDefinition] = ()) -> tuple[MeasureFact, ...]:
    """Each measure taken for the referral: its baseline and latest follow-up scores."""
    return _measures(session, referral_id, extra)


def _measures(session: Session, referral_id: int,
              extra: Sequence[MeasureDefinition]) -> tuple[MeasureFact, ...]:
    results = session.scalars(
        select(MeasureResult).where(MeasureResult.referral_id == referral_id)
        .order_by(MeasureResult.answered_on, MeasureResult.id)).all()
    grouped: dict[tuple[str, int], list[MeasureResult]] = {}
    for result in results:
        grouped.setdefault((result.measure_id, result.measure_version), []).append(result)
    facts = []
    for (measure_id, version), taken in grouped.items():
        definition = _definition(session, measure_id, version, extra)
        baseline = next((r for r in taken if r.occasion == MeasureOccasion.BASELINE), None)
        later = [r for r in taken if r.occasion in FOLLOW_UPS
                 and (baseline is None or r.answered_on >= baseline.answered_on)]
        follow_up = later[-1] if later else None
        facts.append(MeasureFact(
            title=definition.title if definition else measure_id,
            baseline_on=baseline.answered_on if baseline else None,
            follow_up_on=follow_up.answered_on if follow_up else None,
            scores=_scores(definition, baseline, follow_up)))
    return tuple(facts)


def _scores(definition: MeasureDefinition | None, baseline: MeasureResult | None,
            follow_up: MeasureResult | None) -> tuple[ScoreFact, ...]:
    first = dict(baseline.scores) if baseline else {}
    last = dict(follow_up.scores) if follow_up else {}
    keys = list(definition.score_keys()) if definition else sorted({*first, *last})
    keys = [key for key in keys if key in first or key in last]
    verdicts: dict[str, bool | None] = {}
    if definition and baseline and follow_up and set(keys) <= set(first) & set(last):
        try:
            verdicts = {step.key: better for step, better in change(
                definition,
                MeasureScores(definition.id, definition.version, first),
                MeasureScores(definition.id, definition.version, last))}
        except (KeyError, ValueError):
            verdicts = {}
    lines = []
    for key in keys:
        label = _label(definition, key)
        verdict = verdicts.get(key, "missing")
        word = "" if verdict == "missing" else "unchanged" if verdict is None else \
            "better" if verdict else "worse"
        lower = bool(definition) and not definition.better_when_higher(key)
        lines.append(ScoreFact(label, _number(first.get(key)), _number(last.get(key)), word,
                               lower))
    return tuple(lines)


def _label(definition: MeasureDefinition | None, key: str) -> str:
    if definition is None:
        return key
    try:
        return definition.score_label(key)
    except StopIteration:
        return key


def _plan_sections(stored: Mapping[str, Any]) -> tuple[PlanSectionFact, ...]:
    """Each plugin section kept with the plan version (its definition beside its answers,
    so the plan reads as agreed even after the plugin changed), as rows to print."""
    made = []
    for kept in stored.values():
        if not isinstance(kept, Mapping) or not isinstance(kept.get("section"), Mapping):
            continue
        try:
            form = FormDefinition.from_dict({"id": "plan_section", "version": 1,
                                             "title": "Plan section",
                                             "sections": [dict(kept["section"])]})
        except ValueError:
            continue  # a definition this version cannot read is left off, not guessed at
        answers = kept.get("answers") or {}
        [section] = form.sections
        rows = tuple(AnswerRow(field.label, answer_text(field, answers))
                     for field in section.fields if is_visible(field, answers))
        made.append(PlanSectionFact(section.title, rows))
    return tuple(made)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _definition(session: Session, measure_id: str, version: int,
                extra: Sequence[MeasureDefinition]) -> MeasureDefinition | None:
    record = session.get(MeasureDefinitionRecord, (measure_id, version))
    if record is not None:
        try:
            return measure_from_dict(record.definition, source=f"{measure_id} v{version}")
        except ValueError:
            pass
    for definition in (*extra, *builtin_measures()):
        if (definition.id, definition.version) == (measure_id, version):
            return definition
    return None


__all__ = ["casework_for", "codes_for", "connection_facts", "measure_facts"]
