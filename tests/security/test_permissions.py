"""The whole permission matrix, role by action, through the service layer on both backends."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import func, select

from practice_rx.domain.permissions import PERMISSIONS, Action, Role, allowed
from practice_rx.errors import PermissionDenied
from practice_rx.reports import ReportPeriod
from practice_rx.services.audit import AuditFilter
from practice_rx.services.care_plans import Agreement
from practice_rx.services.caseload import CaseloadQuery
from practice_rx.services.catalogue import ServiceDetails
from practice_rx.services.patients import PatientDetails
from practice_rx.services.practice import PracticeDetails
from practice_rx.services.referral_source import SourceDetails
from practice_rx.services.referrals import DraftChanges
from practice_rx.services.worklist import WorklistQuery
from practice_rx.storage.models import AuditEvent
from tests.caseload.casework_cases import PLAN, install_measures, open_case
from tests.support.factories import (
    NATIONAL,
    admin,
    make_patient,
    make_service,
    make_user,
    move,
    ready_draft,
    test_nhs_number,
)


def _draft(s, env):
    return ready_draft(s, env["gp"], env["patient"], env["service"])


def _sent(s, env):
    draft = _draft(s, env)
    return s.referrals.send(env["gp"].id, draft.id, draft.version)


YEAR_2026 = ReportPeriod(date(2026, 1, 1), date(2026, 12, 31))

ATTEMPTS = {
    Action.VIEW_PATIENTS: lambda s, uid, env: s.patients.open(uid, env["patient"].id),
    Action.EDIT_PATIENTS: lambda s, uid, env: s.patients.create(uid, PatientDetails(
        test_nhs_number(4242), "Ruth", "Okoro", "1960-02-02", phone="0113 496 0123")),
    Action.VIEW_REFERRALS: lambda s, uid, env: (s.worklist.page(uid, WorklistQuery()),
                                                s.referrals.get(uid, env["draft"].id)),
    Action.WRITE_REFERRALS: lambda s, uid, env: s.referrals.create_draft(
        uid, env["patient"].id, NATIONAL),
    # another clinician's draft: the role check comes first, then the on-behalf rule
    Action.SEND_REFERRALS: lambda s, uid, env: s.referrals.send(
        uid, env["draft"].id, env["draft"].version, on_behalf=True),
    Action.CANCEL_REFERRALS: lambda s, uid, env: s.referrals.change_status(
        uid, env["draft"].id, env["draft"].version, "cancelled", "Duplicate"),
    Action.RECORD_SERVICE_REPLY: lambda s, uid, env: s.referrals.change_status(
        uid, env["sent"].id, env["sent"].version, "accepted"),
    Action.RECORD_CONTACT: lambda s, uid, env: s.referrals.change_status(
        uid, env["accepted"].id, env["accepted"].version, "contacted"),
    Action.ADD_NOTES: lambda s, uid, env: s.referrals.add_note(
        uid, env["sent"].id, env["sent"].version, "Phoned the service"),
    Action.MANAGE_CATALOGUE: lambda s, uid, env: s.catalogue.add_local(
        uid, ServiceDetails("ours-1", "Our lunch club", "befriending")),
    Action.MANAGE_SETTINGS: lambda s, uid, env: s.practice.save(
        uid, PracticeDetails("Y99901", "Beeston Hill Surgery")),
    Action.MANAGE_USERS: lambda s, uid, env: s.users.add(
        uid, "new.user", "New User", "receptionist", "a long password"),
    Action.VIEW_AUDIT: lambda s, uid, env: s.audit.list(uid, AuditFilter()),
    Action.PRINT_LETTERS: lambda s, uid, env: s.letters.generate(uid, env["sent"].id, "referral"),
    # a service that takes referrals by post: nothing goes, but the role and practice count
    Action.DELIVER_REFERRALS: lambda s, uid, env: s.delivery.deliver(uid, env["sent"].id),
    Action.ENTER_INBOUND_REFERRALS: lambda s, uid, env: s.referrals.create_draft(
        uid, env["patient"].id, NATIONAL,
        DraftChanges(source=SourceDetails("self_referral", received_by="phone"))),
    Action.ALLOCATE_REFERRALS: lambda s, uid, env: s.allocation.allocate(
        uid, env["accepted"].id, env["accepted"].version, env["case"].worker.id),
    Action.VIEW_CASELOAD: lambda s, uid, env: s.caseload.page(uid, CaseloadQuery()),
    Action.RECORD_CASEWORK: lambda s, uid, env: s.care_plans.save(
        uid, env["case"].referral_id, env["case"].version, PLAN),
    Action.VIEW_CASEWORK: lambda s, uid, env: s.care_plans.versions(uid, env["case"].referral_id),
    Action.VIEW_CASE_SUMMARY: lambda s, uid, env: s.care_plans.summary(
        uid, env["case"].referral_id),
    Action.VIEW_REPORTS: lambda s, uid, env: s.reports.build(uid, YEAR_2026),
    Action.EXPORT_EXTRACT: lambda s, uid, env: s.extracts.rows(uid, YEAR_2026),
}


def test_every_action_is_attempted():
    assert set(ATTEMPTS) == set(Action)


@pytest.mark.parametrize(("action", "role"), list(itertools.product(ATTEMPTS, Role)),
                         ids=lambda value: str(value))
def test_role_by_action(services, db, action, role):
    services.practice.save(admin(services), PracticeDetails("Y99901", "Beeston Hill Surgery",
                                                            address="1 Beeston Road, Leeds"))
    env = {"gp": make_user(services), "patient": make_patient(services),
           "service": make_service(services)}
    env["draft"] = _draft(services, env)
    env["sent"] = _sent(services, env)
    env["accepted"] = move(services, _sent(services, env), "accepted")
    env["case"] = open_case(services)  # accepted, allocated to a link worker and contacted
    user = make_user(services, role.value, f"A {role.value}")
    with db.reading() as session:
        audit_rows = session.scalar(select(func.count()).select_from(AuditEvent))
    if allowed(role, action):
        ATTEMPTS[action](services, user.id, env)
    else:
        with pytest.raises(PermissionDenied) as caught:
            ATTEMPTS[action](services, user.id, env)
        assert str(caught.value) == (
            f"Not allowed: the {role.label} role cannot {action.label}")
        with db.reading() as session:  # nothing was done, so nothing was audited
            assert session.scalar(select(func.count()).select_from(AuditEvent)) == audit_rows


def test_a_disabled_user_can_do_nothing(services):
    gp = make_user(services)
    patient = make_patient(services)
    admin = make_user(services, "admin", "Pat Morgan")
    services.users.set_active(admin.id, gp.id, False)
    with pytest.raises(PermissionDenied, match="disabled"):
        services.referrals.create_draft(gp.id, patient.id, NATIONAL)


def test_the_matrix_in_the_docs_is_the_one_in_the_code():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "permissions.md").read_text()
    for action, roles in PERMISSIONS.items():
        cells = " | ".join("yes" if role in roles else "no" for role in Role)
        assert f"| {action.label} | {cells} |" in doc, action


#: Each casework call of the plan, connections and outcome measures, with the action it needs.
CASEWORK_CALLS = {
    "care_plans.save": (Action.RECORD_CASEWORK, lambda s, uid, env: s.care_plans.save(
        uid, env["case"].referral_id, env["case"].version, PLAN)),
    "care_plans.save agreed": (Action.RECORD_CASEWORK, lambda s, uid, env: s.care_plans.save(
        uid, env["case"].referral_id, env["case"].version, PLAN,
        Agreement(agreed_on=s.clock().date()))),
    "care_plans.versions": (Action.VIEW_CASEWORK, lambda s, uid, env: s.care_plans.versions(
        uid, env["case"].referral_id)),
    "care_plans.summary": (Action.VIEW_CASE_SUMMARY, lambda s, uid, env: s.care_plans.summary(
        uid, env["case"].referral_id)),
    "connections.connect": (Action.RECORD_CASEWORK, lambda s, uid, env: s.connections.connect(
        uid, env["case"].referral_id, env["case"].version, env["group"].id)),
    "connections.move": (Action.RECORD_CASEWORK, lambda s, uid, env: s.connections.move(
        uid, env["connection"].id, env["connection"].version, "referred")),
    "connections.list": (Action.VIEW_CASE_SUMMARY, lambda s, uid, env: s.connections.list(
        uid, env["case"].referral_id)),
    "outcome_measures.record": (Action.RECORD_CASEWORK,
                                lambda s, uid, env: s.outcome_measures.record(
        uid, env["case"].referral_id, env["case"].version, ("ons_lonely", 1), "baseline",
        s.clock().date(), {"lonely": 2})),
    "outcome_measures.results": (Action.VIEW_CASE_SUMMARY,
                                 lambda s, uid, env: s.outcome_measures.results(
        uid, env["case"].referral_id)),
    "outcome_measures.changes": (Action.VIEW_CASE_SUMMARY,
                                 lambda s, uid, env: s.outcome_measures.changes(
        uid, env["case"].referral_id)),
}


@pytest.mark.parametrize(("call", "role"), list(itertools.product(CASEWORK_CALLS, Role)),
                         ids=lambda value: str(value))
def test_role_by_casework_call(services, db, call, role):
    """Every role against every call of the plan, its connections and outcome measures."""
    install_measures(services)
    env = {"case": open_case(services), "group": make_service(services, "Lunch club")}
    env["connection"] = services.connections.connect(
        env["case"].worker.id, env["case"].referral_id, env["case"].version,
        make_service(services, "Art class").id)
    user = make_user(services, role.value, f"A {role.value}")
    action, attempt = CASEWORK_CALLS[call]
    with db.reading() as session:
        audit_rows = session.scalar(select(func.count()).select_from(AuditEvent))
    if allowed(role, action):
        attempt(services, user.id, env)
        with db.reading() as session:  # done, and audited
            assert session.scalar(select(func.count()).select_from(AuditEvent)) > audit_rows
    else:
        with pytest.raises(PermissionDenied) as caught:
            attempt(services, user.id, env)
        assert str(caught.value) == f"Not allowed: the {role.label} role cannot {action.label}"
        with db.reading() as session:
            assert session.scalar(select(func.count()).select_from(AuditEvent)) == audit_rows
