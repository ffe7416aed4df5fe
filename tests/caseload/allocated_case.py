"""Accepted referrals for the allocation, contact and caseload tests, allocated through the
real allocation service."""

from __future__ import annotations

from datetime import date, timedelta

from practice_rx.services import Services
from practice_rx.services.contacts import ContactDetails, ContactRecorded
from practice_rx.storage.caseload_models import CarePlanVersion, MeasureResult
from practice_rx.storage.models import Patient, Referral, User
from tests.support.factories import make_patient, make_service, make_user, move, ready_draft


def current(services: Services, referral_id: int) -> Referral:
    with services.db.reading() as session:
        return session.get(Referral, referral_id)


def accepted(services: Services, patient: Patient | None = None, gp: User | None = None,
             service=None) -> Referral:
    """A referral sent to the link worker service and accepted by it."""
    gp = gp or make_user(services)
    patient = patient or make_patient(services)
    service = service or make_service(services, "Link worker service")
    draft = ready_draft(services, gp, patient, service)
    sent = services.referrals.send(gp.id, draft.id, draft.version)
    return move(services, sent, "accepted")


def allocated(services: Services, worker: User, **kwargs) -> Referral:
    referral = accepted(services, **kwargs)
    lead = services.users.ensure("lead.worker", "Lead Worker", "link_worker")
    return services.allocation.allocate(lead.id, referral.id, referral.version, worker.id)


def worker(services: Services, name: str = "Nadia Ahmed") -> User:
    return make_user(services, "link_worker", name)


def contact(services: Services, user: User, referral_id: int, made: bool = True,
            **changes) -> ContactRecorded:
    """Record a phone contact (or attempt) now, the next one due in a week."""
    values = {"contact_type": "phone", "made": made,
              "next_contact_on": services.clock().date() + timedelta(days=7),
              "minutes": 20 if made else None, "note": "Talked about the walking group"
              if made else ""}
    values.update(changes)
    return services.contacts.record(user.id, referral_id,
                                    current(services, referral_id).version,
                                    ContactDetails(**values))


def plan_version(services: Services, referral_id: int, review_on: date | None,
                 number: int = 1) -> None:
    """A plan version written straight into its table, reviewed on ``review_on``."""
    with services.db.transaction() as session:
        session.add(CarePlanVersion(referral_id=referral_id, number=number,
                                    recorded_at=services.clock(), recorded_by_id=1,
                                    review_on=review_on))


def measure_taken(services: Services, referral_id: int, occasion: str) -> None:
    """A UCLA-3 result on ``occasion`` (baseline, review, closing), answered today."""
    with services.db.transaction() as session:
        session.add(MeasureResult(referral_id=referral_id, measure_id="ucla3", measure_version=1,
                                  occasion=occasion, answered_on=services.clock().date(),
                                  recorded_at=services.clock(), recorded_by_id=1,
                                  answers={}, scores={}))


TODAY = date(2026, 11, 24)
