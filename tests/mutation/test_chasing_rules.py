"""The chase rules mutmut showed no test held: each practice's own window, only overdue
referrals listed, each refusal's words, the chase and audit rows in full, and progress and
cancel passed through to the letters. Dates are worked on the 2026 calendar by hand."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from practice_rx.services.patients import PatientDetails
from practice_rx.services.practice import PracticeDetails
from practice_rx.storage.models import AuditEvent, ReferralChase
from tests.support.factories import (
    admin,
    desk,
    make_patient,
    make_service,
    make_user,
    move,
    ready_draft,
    test_nhs_number,
)

MONDAY_14_DEC = datetime(2026, 12, 14, 10, 0)


def _linked(services, role: str, practice_ids: set[int], name: str):
    user = make_user(services, role, name)
    return services.users.set_practices(admin(services), user.id, practice_ids, False)


@pytest.fixture
def surgeries(services, clock):
    """Beeston Hill (chase again after 3 working days) and Holbeck (after 7), one referral
    each sent Mon 23 Nov with a 5-working-day window: due Mon 30 Nov, overdue on 14 Dec."""
    network_admin = admin(services)
    beeston = services.practice.save(network_admin, PracticeDetails(
        "Y99901", "Beeston Hill", address="1 Beeston Road, Leeds", response_days=5,
        chase_again_days=3)).id
    holbeck = services.practice.add(network_admin, PracticeDetails(
        "Y99902", "Holbeck", address="2 Holbeck Lane, Leeds", response_days=5,
        chase_again_days=7)).id
    service = make_service(services)
    clock.now = datetime(2026, 11, 23, 9, 0)
    sent = {}
    for practice_id, number in ((beeston, 7011), (holbeck, 7012)):
        reception = _linked(services, "receptionist", {practice_id}, f"Desk {number}")
        gp = _linked(services, "clinician", {practice_id}, f"Dr {number}")
        patient = services.patients.create(reception.id, PatientDetails(
            test_nhs_number(number), "Ann", f"Lee{number}", "1960-01-01", phone="0113 496 0001"))
        draft = ready_draft(services, gp, patient, service)
        sent[practice_id] = services.referrals.send(gp.id, draft.id, draft.version)
    clock.now = MONDAY_14_DEC
    both = _linked(services, "receptionist", {beeston, holbeck}, "Sam Both")
    only_beeston = _linked(services, "receptionist", {beeston}, "Pat Beeston")
    return {"beeston": sent[beeston], "holbeck": sent[holbeck], "desk": both.id,
            "beeston_desk": only_beeston.id}


def test_each_practice_is_chased_again_after_its_own_window(services, clock, surgeries):
    listed = services.chasing.candidates(surgeries["desk"])
    ids = [surgeries["beeston"].id, surgeries["holbeck"].id]
    assert sorted(listed.chosen_by_default) == sorted(ids)
    assert listed.chase_again_days == 3  # the first practice's, for the caption
    services.chasing.make_letters(surgeries["desk"], ids, listed.listed_at)
    clock.now = datetime(2026, 12, 17, 10, 0)  # Thu: 3 working days after Mon 14 Dec
    again = services.chasing.candidates(surgeries["desk"])
    assert again.chosen_by_default == [surgeries["beeston"].id]
    clock.now = datetime(2026, 12, 22, 10, 0)  # Tue 22: 6 working days, Holbeck waits for 7
    assert surgeries["holbeck"].id not in services.chasing.candidates(
        surgeries["desk"]).chosen_by_default
    clock.now = datetime(2026, 12, 23, 10, 0)  # Wed 23: 7 working days
    assert surgeries["holbeck"].id in services.chasing.candidates(
        surgeries["desk"]).chosen_by_default


def test_the_chase_and_its_audit_entry_hold_who_whom_and_how(services, db, surgeries):
    referral = surgeries["beeston"]
    listed = services.chasing.candidates(surgeries["desk"])
    [item] = services.chasing.make_letters(surgeries["desk"], [referral.id], listed.listed_at)
    with db.reading() as session:
        chase = session.scalars(select(ReferralChase)).one()
        entry = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "referral_chase")).one()
    assert (chase.method, chase.user_id, chase.letter_id) == (
        "letter", surgeries["desk"], item.letter.record.id)
    assert (entry.user_id, entry.entity, entry.entity_id, entry.patient_id) == (
        surgeries["desk"], "referral", referral.id, referral.patient_id)
    assert entry.after == {"method": "letter", "letter_id": item.letter.record.id}


def test_only_overdue_referrals_are_listed_longest_overdue_first(services, clock):
    services.practice.save(admin(services), PracticeDetails(
        "Y99901", "Beeston Hill", response_days=5))
    gp, service = make_user(services), make_service(services)
    clock.now = datetime(2026, 11, 20, 9, 0)  # Fri 20 Nov: written first, sent last
    written_first = ready_draft(services, gp, make_patient(services), service)
    clock.now = datetime(2026, 11, 23, 9, 0)  # Mon 23 Nov: due Mon 30 Nov
    draft = ready_draft(services, gp, make_patient(services), service)
    due_first = services.referrals.send(gp.id, draft.id, draft.version)
    clock.now = datetime(2026, 11, 24, 9, 0)  # Tue 24 Nov: due Tue 1 Dec
    due_second = services.referrals.send(gp.id, written_first.id, written_first.version)
    clock.now = datetime(2026, 12, 10, 9, 0)  # Thu 10 Dec: due Thu 17 Dec, not yet overdue
    draft = ready_draft(services, gp, make_patient(services), service)
    services.referrals.send(gp.id, draft.id, draft.version)
    ready_draft(services, gp, make_patient(services), service)  # a draft: never chased
    clock.now = MONDAY_14_DEC
    listed = services.chasing.candidates(desk(services))
    assert [c.row.id for c in listed.candidates] == [due_first.id, due_second.id]
    assert listed.total == 2
    first_only = services.chasing.candidates(desk(services), limit=1)
    assert [c.row.id for c in first_only.candidates] == [due_first.id]
    assert first_only.total == 2


def test_without_a_practice_set_up_the_window_is_five_working_days(services, db, clock):
    from practice_rx.services.chasing import record_chase

    gp = make_user(services)
    clock.now = datetime(2026, 11, 23, 9, 0)
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    sent = services.referrals.send(gp.id, draft.id, draft.version)
    assert sent.practice_id is None
    with db.transaction() as session:  # chased on Mon 14 Dec
        record_chase(session, services.chasing.audit, sent.id, sent.patient_id, gp.id,
                     MONDAY_14_DEC)
    clock.now = datetime(2026, 12, 18, 10, 0)  # Fri 18 Dec: 4 working days on
    listed = services.chasing.candidates(desk(services))
    assert listed.chase_again_days == 5
    assert [c.recently_chased for c in listed.candidates] == [True]
    clock.now = datetime(2026, 12, 21, 10, 0)  # Mon 21 Dec: 5 working days on
    assert services.chasing.candidates(desk(services)).chosen_by_default == [sent.id]


def test_each_referral_left_out_says_why_in_full(services, clock, surgeries):
    beeston, holbeck = surgeries["beeston"], surgeries["holbeck"]
    listed = services.chasing.candidates(surgeries["desk"])
    accepted = move(services, beeston, "accepted")
    items = services.chasing.make_letters(surgeries["beeston_desk"],
                                          [999999, holbeck.id, accepted.id], listed.listed_at)
    assert [(i.referral_id, i.letter, i.error) for i in items] == [
        (999999, None, "Referral 999999 does not exist"),
        (holbeck.id, None,
         "not allowed: it belongs to a practice your account is not linked to"),
        (accepted.id, None, "no longer overdue (now Accepted); not chased"),
    ]


def test_a_chase_at_the_moment_of_listing_is_not_after_it(services, db, clock, surgeries):
    holbeck = surgeries["holbeck"]
    listed = services.chasing.candidates(surgeries["desk"])
    # the clock has not moved: this chase is at the listing's instant, not after it
    services.chasing.make_letters(surgeries["desk"], [holbeck.id], listed.listed_at)
    [same_instant] = services.chasing.make_letters(surgeries["desk"], [holbeck.id],
                                                   listed.listed_at)
    assert same_instant.letter is not None
    clock.advance(minutes=1)
    services.chasing.make_letters(surgeries["desk"], [holbeck.id], clock.now)
    [later] = services.chasing.make_letters(surgeries["desk"], [holbeck.id], listed.listed_at)
    assert (later.letter, later.error) == (
        None, "chased by someone else since the list was shown")


def test_progress_and_cancel_reach_the_letters(services, db, surgeries):
    ids = [surgeries["beeston"].id, surgeries["holbeck"].id]
    listed = services.chasing.candidates(surgeries["desk"])
    calls = []
    services.chasing.make_letters(surgeries["desk"], ids, listed.listed_at,
                                  progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]
    with db.reading() as session:
        before = len(session.scalars(select(ReferralChase)).all())
    items = services.chasing.make_letters(surgeries["desk"], ids, datetime(2027, 1, 1),
                                          cancelled=lambda: True)
    assert not [i for i in items if i.letter is not None]
    with db.reading() as session:
        assert len(session.scalars(select(ReferralChase)).all()) == before == 2


def test_a_chase_by_another_method_is_recorded_as_that_method(services, db, surgeries):
    from practice_rx.services.chasing import record_chase
    from practice_rx.storage.models import Referral

    referral = surgeries["holbeck"]
    with db.transaction() as session:
        record_chase(session, services.chasing.audit, referral.id, referral.patient_id,
                     surgeries["desk"], MONDAY_14_DEC, method="phone")
    with db.reading() as session:
        chase = session.scalars(select(ReferralChase)).one()
        entry = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "referral_chase")).one()
        chased_at = session.get(Referral, referral.id).last_chased_at
    assert (chase.method, chase.letter_id, chase.at) == ("phone", None, MONDAY_14_DEC)
    assert entry.after == {"method": "phone", "letter_id": None}
    assert chased_at == MONDAY_14_DEC
