"""The referral service's rules that mutation testing found no test held (docs/testing.md).

Each expected value is typed from the rule: the messages a desk reads when its copy is stale
or a sent referral is edited, who is recorded as taking consent, and what the audit trail
says about a draft's change and a note's correction.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from practice_rx.errors import ConflictError, NotFoundError, TransitionError, ValidationError
from practice_rx.services.chasing import record_chase
from practice_rx.services.contacts import ContactDetails
from practice_rx.services.referrals import DraftChanges, check_note_text
from practice_rx.storage.models import AuditEvent, Referral
from tests.caseload.casework_cases import allocate, open_case
from tests.support.factories import (
    NATIONAL,
    complete_answers,
    install_national_form,
    make_patient,
    make_service,
    make_user,
    ready_draft,
)


def _stale(referral_id: int, had: int, now: int) -> str:
    return (f"Referral {referral_id} was changed on another workstation since you opened it "
            f"(you had version {had}, it is now version {now}). Nothing was overwritten: "
            "reload it to see the change, then make yours again.")


@pytest.fixture
def gp(services):
    return make_user(services)


@pytest.fixture
def sent(services, gp):
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    return services.referrals.send(gp.id, draft.id, draft.version)


def test_a_stale_copy_of_a_draft_is_refused_with_the_referrals_number(services, gp):
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    other = make_service(services, "Leeds Debt Advice")
    newer = services.referrals.update_draft(gp.id, draft.id, draft.version,
                                            DraftChanges(service_id=other.id))
    with pytest.raises(ConflictError) as caught:
        services.referrals.update_draft(gp.id, draft.id, draft.version, DraftChanges())
    assert str(caught.value) == _stale(draft.id, draft.version, newer.version)


def test_a_note_on_a_stale_copy_is_refused_with_the_referrals_number(services, gp, sent):
    newer = services.referrals.add_note(gp.id, sent.id, sent.version, "Rang the patient")
    with pytest.raises(ConflictError) as caught:
        services.referrals.add_note(gp.id, sent.id, sent.version, "Rang again")
    assert str(caught.value) == _stale(sent.id, sent.version, newer.version)
    assert [n.text for n in services.referrals.get(gp.id, sent.id).notes] == ["Rang the patient"]


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


def test_a_correction_of_another_referrals_note_is_refused_on_the_corrects_field(
        services, gp, sent):
    with pytest.raises(ValidationError) as caught:
        services.referrals.add_note(gp.id, sent.id, sent.version, "x", corrects=999_999)
    assert caught.value.errors == {
        "corrects": "Correction: choose a note of this referral to correct"}


def test_a_corrections_audit_row_names_the_note_it_corrects(services, gp, sent):
    referral = services.referrals.add_note(gp.id, sent.id, sent.version, "Seen 3 May")
    first = services.referrals.get(gp.id, sent.id).notes[0]
    services.referrals.add_note(gp.id, sent.id, referral.version, "Seen 4 May, not 3",
                                corrects=first.id)
    second = services.referrals.get(gp.id, sent.id).notes[1]
    with services.db.reading() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "referral_note")
                               .order_by(AuditEvent.id))
        assert [(row.before, row.after) for row in rows] == [
            ({}, {"note_id": first.id, "note": "Seen 3 May"}),
            ({}, {"note_id": second.id, "note": "Seen 4 May, not 3", "corrects": first.id}),
        ]


@pytest.mark.parametrize(("note", "message"), [
    ("", "Note: enter the text of the note"),
    (" \n\t ", "Note: enter the text of the note"),
    (None, "Note: enter text"),
    ("rang\x00back", "Note: must not contain NUL characters; type it again"),
    ("x" * 5001, "Note: must be 5,000 characters or fewer (this is 5,001)"),
])
def test_a_note_that_cannot_be_kept_is_refused_on_the_note_field(note, message):
    with pytest.raises(ValidationError) as caught:
        check_note_text(note)
    assert caught.value.errors == {"note": message}


def test_a_note_is_kept_trimmed_up_to_the_longest_length():
    assert check_note_text("  Rang back \n") == "Rang back"
    assert check_note_text("x" * 5000) == "x" * 5000


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


CONTACTED = ("Contacted: record the contact with the person (Record contact…), which moves "
             "a link worker's case to contacted")


def test_only_a_contact_made_on_this_case_lets_it_be_marked_contacted(services):
    """A failed attempt on this case, or a contact made on another person's, is not one."""
    case = open_case(services, status="accepted")
    open_case(services, status="contacted")  # another person's case, its contact made
    services.contacts.record(case.worker.id, case.referral_id, case.version, ContactDetails(
        "phone", made=False, next_contact_on=services.clock().date() + timedelta(days=2)))
    with pytest.raises(ValidationError) as refused:
        services.referrals.change_status(case.worker.id, case.referral_id, case.version,
                                         "contacted")
    assert refused.value.errors == {"status": CONTACTED}
    assert case.status == "accepted"


def test_an_allocated_case_marked_completed_is_told_to_close_it(services):
    case = open_case(services, status="in_progress")
    with pytest.raises(ValidationError) as refused:
        services.referrals.change_status(case.worker.id, case.referral_id, case.version,
                                         "completed")
    assert refused.value.errors == {"status": (
        "Completed: a link worker's case is completed by closing it (Close case…), which "
        "records its outcome for the message back to the GP")}


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
