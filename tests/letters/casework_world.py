"""A case with casework, written straight into the tables (the casework services are built
apart): a referral in progress, its link worker, contacts, an agreed plan, connections and
outcome scores at baseline and follow-up. Synthetic data only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from practice_rx.services import Services
from practice_rx.services.practice import PracticeDetails
from practice_rx.storage.caseload_models import (
    CarePlanVersion,
    Contact,
    MeasureResult,
    PlanConnection,
)
from practice_rx.storage.models import Patient, Referral, Service, User
from tests.support.factories import (
    admin,
    make_patient,
    make_service,
    make_user,
    move,
    ready_draft,
)

AT = datetime(2026, 11, 20, 10, 0)
PRACTICE = PracticeDetails(
    ods_code="B86999", name="Riverside Medical Practice", address="12 Canal Street\nLeeds",
    postcode="LS11 5AB", phone="0113 496 0123", email="riverside.practice@example.nhs.uk",
)
ONS4_KEYS = ("life_satisfaction", "worthwhile", "happy_yesterday", "anxious_yesterday")
OWN_WORDS = "I want to feel part of something again, and get out of the flat twice a week."


@dataclass
class Case:
    gp: User
    worker: User
    patient: Patient
    referral: Referral
    walking: Service
    money: Service


def practice(services: Services) -> None:
    services.practice.save(admin(services), PRACTICE)


def in_progress(services: Services, given: str = "Joan", family: str = "Smithson",
                **patient) -> Case:
    """A sent referral moved to in progress, with a link worker; no casework yet."""
    gp = make_user(services)
    worker = services.users.ensure("team.link_worker", "Nadia Ahmed", "link_worker")
    patient.setdefault("address", "Flat 3, 41 Elm Grove, Leeds")
    patient.setdefault("postcode", "LS12 3QT")
    person = make_patient(services, given, family, **patient)
    link = make_service(services, "Riverside Link Workers", is_link_worker=True)
    walking = make_service(services, "Leeds Walking Friends", provider="Holbeck Community Trust")
    money = make_service(services, "Citizens Advice Leeds", provider="Citizens Advice")
    draft = ready_draft(services, gp, person, link,
                        what_matters="Getting out of the house and meeting people again.")
    referral = services.referrals.send(gp.id, draft.id, draft.version)
    for target in ("accepted", "contacted", "in_progress"):
        referral = move(services, referral, target)
    return Case(gp, worker, person, referral, walking, money)


def add_casework(services: Services, case: Case, *, agreed: bool = True,
                 actions: int = 2, what_matters: str = OWN_WORDS) -> None:
    """Two contacts (one only attempted), a plan, two connections, and ONS4 and UCLA-3 scores
    at baseline and at closing."""
    referral_id, worker = case.referral.id, case.worker.id
    given = case.patient.given_name
    plan_actions = [
        {"who": given if n % 2 else "Nadia (link worker)",
         "what": f"Action {n + 1}: " + ("go to the Tuesday walk at the park" if n % 2 else
                                        "phone Citizens Advice about the council tax letter"),
         "by_when": date(2026, 12, 1 + n % 27).isoformat(), "done": n % 3 == 0}
        for n in range(actions)]
    with services.db.transaction() as session:
        session.add_all([
            Contact(referral_id=referral_id, occurred_at=AT, recorded_at=AT,
                    recorded_by_id=worker, contact_type="phone", made=False,
                    note="No answer"),
            Contact(referral_id=referral_id, occurred_at=datetime(2026, 11, 21, 10),
                    recorded_at=datetime(2026, 11, 21, 11), recorded_by_id=worker,
                    contact_type="home_visit", made=True, minutes=60,
                    note="Talked about her late husband and the walking they did"),
            CarePlanVersion(
                referral_id=referral_id, number=1, recorded_at=AT, recorded_by_id=worker,
                who_involved=f"{given}, and her daughter Mary", what_matters=what_matters,
                outcomes=["Feel less lonely", "Sort out the council tax arrears"],
                actions=plan_actions, review_on=date(2027, 1, 15),
                agreed_with=case.patient.full_name if agreed else "",
                agreed_on=date(2026, 11, 21) if agreed else None),
            PlanConnection(referral_id=referral_id, service_id=case.walking.id, created_at=AT,
                           created_by_id=worker, status="attending", status_changed_at=AT),
            PlanConnection(referral_id=referral_id, service_id=case.money.id, created_at=AT,
                           created_by_id=worker, status="did_not_start",
                           status_changed_at=AT),
        ])
        for occasion, on, ucla, ons in (
            ("baseline", date(2026, 11, 21), (3, 3, 2), (4, 5, 3, 8)),
            ("closing", date(2027, 2, 10), (2, 1, 1), (6, 7, 6, 4)),
        ):
            session.add(MeasureResult(
                referral_id=referral_id, measure_id="ucla3", measure_version=1,
                occasion=occasion, answered_on=on, recorded_at=AT, recorded_by_id=worker,
                answers={}, scores={"total": float(sum(ucla))}))
            session.add(MeasureResult(
                referral_id=referral_id, measure_id="ons4", measure_version=1,
                occasion=occasion, answered_on=on, recorded_at=AT, recorded_by_id=worker,
                answers={}, scores=dict(zip(ONS4_KEYS, map(float, ons), strict=True))))
    with services.db.reading() as session:
        case.referral = session.get(Referral, referral_id)


__all__ = ["Case", "add_casework", "in_progress", "make_user", "practice"]
