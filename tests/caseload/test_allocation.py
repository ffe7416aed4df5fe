"""Allocating an accepted referral to a link worker, and reallocating it, kept and audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from practice_rx.domain.statuses import Status
from practice_rx.errors import ConflictError, ValidationError
from practice_rx.services.care_plans import Agreement
from practice_rx.storage.caseload_models import ReferralAllocation
from practice_rx.storage.models import AuditEvent
from tests.caseload.allocated_case import accepted, contact, current, worker
from tests.caseload.casework_cases import PLAN
from tests.support.factories import make_patient, make_service, make_user, move, ready_draft


def test_allocation_then_reallocation_keeps_both_and_audits_before_and_after(services):
    referral = accepted(services)
    nadia, lee = worker(services), worker(services, "Lee Worker")
    admin = make_user(services, "admin", "Pat Morgan")
    first = services.allocation.allocate(nadia.id, referral.id, referral.version, nadia.id)
    assert first.allocated_to_id == nadia.id and first.version > referral.version
    moved = services.allocation.allocate(admin.id, first.id, first.version, lee.id,
                                         "Nadia on leave")
    assert moved.allocated_to_id == lee.id
    history = services.allocation.history(admin.id, referral.id)
    assert [(row.link_worker_name, row.by_user_name, row.note) for row in history] == [
        ("Nadia Ahmed", "Nadia Ahmed", ""), ("Lee Worker", "Pat Morgan", "Nadia on leave")]
    with services.db.reading() as session:
        audits = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "referral_allocate").order_by(AuditEvent.id)).all()
    assert [(a.before, a.after["allocated_to_id"], a.patient_id) for a in audits] == [
        ({"allocated_to_id": None}, nadia.id, referral.patient_id),
        ({"allocated_to_id": nadia.id}, lee.id, referral.patient_id)]


def test_allocating_to_the_same_worker_again_is_refused_and_changes_nothing(services):
    nadia = worker(services)
    referral = accepted(services)
    referral = services.allocation.allocate(nadia.id, referral.id, referral.version, nadia.id)
    with pytest.raises(ValidationError) as caught:
        services.allocation.allocate(nadia.id, referral.id, referral.version, nadia.id)
    assert caught.value.errors == {
        "link_worker_id": "Link worker: already allocated to Nadia Ahmed; nothing was changed"}
    with services.db.reading() as session:
        assert len(session.scalars(select(ReferralAllocation)).all()) == 1
    assert current(services, referral.id).version == referral.version


@pytest.mark.parametrize("status", ["draft", "sent", "rejected", "cancelled", "declined",
                                    "not_contactable"])
def test_only_an_accepted_open_referral_can_be_allocated(services, status):
    nadia = worker(services)
    gp = make_user(services)
    referral = ready_draft(services, gp, make_patient(services), make_service(services))
    path = {"draft": [], "sent": ["sent"], "rejected": ["sent", "rejected"],
            "cancelled": ["cancelled"], "declined": ["sent", "accepted", "declined"],
            "not_contactable": ["sent", "accepted", "not_contactable"]}[status]
    for target in path:
        referral = move(services, referral, target, "Noted" if target != "sent" else "")
    with pytest.raises(ValidationError) as caught:
        services.allocation.allocate(nadia.id, referral.id, referral.version, nadia.id)
    label = Status(status).label.lower()
    assert caught.value.errors["status"].startswith(
        f"Allocation: this referral is {label};"), caught.value.errors


@pytest.mark.parametrize("status", ["contacted", "in_progress"])
def test_a_case_under_way_can_be_reallocated(services, status):
    nadia, lee = worker(services), worker(services, "Lee Worker")
    referral = accepted(services)
    referral = services.allocation.allocate(nadia.id, referral.id, referral.version, nadia.id)
    contact(services, nadia, referral.id)  # the first contact moves it to contacted
    referral = current(services, referral.id)
    if status == "in_progress":  # an allocated case is in progress once its plan is agreed
        services.care_plans.save(nadia.id, referral.id, referral.version, PLAN,
                                 Agreement(agreed_on=services.clock().date()))
        referral = move(services, current(services, referral.id), "in_progress")
    moved = services.allocation.allocate(nadia.id, referral.id, referral.version, lee.id)
    assert (moved.status, moved.allocated_to_id) == (status, lee.id)


def test_only_an_active_link_worker_can_be_given_a_case(services):
    nadia = worker(services)
    gp = make_user(services)
    gone = worker(services, "Gone Worker")
    services.users.set_active(make_user(services, "admin", "Pat Morgan").id, gone.id, False)
    referral = accepted(services)
    for who in (gp.id, gone.id, 99999):
        with pytest.raises(ValidationError) as caught:
            services.allocation.allocate(nadia.id, referral.id, referral.version, who)
        assert caught.value.errors == {"link_worker_id": "Link worker: choose an active link worker"}
    listed = {w.id for w in services.allocation.link_workers(nadia.id)}
    assert nadia.id in listed and not listed & {gp.id, gone.id}


def test_a_stale_version_is_refused(services):
    nadia, lee = worker(services), worker(services, "Lee Worker")
    referral = accepted(services)
    services.allocation.allocate(nadia.id, referral.id, referral.version, nadia.id)
    with pytest.raises(ConflictError):
        services.allocation.allocate(nadia.id, referral.id, referral.version, lee.id)
    assert current(services, referral.id).allocated_to_id == nadia.id
