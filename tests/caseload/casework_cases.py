"""A case on a link worker's caseload, for the plan, connection and outcome measure tests.

The allocation is written straight into its tables (as the allocation service
does: a row in ``referral_allocation`` and ``Referral.allocated_to_id``), so
these tests do not depend on that service's screens or rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from practice_rx.measures import builtin_measures
from practice_rx.services import Services
from practice_rx.services.care_plans import Agreement, PlanAction, PlanContent
from practice_rx.services.contacts import ContactDetails
from practice_rx.storage.caseload_models import ReferralAllocation
from practice_rx.storage.models import Referral, Service, User
from tests.support.factories import make_patient, make_service, make_user, move, ready_draft


@dataclass
class Case:
    services: Services
    referral_id: int
    worker: User
    service: Service

    @property
    def version(self) -> int:
        with self.services.db.reading() as session:
            return session.get(Referral, self.referral_id).version

    @property
    def status(self) -> str:
        with self.services.db.reading() as session:
            return session.get(Referral, self.referral_id).status


def allocate(services: Services, referral_id: int, worker: User) -> None:
    with services.db.transaction() as session:
        referral = session.get(Referral, referral_id)
        session.add(ReferralAllocation(referral_id=referral.id, link_worker_id=worker.id,
                                       at=services.clock(), by_user_id=worker.id))
        referral.allocated_to_id = worker.id
        referral.updated_at = services.clock()


def open_case(services: Services, status: str = "contacted", allocated: bool = True) -> Case:
    """A referral to the link worker service, accepted, allocated and moved on to ``status``."""
    gp = make_user(services)
    worker = make_user(services, "link_worker", "Nadia Ahmed")
    service = make_service(services, "Link worker service")
    draft = ready_draft(services, gp, make_patient(services), service)
    referral = services.referrals.send(gp.id, draft.id, draft.version)
    referral = move(services, referral, "accepted")
    if allocated:
        allocate(services, referral.id, worker)
    case = Case(services, referral.id, worker, service)
    with services.db.reading() as session:
        referral = session.get(Referral, referral.id)
    if status in ("contacted", "in_progress") and allocated:  # as a link worker does it
        services.contacts.record(worker.id, referral.id, referral.version, ContactDetails(
            "phone", made=True, next_contact_on=services.clock().date() + timedelta(days=7),
            minutes=20, note="First call: talked about what matters"))
    elif status in ("contacted", "in_progress"):
        referral = move(services, referral, "contacted")
    if status == "in_progress":
        agree_plan(case)
        with services.db.reading() as session:
            referral = session.get(Referral, case.referral_id)
        referral = move(services, referral, "in_progress")
    return case


PLAN = PlanContent(
    what_matters="I want to get out of the house and see people again, like before Bill died.",
    who_involved="My daughter Anne",
    outcomes=("Out of the house twice a week", "Feel less lonely"),
    actions=(PlanAction("Joan", "Try the Tuesday walking group", date(2026, 12, 8)),
             PlanAction("Link worker", "Ask about a lift to the group")),
    review_on=date(2027, 1, 12))


def agree_plan(case: Case, content: PlanContent = PLAN, **agreement) -> None:
    agreement.setdefault("agreed_on", case.services.clock().date())
    case.services.care_plans.save(case.worker.id, case.referral_id, case.version, content,
                                  Agreement(**agreement))


def install_measures(services: Services) -> None:
    assert services.outcome_measures.sync([("national", m) for m in builtin_measures()]) == []
