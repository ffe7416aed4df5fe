"""Synthetic casework for the demo: a link worker's day, visible as soon as the demo opens.

Referrals the link worker service accepted are allocated, contacted (with a few
failed attempts), given agreed plans with actions and connections to community
services, measured at baseline and follow-up, and closed with an outcome — each
consistent with the referral's status and its event times. Some referrals come
from outside the practice or from the person themself. Drawn from a generator of
its own, so the rest of the demo data is the same with or without it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, or_, update

from practice_rx.domain.casework import ConnectionStatus, GoalsMet, MeasureOccasion
from practice_rx.domain.contacts import ContactType
from practice_rx.domain.referral_sources import ReceivedBy, ReferralSource
from practice_rx.domain.statuses import Status
from practice_rx.measures import MeasureDefinition, builtin_measures, score
from practice_rx.storage.caseload_models import (
    CarePlanVersion,
    CaseClosure,
    Contact,
    MeasureResult,
    PlanConnection,
    PlanConnectionEvent,
    ReferralAllocation,
)
from practice_rx.storage.models import Referral, ReferralEvent

#: Statuses a link worker has taken on, and how far the casework has gone in each.
ALLOCATED = (Status.ACCEPTED, Status.CONTACTED, Status.IN_PROGRESS, Status.COMPLETED,
             Status.DECLINED, Status.NOT_CONTACTABLE)
WORKER_MOVES = (Status.CONTACTED, Status.IN_PROGRESS, Status.COMPLETED, Status.DECLINED,
                Status.NOT_CONTACTABLE)
LINK_WORKER_SHARE = 0.6  # most of a practice's social prescribing goes to its link workers
INBOUND_SHARE = 0.2
AGENCIES = {  # organisation, person, their role
    ReferralSource.HEALTH_SERVICE: ("Leeds Community Mental Health Team (demo)", "Alex Rowe",
                                    "Community psychiatric nurse"),
    ReferralSource.SOCIAL_CARE: ("Leeds Adult Social Care (demo)", "Jo Barker", "Social worker"),
    ReferralSource.COUNCIL_HOUSING: ("Leeds Housing Options (demo)", "Sam Fairley",
                                     "Housing officer"),
    ReferralSource.VOLUNTARY_COMMUNITY: ("Beeston Community Trust (demo)", "Ruth Adeyemi",
                                         "Volunteer coordinator"),
}
SELF_REFERRAL = ("", "", "Self-referral")
TAKEN_BY_PHONE = "0113 496 0999"  # the link worker service's line, for a self-referral
OUTCOMES = ("Feel less lonely", "Get out of the house twice a week", "Sort out the rent arrears",
            "Walk to the shops without stopping", "Sleep better")
ACTIONS = (("Nadia", "Phone the lunch club to book a first visit"),
           ("The person", "Go to the Tuesday walking group"),
           ("Nadia", "Book a benefits check with Citizens Advice"),
           ("The person", "Try the library's digital skills session"))


@dataclass(frozen=True)
class DemoReferral:
    """What the referral demo made, for the casework to follow from."""

    id: int
    patient_id: int
    final: Status
    times: Sequence[datetime]  # one per step of the referral's path, in order


def decorate_sources(rows: list[dict], rng: random.Random, entered_by: int) -> None:
    """Make about a fifth of the referrals inbound (another agency, or self-referral),
    entered by the care navigator."""
    for row in rows:
        if rng.random() >= INBOUND_SHARE:
            continue
        source = rng.choice([*AGENCIES, ReferralSource.SELF])
        organisation, person, role = AGENCIES.get(source, SELF_REFERRAL)
        contact = f"0113 496 0{rng.randrange(1000):03d}" if person else ""
        row.update(source=source.value, referrer_organisation=organisation,
                   referrer_name=person, referrer_id=entered_by, referrer_contact=contact,
                   received_by=rng.choice(list(ReceivedBy)).value)
        # the form's referrer section names who referred: the agency, or the person themself
        row["answers"] = {**row["answers"], "referrer_name": person or "Self-referral",
                          "referrer_role": role, "referrer_organisation": organisation or role,
                          "referrer_phone": contact or TAKEN_BY_PHONE}


def add_casework(session, rng: random.Random, referrals: Sequence[DemoReferral],
                 link_worker_service: int, community_services: Sequence[int],
                 link_workers: Sequence[int], now: datetime) -> None:
    """Allocation, contacts, plans, connections, measures and closures for the referrals
    the link workers took on; each table in one bulk insert."""
    measures = {measure.id: measure for measure in builtin_measures()}
    rows: dict[type, list[dict]] = {model: [] for model in (
        ReferralAllocation, Contact, CarePlanVersion, MeasureResult, CaseClosure)}
    connections: list[tuple[dict, list[dict]]] = []
    to_link_workers: list[dict] = []
    for referral in referrals:
        if referral.final not in ALLOCATED or rng.random() >= LINK_WORKER_SHARE:
            continue
        case = _Case(referral, rng, rng.choice(link_workers), now)
        to_link_workers.append(case.referral_update(link_worker_service))
        rows[ReferralAllocation].append(case.allocation())
        rows[Contact].extend(case.contacts())
        rows[CarePlanVersion].extend(case.plans())
        rows[MeasureResult].extend(case.measure_results(measures))
        if referral.final == Status.COMPLETED:
            rows[CaseClosure].append(case.closure())
        connections.extend(case.connections(community_services))
    if to_link_workers:  # Core, by id: the ORM's bulk update insists on the version counter
        table = Referral.__table__
        session.execute(update(table).where(table.c.id == bindparam("referral_id")).values(
            service_id=bindparam("service"), allocated_to_id=bindparam("worker"),
            next_contact_due_on=bindparam("next_due")), to_link_workers)
        # the link worker, not the care navigator, moved the case on once it was theirs
        events = ReferralEvent.__table__
        session.execute(update(events).where(
            events.c.referral_id == bindparam("case"),
            or_(*(events.c.to_status == status.value for status in WORKER_MOVES)))
            .values(user_id=bindparam("worker")),
            [{"case": row["referral_id"], "worker": row["worker"]}
             for row in to_link_workers])
    for model, batch in rows.items():
        if batch:
            session.execute(insert(model), batch)
    if connections:
        ids = session.scalars(insert(PlanConnection).returning(
            PlanConnection.id, sort_by_parameter_order=True), [row for row, _ in connections])
        events = [dict(event, connection_id=connection_id)
                  for connection_id, (_, moves) in zip(ids, connections, strict=True)
                  for event in moves]
        session.execute(insert(PlanConnectionEvent), events)


class _Case:
    """One allocated referral's casework, timed between its accepted event and now."""

    def __init__(self, referral: DemoReferral, rng: random.Random, worker: int,
                 now: datetime) -> None:
        self.referral, self.rng, self.worker, self.now = referral, rng, worker, now
        steps = dict(zip(_path(referral.final), referral.times, strict=False))
        self.accepted = steps[Status.ACCEPTED]
        self.contacted = steps.get(Status.CONTACTED)
        self.in_progress = steps.get(Status.IN_PROGRESS)
        self.closed = steps.get(referral.final) if referral.final in (
            Status.COMPLETED, Status.DECLINED, Status.NOT_CONTACTABLE) else None
        self._contacts: list[dict] = []

    def referral_update(self, service_id: int) -> dict:
        last = self._planned_contacts()[-1] if self._planned_contacts() else None
        open_case = self.closed is None
        next_due = None
        if open_case:
            base = (last["occurred_at"] if last else self.accepted).date()
            next_due = base + timedelta(days=self.rng.choice((3, 7, 7, 10, 14)))
        return {"referral_id": self.referral.id, "service": service_id, "worker": self.worker,
                "next_due": next_due}

    def allocation(self) -> dict:
        return dict(referral_id=self.referral.id, link_worker_id=self.worker,
                    at=self.accepted + timedelta(hours=1), by_user_id=self.worker,
                    note="Allocated at the team meeting")

    def _planned_contacts(self) -> list[dict]:
        if self._contacts or self.referral.final == Status.ACCEPTED and self.rng.random() < 0.5:
            return self._contacts
        end = self.closed or self.now
        if self.referral.final == Status.NOT_CONTACTABLE:
            times = _spread(self.accepted, end, 3)
            self._contacts = [self._contact(at, made=False) for at in times]
            return self._contacts
        first = self.contacted or (self.accepted + (end - self.accepted) / 2)
        made = [first]
        if self.in_progress is not None:
            count = self.rng.randint(6, 12) if self.referral.final == Status.COMPLETED \
                else self.rng.randint(1, 5)
            made += _spread(self.in_progress, end, count)
        # sometimes a missed call first, between the acceptance and the first contact
        attempts = [self.accepted + (first - self.accepted) / 2] if self.rng.random() < 0.4 \
            else []
        timeline = sorted([(at, False) for at in attempts] + [(at, True) for at in made])
        self._contacts = [self._contact(at, made=ok) for at, ok in timeline]
        if self.referral.final == Status.ACCEPTED:  # accepted, only attempts so far
            self._contacts = [self._contact(at, made=False) for at, _ in timeline[:1]]
        return self._contacts

    def _contact(self, at: datetime, *, made: bool) -> dict:
        kind = self.rng.choice(list(ContactType))
        return dict(referral_id=self.referral.id, occurred_at=at, recorded_at=at,
                    recorded_by_id=self.worker, contact_type=kind.value, made=made,
                    minutes=self.rng.choice((15, 20, 30, 45, 60)) if made else None,
                    note=("Talked about what matters: getting out more, and money worries."
                          if made else "No answer; left a message."),
                    next_contact_on=(at + timedelta(days=7)).date())

    def contacts(self) -> list[dict]:
        return self._planned_contacts()

    def plans(self) -> list[dict]:
        if self.in_progress is None:
            return []
        agreed = self.in_progress
        outcomes = self.rng.sample(OUTCOMES, 2)
        actions = [{"who": who, "what": what, "by_when": (agreed + timedelta(days=14 * n))
                    .date().isoformat(), "done": self.closed is not None or n == 1}
                   for n, (who, what) in enumerate(self.rng.sample(ACTIONS, 3), start=1)]
        version = dict(referral_id=self.referral.id, number=1, recorded_at=agreed,
                       recorded_by_id=self.worker, who_involved="Their daughter, Amy",
                       what_matters="I want to feel part of something again, and not be "
                       "stuck in the flat all week.", outcomes=outcomes, actions=actions,
                       review_on=(agreed + timedelta(weeks=6)).date(),
                       agreed_with="the person and their daughter", agreed_on=agreed.date(),
                       sections={})
        return [version]

    def connections(self, services: Sequence[int]) -> list[tuple[dict, list[dict]]]:
        if self.in_progress is None or not services:
            return []
        made = []
        for service_id in self.rng.sample(list(services), min(len(services),
                                                              self.rng.randint(1, 3))):
            path = [ConnectionStatus.SUGGESTED, ConnectionStatus.REFERRED]
            path += self.rng.choice(([ConnectionStatus.ATTENDING],
                                     [ConnectionStatus.ATTENDING, ConnectionStatus.COMPLETED],
                                     [ConnectionStatus.DID_NOT_START], []))
            times = _spread(self.in_progress, self.closed or self.now, len(path))
            events = [dict(from_status=before.value if before else None, to_status=after.value,
                           at=at, user_id=self.worker, note="")
                      for before, after, at in zip([None, *path[:-1]], path, times,
                                                   strict=True)]
            made.append((dict(referral_id=self.referral.id, service_id=service_id,
                              created_at=times[0], created_by_id=self.worker,
                              status=path[-1].value, status_changed_at=times[-1], version=1),
                         events))
        return made

    def measure_results(self, measures: dict[str, MeasureDefinition]) -> list[dict]:
        if self.contacted is None:
            return []
        occasions = [(MeasureOccasion.BASELINE, self.contacted, 0)]
        if self.referral.final == Status.COMPLETED:
            occasions.append((MeasureOccasion.CLOSING, self.closed, self.rng.choice((1, 2, 2, 3))))
        elif self.in_progress is not None and self.rng.random() < 0.5:
            occasions.append((MeasureOccasion.REVIEW, self.now - timedelta(days=2),
                              self.rng.choice((0, 1, 1, 2))))
        results = []
        for measure_id in ("ons4", "ucla3"):
            measure = measures[measure_id]
            start = self._answers(measure)
            for occasion, at, better in occasions:
                answers = _improved(measure, start, better)
                results.append(dict(
                    referral_id=self.referral.id, measure_id=measure.id,
                    measure_version=measure.version, occasion=occasion.value,
                    answered_on=at.date(), recorded_at=at, recorded_by_id=self.worker,
                    answers=answers, scores=dict(score(measure, answers).scores)))
        return results

    def _answers(self, measure: MeasureDefinition) -> dict[str, int]:
        answers = {}
        for item in measure.items:
            values = sorted(measure.scales[item.scale].values)
            low_half = values[: len(values) // 2 + 1]
            high_half = values[len(values) // 2:]
            # a person referred is usually lonelier, less happy and more anxious than most
            worse = high_half if (item.higher_is_better is False
                                  or not measure.higher_is_better) else low_half
            answers[item.key] = self.rng.choice(worse)
        return answers

    def closure(self) -> dict:
        goals = self.rng.choice([GoalsMet.FULLY, GoalsMet.FULLY, GoalsMet.PARTLY,
                                 GoalsMet.NOT_MET])
        return dict(referral_id=self.referral.id, closed_at=self.closed,
                    closed_by_id=self.worker, goals_met=goals.value,
                    why_not="" if goals == GoalsMet.FULLY else
                    "Still waiting for the housing appointment.",
                    summary="Now goes to the lunch club weekly and the walking group most weeks.")


def _path(final: Status) -> tuple[Status, ...]:
    from practice_rx.services.demo import PATHS

    return PATHS[final]


def _spread(start: datetime, end: datetime, count: int) -> list[datetime]:
    span = max((end - start).total_seconds(), 3600)
    return [start + timedelta(seconds=span * (n + 1) / (count + 1)) for n in range(count)]


def _improved(measure: MeasureDefinition, answers: dict[str, int], steps: int) -> dict[str, int]:
    """The answers moved ``steps`` points in each item's better direction, within its scale."""
    moved = {}
    for item in measure.items:
        values = sorted(measure.scales[item.scale].values)
        better_up = item.higher_is_better and measure.higher_is_better
        step = steps if better_up else -steps
        moved[item.key] = min(max(answers[item.key] + step, values[0]), values[-1])
    return moved
