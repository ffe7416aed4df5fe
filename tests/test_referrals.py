"""Raising, sending and moving referrals, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from practice_rx.domain.statuses import SNOMED_DECLINED, SNOMED_REFERRED, Status, allowed_next
from practice_rx.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    TransitionError,
    ValidationError,
)
from practice_rx.services.chasing import record_chase
from practice_rx.services.referrals import DraftChanges
from practice_rx.storage.models import AuditEvent, Referral, ReferralEvent
from tests.caseload.casework_cases import allocate
from tests.support.factories import (
    NATIONAL,
    admin,
    desk,
    complete_answers,
    install_national_form,
    make_patient,
    make_service,
    make_user,
    move,
    ready_draft,
    two_practices,
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


@pytest.fixture
def gp(services):
    return make_user(services)


@pytest.fixture
def sent(services, gp):
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    return services.referrals.send(gp.id, draft.id, draft.version)


def test_a_sent_referrals_service_or_answers_cannot_be_changed(services, gp, sent):
    other = make_service(services, "Leeds Debt Advice")
    for changes in (DraftChanges(service_id=other.id), DraftChanges(answers=complete_answers())):
        with pytest.raises(TransitionError) as caught:
            services.referrals.update_draft(gp.id, sent.id, sent.version, changes)
        assert (caught.value.current, caught.value.target) == ("sent", "sent")
        assert str(caught.value) == (
            "A referral cannot move from 'sent' to 'sent': only a draft's service, reasons and "
            "answers can be changed; add a note instead")
    stored = services.referrals.get(gp.id, sent.id)
    assert (stored.status, stored.service_id) == ("sent", sent.service_id)


def test_saving_a_sent_referral_with_nothing_changed_changes_nothing(services, gp, sent):
    """The referral window saves what it shows; with nothing changed that is not an edit."""
    saved = services.referrals.update_draft(gp.id, sent.id, sent.version, DraftChanges())
    assert (saved.status, saved.service_id, saved.answers) == (
        "sent", sent.service_id, sent.answers)


def test_consent_recorded_on_a_draft_is_the_recording_users(services, gp):
    """A draft started by one clinician and completed by another: the second took consent."""
    install_national_form(services)
    colleague = make_user(services, name="Dr Ben Okafor")
    draft = services.referrals.create_draft(gp.id, make_patient(services).id, NATIONAL,
                                            DraftChanges())
    assert draft.consent_recorded_by_id is None
    answers = complete_answers(consent_date=services.clock().date().isoformat())
    done = services.referrals.update_draft(colleague.id, draft.id, draft.version,
                                           DraftChanges(answers=answers))
    assert done.consent_recorded_by_id == colleague.id
    with services.db.reading() as session:
        [row] = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "referral_update", AuditEvent.entity_id == draft.id))
        assert row.user_id == colleague.id
        assert row.after["answers"]["consent_given"] is True
        assert row.before["answers"] == {}


def test_an_opened_referral_can_be_shown_after_its_session_has_closed(services, gp, sent):
    """The referral window reads the patient, referrer, link worker and each chaser's name
    from the referral it was given: each must be loaded with it, not on first use."""
    worker = make_user(services, "link_worker", "Nadia Ahmed")
    allocate(services, sent.id, worker)
    with services.db.transaction() as session:
        record_chase(session, services.referrals.audit, sent.id, sent.patient_id, gp.id,
                     services.clock(), method="phone")
    shown = services.referrals.get(gp.id, sent.id)
    assert (shown.patient.family_name, shown.referrer.display_name,
            shown.allocated_to.display_name) == ("Smith", "Dr Asha Patel", "Nadia Ahmed")
    assert [(chase.method, chase.user.display_name) for chase in shown.chases] == [
        ("phone", "Dr Asha Patel")]
    assert [(event.from_status, event.to_status, event.note, event.user.display_name)
            for event in shown.events] == [(None, "draft", "Draft started", "Dr Asha Patel"),
                                           ("draft", "sent", "", "Dr Asha Patel")]


def test_opening_a_referral_is_audited_against_the_user_and_a_missing_one_named(
        services, gp, sent):
    services.referrals.get(gp.id, sent.id)
    with services.db.reading() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "referral_view"))
        assert [(row.user_id, row.entity, row.entity_id, row.patient_id) for row in rows] == [
            (gp.id, "referral", sent.id, sent.patient_id)]
    with pytest.raises(NotFoundError) as caught:
        services.referrals.get(gp.id, 999_999)
    assert str(caught.value) == "Referral 999999 does not exist"


def test_a_services_own_response_window_sets_the_due_date(services, gp):
    """Sent Tuesday 24 November 2026: 3 working days is Friday 27th; with no window of its
    own, the default 10 working days is Tuesday 8 December."""
    patient = make_patient(services)
    quick = make_service(services, "Leeds Debt Advice", response_days=3)
    plain = make_service(services, "Leeds Walking Group")
    due = []
    for service in (quick, plain):
        draft = ready_draft(services, gp, patient, service)
        due.append(services.referrals.send(gp.id, draft.id, draft.version).response_due_on)
    assert due == [date(2026, 11, 27), date(2026, 12, 8)]


def test_a_draft_missing_a_required_answer_is_not_sent(services, gp):
    answers = complete_answers()
    del answers["what_matters"]
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    draft = services.referrals.update_draft(gp.id, draft.id, draft.version,
                                            DraftChanges(answers=answers))
    with pytest.raises(ValidationError) as caught:
        services.referrals.send(gp.id, draft.id, draft.version)
    assert caught.value.errors == {"what_matters": "What matters to the patient: required"}
    assert services.referrals.get(gp.id, draft.id).status == "draft"


@pytest.mark.parametrize(("column", "message"), [
    ("consent_given", "Consent: the patient must agree to the referral"),
    ("consent_to_share", "Consent: the patient must agree to sharing their information"),
])
def test_consent_is_checked_on_the_record_as_well_as_in_the_answers(
        services, gp, column, message):
    """Lists, letters and exports read the consent columns: a row whose column says no
    (an older or hand-mended row) is not sent because its answers say yes."""
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    with services.db.transaction() as session:
        setattr(session.get(Referral, draft.id), column, False)
    with services.db.reading() as session:
        version = session.get(Referral, draft.id).version
    with pytest.raises(ValidationError) as caught:
        services.referrals.send(gp.id, draft.id, version)
    assert caught.value.errors == {column: message}


def test_a_referral_of_the_second_practice_is_due_by_its_own_windows(services, gp):
    """Sent and accepted Tuesday 24 November 2026 at Holbeck: a reply is due in 5 working
    days (Tuesday 1 December), then a contact in 3."""
    _, holbeck = two_practices(services, response_days=5, contact_days=3)
    services.users.set_practices(admin(services), gp.id, {holbeck}, False)
    patient = make_patient(services, practice_id=holbeck)
    draft = ready_draft(services, gp, patient, make_service(services))
    sent = services.referrals.send(gp.id, draft.id, draft.version)
    assert (sent.practice_id, sent.response_due_on) == (holbeck, date(2026, 12, 1))
    accepted = move(services, sent, "accepted")  # contact due in 3: Friday 27 November
    assert accepted.response_due_on == date(2026, 11, 27)


def test_a_referral_of_another_practice_is_not_opened(services, gp, sent):
    """A user of the network's other practice cannot open it, and the refusal is not audited
    as an opening."""
    beeston, holbeck = two_practices(services)
    outsider = make_user(services, "receptionist", "Sam Jones")
    services.users.set_practices(admin(services), outsider.id, {holbeck}, False)
    with pytest.raises(PermissionDenied, match="belongs to a practice your account is not "
                                               "linked to"):
        services.referrals.get(outsider.id, sent.id)
    with services.db.reading() as session:
        assert session.scalar(select(Referral.practice_id).where(Referral.id == sent.id)) \
            == beeston
        assert list(session.scalars(select(AuditEvent.user_id).where(
            AuditEvent.action == "referral_view"))) == []


def test_a_move_with_no_note_has_an_empty_note(services, gp, sent):
    accepted = services.referrals.change_status(desk(services), sent.id, sent.version,
                                                "accepted")
    assert services.referrals.get(gp.id, accepted.id).events[-1].note == ""


def test_a_moves_note_that_cannot_be_stored_is_refused_on_the_note_field(services, gp, sent):
    with pytest.raises(ValidationError) as caught:
        move(services, sent, "accepted", "rang\x00back")
    assert caught.value.errors == {"note": "Note: must not contain NUL characters; type it again"}
    assert services.referrals.get(gp.id, sent.id).status == "sent"


def test_a_draft_is_refused_a_service_not_in_the_catalogue(services, gp):
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    with pytest.raises(ValidationError) as caught:
        services.referrals.update_draft(gp.id, draft.id, draft.version,
                                        DraftChanges(service_id=999_999))
    assert caught.value.errors == {
        "service_id": "Service: choose a service that is in the catalogue"}
    assert services.referrals.get(gp.id, draft.id).service_id == draft.service_id


def test_a_draft_saved_early_keeps_its_columns_at_their_empty_values(services, gp):
    """A draft saved before urgency, consent or other reasons are answered lists as
    routine, with no consent and nothing more."""
    install_national_form(services)
    draft = services.referrals.create_draft(gp.id, make_patient(services).id, NATIONAL,
                                            DraftChanges(answers={"consent_given": False}))
    assert (draft.urgency, draft.reason_other, draft.consent_method, draft.consent_given,
            draft.consent_recorded_by_id, draft.reasons) == ("routine", "", "", False, None, [])


def test_consent_stays_with_whoever_first_recorded_it(services, gp):
    colleague = make_user(services, name="Dr Ben Okafor")
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    resaved = services.referrals.update_draft(
        colleague.id, draft.id, draft.version, DraftChanges(answers=complete_answers(
            consent_date=services.clock().date().isoformat(), urgency="soon")))
    assert (resaved.urgency, resaved.consent_recorded_by_id) == ("soon", gp.id)


def test_only_a_referral_made_or_declined_carries_a_snomed_code(services, gp, sent):
    """The GP record is coded for a referral sent and one declined; any other move is not
    coded, and says so with an empty code rather than none."""
    accepted = move(services, sent, "accepted")
    events = services.referrals.get(gp.id, accepted.id).events
    assert [(event.to_status, event.snomed_code) for event in events] == [
        ("draft", ""), ("sent", "871731000000106"), ("accepted", "")]


def test_a_draft_for_a_patient_or_after_a_referral_that_does_not_exist_is_named(services, gp):
    install_national_form(services)
    with pytest.raises(NotFoundError) as caught:
        services.referrals.create_draft(gp.id, 999_999, NATIONAL)
    assert str(caught.value) == "Patient 999999 does not exist"
    with pytest.raises(NotFoundError) as caught:
        services.referrals.create_draft(gp.id, make_patient(services).id, NATIONAL,
                                        previous_referral_id=999_998)
    assert str(caught.value) == "Referral 999998 does not exist"
