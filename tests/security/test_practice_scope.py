"""Who sees which practice: every call that names a patient or referral, by a user of
another practice of the network, is refused and leaves nothing behind; lists hold only
the user's practices. Both backends."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from practice_rx.domain.permissions import Action, Role, allowed
from practice_rx.errors import PermissionDenied, ValidationError
from practice_rx.services.caseload import CaseloadQuery
from practice_rx.services.patients import PatientDetails
from practice_rx.services.practice import PracticeDetails
from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.storage.models import AuditEvent, Patient, Referral
from tests.caseload.casework_cases import install_measures, open_case
from tests.security.test_permissions import ATTEMPTS, CASEWORK_CALLS, _draft, _sent
from tests.support.factories import (
    admin,
    make_patient,
    make_service,
    make_user,
    move,
    test_nhs_number,
    two_practices,
)

#: the calls of ATTEMPTS that name one patient or referral (the rest list, or add)
NAMED_RECORD_ACTIONS = [
    Action.VIEW_PATIENTS, Action.VIEW_REFERRALS, Action.WRITE_REFERRALS,
    Action.SEND_REFERRALS, Action.CANCEL_REFERRALS, Action.RECORD_SERVICE_REPLY,
    Action.RECORD_CONTACT, Action.ADD_NOTES, Action.PRINT_LETTERS, Action.DELIVER_REFERRALS,
    Action.ENTER_INBOUND_REFERRALS, Action.ALLOCATE_REFERRALS, Action.RECORD_CASEWORK,
    Action.VIEW_CASEWORK, Action.VIEW_CASE_SUMMARY,
]
REFUSAL = "belongs to a practice your account is not linked to"


def user_of(services, role: str, practice_id: int, name: str = "Someone Else"):
    user = make_user(services, role, name)
    return services.users.set_practices(admin(services), user.id, {practice_id}, False)


def audit_count(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.fixture
def network(services):
    """Records at the first practice, made before the second exists (so they are claimed)."""
    install_measures(services)
    env = {"gp": make_user(services), "patient": make_patient(services),
           "service": make_service(services)}
    env["draft"] = _draft(services, env)
    env["sent"] = _sent(services, env)
    env["accepted"] = move(services, _sent(services, env), "accepted")
    env["case"] = open_case(services)
    env["group"] = make_service(services, "Lunch club")
    env["connection"] = services.connections.connect(
        env["case"].worker.id, env["case"].referral_id, env["case"].version,
        make_service(services, "Art class").id)
    env["first"], env["second"] = two_practices(services)
    return env


def test_the_first_practice_claims_what_was_there(services, db, network):
    with db.reading() as session:
        practices = set(session.scalars(select(Referral.practice_id)))
        practices |= set(session.scalars(select(Patient.practice_id)))
    assert practices == {network["first"]}


@pytest.mark.parametrize(("action", "role"), [
    (action, role) for action, role in itertools.product(NAMED_RECORD_ACTIONS, Role)
    if allowed(role, action)], ids=str)
def test_a_user_of_another_practice_is_refused_each_named_record(services, db, network,
                                                                  action, role):
    outsider = user_of(services, role.value, network["second"])
    before = audit_count(db)
    with pytest.raises(PermissionDenied, match=REFUSAL):
        ATTEMPTS[action](services, outsider.id, network)
    assert audit_count(db) == before


@pytest.mark.parametrize(("call", "role"), [
    (call, role) for call, role in itertools.product(CASEWORK_CALLS, Role)
    if allowed(role, CASEWORK_CALLS[call][0])], ids=str)
def test_a_user_of_another_practice_is_refused_each_casework_call(services, db, network,
                                                                   call, role):
    outsider = user_of(services, role.value, network["second"])
    before = audit_count(db)
    with pytest.raises(PermissionDenied, match=REFUSAL):
        CASEWORK_CALLS[call][1](services, outsider.id, network)
    assert audit_count(db) == before


def test_the_same_calls_work_for_a_user_of_the_practice(services, network):
    """The refusals above are the practice's, not the role's."""
    insider = user_of(services, "receptionist", network["first"])
    assert services.referrals.get(insider.id, network["sent"].id).id == network["sent"].id
    assert services.patients.open(insider.id, network["patient"].id).id == network["patient"].id


def test_lists_hold_only_the_users_practices(services, network):
    outsider = user_of(services, "receptionist", network["second"])
    insider = user_of(services, "receptionist", network["first"])
    holbeck_patient = services.patients.create(outsider.id, PatientDetails(
        test_nhs_number(7001), "Joan", "Smith", "1951-03-14", phone="0113 496 0000"))
    assert holbeck_patient.practice_id == network["second"]
    gp = user_of(services, "clinician", network["second"], "Dr Holbeck")
    draft = services.referrals.create_draft(gp.id, holbeck_patient.id, ("national", 1))
    assert draft.practice_id == network["second"]

    def ids(user_id, **filter):
        page = services.worklist.page(user_id, WorklistQuery(WorklistFilter(**filter),
                                                             page_size=500))
        return {row.id for row in page.rows}, page.total

    outsider_ids, outsider_total = ids(outsider.id)
    assert outsider_ids == {draft.id} and outsider_total == 1
    insider_ids, _ = ids(insider.id)
    assert draft.id not in insider_ids and network["sent"].id in insider_ids
    assert sum(services.worklist.status_counts(outsider.id).values()) == 1
    # Joan Smith of Holbeck is found by Holbeck's desk, not by Beeston Hill's
    assert [p.id for p in services.patients.find(outsider.id, "smith")] == [holbeck_patient.id]
    assert holbeck_patient.id not in {p.id for p in services.patients.find(insider.id, "smith")}
    with pytest.raises(PermissionDenied, match=REFUSAL):  # not "no such patient": say why
        services.patients.by_nhs_number(insider.id, test_nhs_number(7001))
    # a network link worker sees both; filtering to one practice narrows
    worker = network["case"].worker
    both, _ = ids(worker.id)
    assert {draft.id, network["sent"].id} <= both
    only_second, total = ids(worker.id, practice_ids=frozenset({network["second"]}))
    assert only_second == {draft.id} and total == 1
    assert services.caseload.page(outsider.id, CaseloadQuery()).total == 0
    assert services.caseload.page(insider.id, CaseloadQuery()).total == 1


def test_a_patient_is_registered_at_a_practice_the_user_works_for(services, network):
    desk = user_of(services, "receptionist", network["second"])
    details = PatientDetails(test_nhs_number(7002), "Ann", "Lee", "1960-01-01",
                             phone="0113 496 0001", practice_id=network["first"])
    with pytest.raises(ValidationError, match="Practice: your account is not linked"):
        services.patients.create(desk.id, details)
    network_admin = admin(services)
    with pytest.raises(ValidationError, match="Practice: choose the practice where"):
        services.patients.create(network_admin, PatientDetails(
            test_nhs_number(7003), "Ann", "Lee", "1960-01-01", phone="0113 496 0001"))
    placed = services.patients.create(network_admin, PatientDetails(
        test_nhs_number(7003), "Ann", "Lee", "1960-01-01", phone="0113 496 0001",
        practice_id=network["second"]))
    assert placed.practice_id == network["second"]


def test_only_a_network_admin_adds_practices_or_links_users_elsewhere(services, network):
    local_admin = user_of(services, "admin", network["second"], "Holbeck Manager")
    with pytest.raises(PermissionDenied, match="works across the network may add"):
        services.practice.add(local_admin.id, PracticeDetails("Y99903", "Armley"))
    with pytest.raises(PermissionDenied, match="only an admin who works for this practice"):
        services.practice.save(local_admin.id, PracticeDetails("Y99901", "Renamed"),
                               practice_id=network["first"])
    someone = user_of(services, "receptionist", network["second"])
    with pytest.raises(PermissionDenied, match="links users only to the practices"):
        services.users.set_practices(local_admin.id, someone.id, {network["first"]}, False)
    with pytest.raises(PermissionDenied, match="links users only to the practices"):
        services.users.set_practices(local_admin.id, someone.id, {network["second"]}, True)
    assert services.users.practices_of(someone.id) == {network["second"]}
    with pytest.raises(ValidationError, match="ODS code: Y99901 is already"):
        services.practice.add(admin(services), PracticeDetails("y99901", "Copy"))


def test_each_referral_takes_its_own_practices_response_window(services, network):
    network_admin = admin(services)
    services.practice.save(network_admin, PracticeDetails("Y99902", "Holbeck", response_days=3),
                           practice_id=network["second"])
    desk = user_of(services, "receptionist", network["second"])
    patient = services.patients.create(desk.id, PatientDetails(
        test_nhs_number(7004), "Ann", "Lee", "1960-01-01", phone="0113 496 0001"))
    gp = user_of(services, "clinician", network["second"], "Dr Holbeck")
    service = network["service"]
    from tests.support.factories import ready_draft
    draft = ready_draft(services, gp, patient, service)
    sent = services.referrals.send(gp.id, draft.id, draft.version)
    from practice_rx.domain.calendar import add_working_days
    assert sent.response_due_on == add_working_days(sent.sent_at.date(), 3)
    assert network["sent"].response_due_on == add_working_days(network["sent"].sent_at.date(), 10)
