"""Raising, sending and moving referrals, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from practice_rx.domain.statuses import SNOMED_DECLINED, SNOMED_REFERRED, Status, allowed_next
from practice_rx.errors import ConflictError, NotFoundError, TransitionError, ValidationError
from practice_rx.services.referrals import DraftChanges
from practice_rx.storage.models import Referral, ReferralEvent
from tests.support.factories import (
    NATIONAL,
    complete_answers,
    install_national_form,
    make_patient,
    make_service,
    make_user,
    move,
    ready_draft,
)

# A path through the lifecycle to reach each status, with the note each step needs.
PATHS = {
    Status.DRAFT: [],
    Status.SENT: [Status.SENT],
    Status.ACCEPTED: [Status.SENT, Status.ACCEPTED],
    Status.CONTACTED: [Status.SENT, Status.ACCEPTED, Status.CONTACTED],
    Status.IN_PROGRESS: [Status.SENT, Status.ACCEPTED, Status.CONTACTED, Status.IN_PROGRESS],
}


@pytest.fixture
def people(services):
    return make_user(services), make_patient(services), make_service(services)


def walk(services, referral, path):
    for target in path:
        referral = move(services, referral, target, note=f"to {target}")
    return referral


@pytest.mark.parametrize("start", list(PATHS))
def test_every_transition_through_the_service(services, people, start):
    user, patient, service = people
    for target in Status:
        referral = walk(services, ready_draft(services, user, patient, service), PATHS[start])
        allowed = target in allowed_next(start)
        if allowed:
            moved = move(services, referral, target, note="why")
            assert moved.status == target
            stored = services.referrals.get(user.id, referral.id)
            assert stored.status == target
            assert (stored.events[-1].from_status, stored.events[-1].to_status) == (start, target)
        else:
            with pytest.raises(TransitionError, match=f"'{start}' to '{target}'"):
                move(services, referral, target, note="why")
            assert services.referrals.get(user.id, referral.id).status == start


def test_terminal_statuses_are_final(services, people):
    user, patient, service = people
    referral = walk(services, ready_draft(services, user, patient, service), PATHS[Status.SENT])
    referral = move(services, referral, Status.REJECTED, note="No capacity this term")
    for target in Status:
        with pytest.raises(TransitionError, match="is final"):
            move(services, referral, target, "x")


def test_events_record_who_when_from_to_and_note(services, people, clock):
    user, patient, service = people
    receptionist = make_user(services, "receptionist", "Sam Jones")
    referral = ready_draft(services, user, patient, service)
    sent = services.referrals.send(user.id, referral.id, referral.version, "Sent by email")
    clock.advance(days=1)
    services.referrals.change_status(receptionist.id, sent.id, sent.version, Status.ACCEPTED,
                                     "Phoned by the link worker team")
    events = services.referrals.get(user.id, referral.id).events
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "draft"), ("draft", "sent"), ("sent", "accepted")
    ]
    assert events[1].user.display_name == "Dr Asha Patel"
    assert events[2].user.display_name == "Sam Jones"
    assert events[2].at == clock.now
    assert events[2].note == "Phoned by the link worker team"
    assert events[1].snomed_code == SNOMED_REFERRED


def test_declined_event_carries_the_snomed_code(services, people):
    user, patient, service = people
    referral = walk(services, ready_draft(services, user, patient, service),
                    PATHS[Status.ACCEPTED])
    move(services, referral, Status.DECLINED)
    assert services.referrals.get(user.id, referral.id).events[-1].snomed_code == SNOMED_DECLINED


def test_a_failed_change_writes_no_event(services, people, db):
    user, patient, service = people
    referral = ready_draft(services, user, patient, service)
    with pytest.raises(TransitionError):
        move(services, referral, "cancelled", "")
    with db.reading() as session:
        count = len(session.scalars(select(ReferralEvent)).all())
        assert count == 1  # only "draft started"
        assert session.get(Referral, referral.id).status == "draft"


def test_send_needs_a_complete_form_with_consent_and_a_service(services, people):
    user, patient, _ = people
    install_national_form(services)
    draft = services.referrals.create_draft(
        user.id, patient.id, NATIONAL,
        DraftChanges(answers={"consent_given": False, "what_matters": "Company"}),
    )
    with pytest.raises(ValidationError) as caught:
        services.referrals.send(user.id, draft.id, draft.version)
    errors = caught.value.errors
    assert {"consent_given", "consent_to_share", "reasons", "urgency", "service_id"} <= set(errors)
    assert "what_matters" not in errors
    assert errors["service_id"] == "Service: choose the service to refer to"
    assert services.referrals.get(user.id, draft.id).status == "draft"


def test_core_answers_are_copied_to_columns(services, people):
    user, patient, service = people
    draft = ready_draft(services, user, patient, service, reasons=["money", "other"],
                        reasons_other="Moved house", urgency="soon", consent_method="phone")
    stored = services.referrals.get(user.id, draft.id)
    assert stored.reasons == ["money", "other"] and stored.reason_other == "Moved house"
    assert stored.urgency == "soon" and stored.consent_method == "phone"
    assert stored.consent_given and stored.consent_to_share
    assert stored.consent_date == date(2026, 11, 24)
    assert stored.consent_recorded_by_id == user.id


def test_consent_to_referral_without_sharing_cannot_be_sent(services, people):
    user, patient, service = people
    draft = ready_draft(services, user, patient, service, consent_to_share=False)
    with pytest.raises(ValidationError) as caught:
        services.referrals.send(user.id, draft.id, draft.version)
    assert set(caught.value.errors) == {"consent_to_share"}


def test_other_reason_needs_its_text(services, people):
    user, patient, service = people
    draft = ready_draft(services, user, patient, service, reasons=["other"])
    with pytest.raises(ValidationError, match="give details when you choose 'Other'"):
        services.referrals.send(user.id, draft.id, draft.version)


def test_malformed_answers_are_refused_and_nothing_saved(services, people):
    user, patient, service = people
    draft = ready_draft(services, user, patient, service)
    with pytest.raises(ValidationError) as caught:
        services.referrals.update_draft(
            user.id, draft.id, draft.version,
            DraftChanges(answers=complete_answers(reasons=["boredom"], urgency="tomorrow",
                                                  consent_date="31/02/2026")),
        )
    assert set(caught.value.errors) == {"reasons", "urgency", "consent_date"}
    assert services.referrals.get(user.id, draft.id).answers == draft.answers


def test_a_form_that_is_not_installed_is_named(services, people):
    user, patient, _ = people
    with pytest.raises(NotFoundError, match="Form 'leeds' version 3 is not installed"):
        services.referrals.create_draft(user.id, patient.id, ("leeds", 3))


def test_after_sending_only_notes_change(services, people):
    user, patient, service = people
    referral = ready_draft(services, user, patient, service)
    sent = services.referrals.send(user.id, referral.id, referral.version)
    with pytest.raises(TransitionError, match="only a draft"):
        services.referrals.update_draft(user.id, sent.id, sent.version,
                                        DraftChanges(answers=complete_answers(reasons=["housing"])))
    services.referrals.add_note(user.id, sent.id, sent.version, "Left a voicemail")
    [note] = services.referrals.get(user.id, sent.id).notes
    assert (note.text, note.author.display_name) == ("Left a voicemail", "Dr Asha Patel")
    assert services.referrals.get(user.id, sent.id).reasons == ["loneliness"]


def test_stale_version_is_refused_and_nothing_overwritten(services, people):
    user, patient, service = people
    referral = ready_draft(services, user, patient, service)
    first = services.referrals.add_note(user.id, referral.id, referral.version, "first")
    with pytest.raises(ConflictError, match="changed on another workstation"):
        services.referrals.add_note(user.id, referral.id, referral.version, "second")
    stored = services.referrals.get(user.id, referral.id)
    assert stored.version == first.version
    assert [note.text for note in stored.notes] == ["first"]


def test_referring_again_links_to_the_old_referral(services, people):
    user, patient, service = people
    old = walk(services, ready_draft(services, user, patient, service), PATHS[Status.SENT])
    old = move(services, old, "rejected", "Not eligible")
    new = services.referrals.create_draft(user.id, patient.id, NATIONAL,
                                          previous_referral_id=old.id)
    assert services.referrals.get(user.id, new.id).previous_referral_id == old.id
