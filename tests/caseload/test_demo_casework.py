"""The demo's casework agrees with each referral's status and times, on both backends."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import select

from practice_rx.domain.statuses import Status
from practice_rx.measures import builtin_measures, score
from practice_rx.services import Services
from practice_rx.services.demo import DemoSize, fill
from practice_rx.storage.caseload_models import (
    CarePlanVersion,
    CaseClosure,
    Contact,
    MeasureResult,
    PlanConnection,
    ReferralAllocation,
)
from practice_rx.storage.models import Referral, ReferralEvent, Service, User
from tests.support.factories import install_national_form


@pytest.fixture
def demo(db, clock):
    install_national_form(Services(db, clock))
    fill(db, DemoSize(patients=60, referrals=300, services=12), clock=clock)
    return db


def _by_referral(session, model):
    rows = defaultdict(list)
    for row in session.scalars(select(model).order_by(model.id)):
        rows[row.referral_id].append(row)
    return rows


def test_every_allocated_case_is_a_link_worker_case_in_a_status_that_has_one(demo, clock):
    with demo.reading() as session:
        workers = set(session.scalars(select(User.id).where(User.role == "link_worker")))
        link_service = set(session.scalars(select(Service.id).where(Service.is_link_worker)))
        allocated = session.scalars(select(Referral).where(Referral.allocated_to_id.is_not(None)))
        allocations = _by_referral(session, ReferralAllocation)
        cases = list(allocated)
    assert len(cases) > 50 and len(workers) == 2
    for referral in cases:
        assert referral.status in {"accepted", "contacted", "in_progress", "completed",
                                   "declined", "not_contactable"}
        assert referral.service_id in link_service and referral.allocated_to_id in workers
        assert [a.link_worker_id for a in allocations[referral.id]] == [referral.allocated_to_id]


def test_contacts_plans_measures_and_closures_follow_the_lifecycle(demo, clock):
    measures = {m.id: m for m in builtin_measures()}
    with demo.reading() as session:
        cases = {r.id: r for r in session.scalars(
            select(Referral).where(Referral.allocated_to_id.is_not(None)))}
        events = _by_referral(session, ReferralEvent)
        contacts, plans = _by_referral(session, Contact), _by_referral(session, CarePlanVersion)
        results = _by_referral(session, MeasureResult)
        closures = {c.referral_id for c in session.scalars(select(CaseClosure))}
        connected = {c.referral_id for c in session.scalars(select(PlanConnection))}
    now = clock()
    for referral_id, referral in cases.items():
        when = {event.to_status: event.occurred_at for event in events[referral_id]}
        assert all(event.user_id == referral.allocated_to_id for event in events[referral_id]
                   if event.to_status in ("contacted", "in_progress", "completed"))
        made = [c for c in contacts[referral_id] if c.made]
        assert all(when["accepted"] <= c.occurred_at <= now for c in contacts[referral_id])
        if "contacted" in when:
            assert made and made[0].occurred_at == when["contacted"]
        if referral.status == Status.NOT_CONTACTABLE:
            assert made == [] and len(contacts[referral_id]) == 3
        has_plan = referral.status in (Status.IN_PROGRESS, Status.COMPLETED)
        assert bool(plans[referral_id]) == has_plan
        assert (referral_id in connected) == has_plan
        assert all(p.agreed_on is not None and p.review_on is not None
                   for p in plans[referral_id])
        assert (referral_id in closures) == (referral.status == Status.COMPLETED)
        for result in results[referral_id]:  # every stored score is what its answers make
            assert dict(score(measures[result.measure_id], result.answers).scores) \
                == result.scores
        baselines = [r for r in results[referral_id] if r.occasion == "baseline"]
        assert len(baselines) == (2 if "contacted" in when else 0)
        if referral.status not in (Status.COMPLETED, Status.DECLINED, Status.NOT_CONTACTABLE):
            assert referral.next_contact_due_on is not None or not contacts[referral_id]


def test_some_referrals_come_from_other_agencies_and_the_person_themself(demo):
    with demo.reading() as session:
        rows = session.execute(select(Referral.source, Referral.referrer_organisation,
                                      Referral.answers)).all()
    sources = {source for source, *_ in rows}
    assert "practice" in sources and "self_referral" in sources and len(sources) >= 4
    for source, organisation, answers in rows:
        if source not in ("practice", "self_referral", "other"):
            assert organisation and answers["referrer_organisation"] == organisation
