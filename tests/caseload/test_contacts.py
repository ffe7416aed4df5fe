"""Contacts: recorded once on an allocated open case, the first one made moves the referral to
contacted with it, failed attempts lead to 'not contactable' being offered, notes kept from
roles that see only dates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from practice_rx.domain.contacts import MAX_CONTACT_MINUTES
from practice_rx.errors import ConflictError, PermissionDenied, ValidationError
from practice_rx.services.contacts import ContactDetails
from practice_rx.services.practice import PracticeDetails
from practice_rx.storage.caseload_models import Contact
from practice_rx.storage.models import AuditEvent, ReferralEvent
from tests.caseload.allocated_case import accepted, allocated, contact, current, worker
from tests.support.factories import admin, make_user, move


@pytest.fixture
def case(services):
    nadia = worker(services)
    return nadia, allocated(services, nadia)


def test_the_first_contact_made_moves_the_referral_to_contacted_in_one_go(services, case, clock):
    nadia, referral = case
    clock.advance(hours=2)
    at = clock() - timedelta(minutes=30)
    recorded = contact(services, nadia, referral.id, occurred_at=at)
    assert recorded.moved_to_contacted
    after = current(services, referral.id)
    assert (after.status, after.status_changed_at, after.next_contact_due_on) == (
        "contacted", at, clock().date() + timedelta(days=7))
    with services.db.reading() as session:
        event = session.scalars(select(ReferralEvent).where(
            ReferralEvent.referral_id == referral.id).order_by(ReferralEvent.id.desc())).first()
        assert (event.from_status, event.to_status, event.user_id, event.note,
                event.occurred_at, event.snomed_code) == (
            "accepted", "contacted", nadia.id, "First contact made (phone)", at, "")
    second = contact(services, nadia, referral.id)
    assert not second.moved_to_contacted and current(services, referral.id).status == "contacted"


def test_an_attempt_does_not_move_the_referral_and_three_in_a_row_offer_not_contactable(
        services, case):
    nadia, referral = case
    states = [contact(services, nadia, referral.id, made=False) for _ in range(3)]
    assert [s.attempts.failed_attempts for s in states] == [1, 2, 3]
    assert [s.may_offer_not_contactable for s in states] == [False, False, True]
    assert current(services, referral.id).status == "accepted"
    made = contact(services, nadia, referral.id)
    assert (made.moved_to_contacted, made.may_offer_not_contactable) == (True, False)
    assert services.contacts.attempts(nadia.id, referral.id).failed_attempts == 0
    final = current(services, referral.id)
    assert services.referrals.change_status(nadia.id, final.id, final.version,
                                            "not_contactable").status == "not_contactable"


def test_the_practice_sets_how_many_attempts(services, case):
    nadia, referral = case
    services.practice.save(admin(services), PracticeDetails("Y99901", "Beeston Hill Surgery",
                                                            contact_attempts=2))
    states = [contact(services, nadia, referral.id, made=False) for _ in range(2)]
    assert [s.may_offer_not_contactable for s in states] == [False, True]
    assert states[-1].attempts.attempts_agreed == 2


@pytest.mark.parametrize("attempts", [0, 21, "3", None])
def test_the_attempts_setting_is_a_number_from_1_to_20(services, attempts):
    with pytest.raises(ValidationError) as caught:
        services.practice.save(admin(services), PracticeDetails(
            "Y99901", "Beeston Hill Surgery", contact_attempts=attempts))
    assert caught.value.errors == {
        "contact_attempts": "Attempts before 'not contactable': enter a number from 1 to 20"}


def test_every_problem_at_once_and_nothing_saved(services, case, clock):
    nadia, referral = case
    with pytest.raises(ValidationError) as caught:
        contact(services, nadia, referral.id, contact_type="carrier_pigeon",
                occurred_at=clock() + timedelta(hours=1), minutes=0, note="  ",
                next_contact_on=clock().date() - timedelta(days=1))
    assert set(caught.value.errors) == {"contact_type", "occurred_at", "minutes", "note",
                                        "next_contact_on"}
    with services.db.reading() as session:
        assert session.scalars(select(Contact)).all() == []
        assert session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "contact_record")) is None


@pytest.mark.parametrize(("changes", "field"), [
    ({"minutes": None}, "minutes"),
    ({"minutes": MAX_CONTACT_MINUTES + 1}, "minutes"),
    ({"minutes": True}, "minutes"),
    ({"note": ""}, "note"),
    ({"note": "x\x00"}, "note"),
    ({"next_contact_on": None}, "next_contact_on"),
])
def test_a_contact_made_needs_its_length_a_note_and_the_next_date(services, case, changes, field):
    nadia, referral = case
    with pytest.raises(ValidationError) as caught:
        contact(services, nadia, referral.id, **changes)
    assert set(caught.value.errors) == {field}


def test_an_attempt_has_no_length_and_its_note_is_optional(services, case):
    nadia, referral = case
    with pytest.raises(ValidationError) as caught:
        contact(services, nadia, referral.id, made=False, minutes=5)
    assert caught.value.errors == {
        "minutes": "Length: leave empty for an attempt that did not reach the person"}
    assert contact(services, nadia, referral.id, made=False, note="").attempts.failed_attempts == 1


def test_a_contact_cannot_be_dated_before_the_referral_was_accepted(services, case, clock):
    nadia, referral = case
    with pytest.raises(ValidationError) as caught:
        contact(services, nadia, referral.id, occurred_at=clock() - timedelta(days=1))
    assert caught.value.errors["occurred_at"].startswith(
        "When it happened: cannot be before the referral was accepted")
    contact(services, nadia, referral.id, occurred_at=clock())  # the moment it was accepted


def test_only_an_allocated_open_case_takes_contacts(services):
    nadia = worker(services)
    unallocated = accepted(services)
    with pytest.raises(ValidationError) as caught:
        contact(services, nadia, unallocated.id)
    assert caught.value.errors == {
        "allocated_to_id": "Contact: allocate this referral to a link worker first"}
    closed = allocated(services, nadia)
    closed = move(services, closed, "declined", "Does not want it")
    with pytest.raises(ValidationError) as caught:
        contact(services, nadia, closed.id)
    assert caught.value.errors["status"].startswith("Contact: this referral is declined")


def test_a_contact_is_audited_without_the_patients_identifiers(services, case):
    nadia, referral = case
    recorded = contact(services, nadia, referral.id, note="Talked about the walking group")
    with services.db.reading() as session:
        row = session.scalar(select(AuditEvent).where(AuditEvent.action == "contact_record"))
    assert (row.entity, row.entity_id, row.patient_id, row.user_id) == (
        "referral", referral.id, referral.patient_id, nadia.id)
    assert row.after["contact_id"] == recorded.contact_id
    assert row.after["note"] == "Talked about the walking group"
    assert row.before == {"next_contact_due_on": None}


def test_receptionists_see_when_and_how_but_never_what_was_said(services, case):
    nadia, referral = case
    contact(services, nadia, referral.id, note="Worried about her son")
    contact(services, nadia, referral.id, made=False)
    desk = make_user(services, "receptionist", "Sam Jones")
    seen = services.contacts.list(desk.id, referral.id)
    assert [(row.made, row.contact_type, row.note) for row in seen] == [
        (True, "phone", None), (False, "phone", None)]
    full = services.contacts.list(nadia.id, referral.id)
    assert [row.note for row in full] == ["Worried about her son", ""]
    audit_admin = make_user(services, "admin", "Pat Morgan")
    assert services.contacts.list(audit_admin.id, referral.id)[0].note == "Worried about her son"
    with pytest.raises(PermissionDenied, match="cannot view caseload"):
        services.contacts.list(make_user(services).id, referral.id)


def test_only_a_link_worker_records_contacts(services, case):
    _, referral = case
    for role in ("receptionist", "clinician", "admin"):
        with pytest.raises(PermissionDenied, match="cannot record casework"):
            contact(services, make_user(services, role, f"A {role}"), referral.id)


def test_a_contact_on_a_stale_version_is_refused_and_nothing_saved(services, case):
    nadia, referral = case
    contact(services, nadia, referral.id)
    with pytest.raises(ConflictError):
        services.contacts.record(nadia.id, referral.id, referral.version, ContactDetails(
            "phone", True, services.clock().date(), minutes=5, note="Second desk"))
    with services.db.reading() as session:
        assert len(session.scalars(select(Contact)).all()) == 1
