"""Referrals from any agency and self-referrals: entered by reception or a link worker, checked
like any referral, and the role needed follows the referral's source."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from practice_rx.domain.calendar import add_working_days
from practice_rx.errors import PermissionDenied, ValidationError
from practice_rx.services.referral_source import SourceDetails
from practice_rx.services import referrals as referral_module
from practice_rx.services.referrals import DraftChanges
from practice_rx.services.sender_identifier import FIELD as SENDER_FIELD
from practice_rx.services.sender_identifier import SenderIdentifier
from practice_rx.storage.models import AuditEvent, Referral, ReferralEvent
from tests.caseload.allocated_case import current
from tests.support.factories import (
    NATIONAL,
    complete_answers,
    install_national_form,
    make_patient,
    make_service,
    make_user,
    ready_draft,
)

HOUSING = SourceDetails("council_housing", organisation="Leeds City Council Housing",
                        person="Kim Lowe, housing officer", contact="0113 496 0500",
                        received_by="phone")
SELF = SourceDetails("self_referral", received_by="in_person")


@pytest.fixture
def inbound(services):
    install_national_form(services)
    return {"desk": make_user(services, "receptionist", "Sam Jones"),
            "worker": make_user(services, "link_worker", "Nadia Ahmed"),
            "gp": make_user(services), "patient": make_patient(services),
            "service": make_service(services, "Link worker service")}


def _enter(services, user, env, source=HOUSING, **answers):
    answers.setdefault("consent_date", services.clock().date().isoformat())
    return services.referrals.create_draft(
        user.id, env["patient"].id, NATIONAL,
        DraftChanges(service_id=env["service"].id, answers=complete_answers(**answers),
                     source=source))


def _audits(services, action):
    with services.db.reading() as session:
        return session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                               .order_by(AuditEvent.id)).all()


def test_reception_enters_and_sends_an_agency_referral_dated_when_it_arrived(services, inbound,
                                                                              clock):
    received = clock() - timedelta(days=2, hours=3)
    draft = _enter(services, inbound["desk"], inbound)
    sent = services.referrals.send(inbound["desk"].id, draft.id, draft.version,
                                   occurred_at=received)
    assert (sent.status, sent.source, sent.referrer_organisation, sent.referrer_name,
            sent.referrer_contact, sent.received_by) == (
        "sent", "council_housing", "Leeds City Council Housing", "Kim Lowe, housing officer",
        "0113 496 0500", "phone")
    assert sent.sent_at == received
    assert sent.response_due_on == add_working_days(received.date(), 10)
    created = _audits(services, "referral_create")[-1]
    assert {key: created.after[key] for key in ("source", "referrer_organisation",
                                                "referrer_name", "received_by")} == {
        "source": "council_housing", "referrer_organisation": "Leeds City Council Housing",
        "referrer_name": "Kim Lowe, housing officer", "received_by": "phone"}
    assert _audits(services, "referral_status")[-1].after["occurred_at"] == received.isoformat()


def test_a_link_worker_enters_a_self_referral_the_patient_being_the_referrer(services, inbound):
    draft = _enter(services, inbound["worker"], inbound, SELF)
    sent = services.referrals.send(inbound["worker"].id, draft.id, draft.version)
    assert (sent.status, sent.source, sent.referrer_organisation, sent.referrer_name,
            sent.received_by) == ("sent", "self_referral", "", "", "in_person")


def test_a_self_referral_names_no_organisation_or_other_person(services, inbound):
    with pytest.raises(ValidationError) as caught:
        _enter(services, inbound["desk"], inbound,
               SourceDetails("self_referral", organisation="Age UK", person="Someone",
                             received_by="phone"))
    assert set(caught.value.errors) == {"referrer_organisation", "referrer_name"}


def test_an_agency_referral_without_organisation_person_or_arrival_lists_every_problem(
        services, inbound):
    with pytest.raises(ValidationError) as caught:
        _enter(services, inbound["desk"], inbound, SourceDetails("social_care"))
    assert caught.value.errors == {
        "referrer_organisation": "Referring organisation: enter the name of the social care "
                                 "that referred",
        "referrer_name": "Referring person: enter the name of the person who referred",
        "received_by": "How it arrived: choose phone, email, letter, in person or online",
    }
    with services.db.reading() as session:
        assert session.scalars(select(Referral)).all() == []


def test_other_needs_a_person_but_no_organisation(services, inbound):
    draft = _enter(services, inbound["desk"], inbound,
                   SourceDetails("other", person="A neighbour, Pat Green", received_by="letter"))
    assert (draft.source, draft.referrer_organisation) == ("other", "")
    with pytest.raises(ValidationError) as caught:
        _enter(services, inbound["desk"], inbound, SourceDetails("other", received_by="letter"))
    assert set(caught.value.errors) == {"referrer_name"}


@pytest.mark.parametrize(("details", "field"), [
    (SourceDetails("hospital", received_by="phone"), "source"),
    (SourceDetails("practice", received_by="phone"), "received_by"),
    (SourceDetails("practice", organisation="Age UK"), "referrer_organisation"),
    (SourceDetails("council_housing", "x" * 201, "Kim", received_by="email"),
     "referrer_organisation"),
    (SourceDetails("council_housing", "Council", "Kim\x00", received_by="email"),
     "referrer_name"),
])
def test_unknown_codes_and_unstorable_text_are_refused(services, inbound, details, field):
    user = inbound["gp"] if details.source == "practice" else inbound["desk"]
    with pytest.raises(ValidationError) as caught:
        _enter(services, user, inbound, details)
    assert field in caught.value.errors


def test_an_inbound_referral_needs_consent_like_any_other(services, inbound):
    draft = _enter(services, inbound["desk"], inbound, consent_given=False)
    with pytest.raises(ValidationError) as caught:
        services.referrals.send(inbound["desk"].id, draft.id, draft.version)
    assert "consent_given" in caught.value.errors
    assert current(services, draft.id).status == "draft"


def test_a_received_time_in_the_future_is_refused(services, inbound, clock):
    draft = _enter(services, inbound["desk"], inbound)
    with pytest.raises(ValidationError) as caught:
        services.referrals.send(inbound["desk"].id, draft.id, draft.version,
                                occurred_at=clock() + timedelta(minutes=5))
    assert set(caught.value.errors) == {"occurred_at"}


def test_a_practice_referral_still_cannot_be_dated_before_its_draft(services, inbound, clock):
    draft = ready_draft(services, inbound["gp"], inbound["patient"], inbound["service"])
    with pytest.raises(ValidationError):
        services.referrals.send(inbound["gp"].id, draft.id, draft.version,
                                occurred_at=clock() - timedelta(days=1))
    with services.db.reading() as session:
        assert session.scalar(select(ReferralEvent.note).where(
            ReferralEvent.referral_id == draft.id)) == "Draft started"


def test_a_clinician_cannot_enter_an_inbound_referral(services, inbound):
    with pytest.raises(PermissionDenied, match="cannot enter inbound referrals"):
        _enter(services, inbound["gp"], inbound)


def test_reception_cannot_write_send_or_relabel_a_practice_draft(services, inbound):
    draft = ready_draft(services, inbound["gp"], inbound["patient"], inbound["service"])
    desk = inbound["desk"].id
    with pytest.raises(PermissionDenied, match="cannot write referrals"):
        services.referrals.create_draft(desk, inbound["patient"].id, NATIONAL)
    with pytest.raises(PermissionDenied, match="cannot write referrals"):
        services.referrals.update_draft(desk, draft.id, draft.version, DraftChanges(source=SELF))
    with pytest.raises(PermissionDenied, match="cannot send referrals"):
        services.referrals.send(desk, draft.id, draft.version, on_behalf=True)
    assert current(services, draft.id).source == "practice"


def test_a_clinician_cannot_turn_their_draft_into_an_inbound_one(services, inbound):
    draft = ready_draft(services, inbound["gp"], inbound["patient"], inbound["service"])
    with pytest.raises(PermissionDenied, match="cannot enter inbound referrals"):
        services.referrals.update_draft(inbound["gp"].id, draft.id, draft.version,
                                        DraftChanges(source=HOUSING))


def test_a_clinician_cannot_send_an_inbound_draft(services, inbound):
    draft = _enter(services, inbound["desk"], inbound)
    with pytest.raises(PermissionDenied, match="cannot enter inbound referrals"):
        services.referrals.send(inbound["gp"].id, draft.id, draft.version, on_behalf=True)


def test_the_source_of_an_inbound_draft_can_be_corrected_and_is_audited(services, inbound):
    draft = _enter(services, inbound["desk"], inbound)
    changed = services.referrals.update_draft(
        inbound["desk"].id, draft.id, draft.version,
        DraftChanges(source=SourceDetails("voluntary_community", organisation="Age UK Leeds",
                                          person="Jo Bell", received_by="email")))
    assert (changed.source, changed.referrer_contact) == ("voluntary_community", "")
    update = _audits(services, "referral_update")[-1]
    assert update.before["source"] == "council_housing"
    assert {key: value for key, value in update.after.items() if key != "answers"} == {
        "source": "voluntary_community", "referrer_organisation": "Age UK Leeds",
        "referrer_name": "Jo Bell", "referrer_contact": "", "received_by": "email"}
    # the form's referrer follows the source, and that change is audited with it
    assert update.after["answers"]["referrer_name"] == "Jo Bell"


def test_another_receptionist_sends_an_entered_referral_only_on_behalf(services, inbound):
    draft = _enter(services, inbound["desk"], inbound)
    colleague = make_user(services, "receptionist", "Ali Khan")
    with pytest.raises(PermissionDenied, match="on their behalf"):
        services.referrals.send(colleague.id, draft.id, draft.version)
    sent = services.referrals.send(colleague.id, draft.id, draft.version, on_behalf=True)
    assert sent.status == "sent"


def test_the_audit_trail_still_reconciles_with_inbound_referrals(services, inbound, clock):
    draft = _enter(services, inbound["desk"], inbound)
    services.referrals.send(inbound["desk"].id, draft.id, draft.version,
                            occurred_at=datetime(2026, 11, 20, 14, 0))
    assert services.audit.check().problems == []


def test_plugins_see_where_an_inbound_referral_came_from(services, inbound):
    from practice_rx.services.referrals import snapshot

    draft = _enter(services, inbound["desk"], inbound)
    sent = services.referrals.send(inbound["desk"].id, draft.id, draft.version)
    seen = snapshot(sent, None)
    assert (seen.source, seen.received_by) == ("council_housing", "phone")
    practice = _enter(services, inbound["gp"], inbound, source=None)
    assert (snapshot(practice, None).source, snapshot(practice, None).received_by) == (
        "practice", "")


def test_the_form_names_who_really_referred_so_its_letters_reply_to_them(services, inbound):
    """The form's referrer was the care navigator who typed it in (H32)."""
    draft = _enter(services, inbound["desk"], inbound)
    assert {key: draft.answers[key] for key in (
        "referrer_name", "referrer_role", "referrer_organisation")} == {
        "referrer_name": "Kim Lowe, housing officer", "referrer_role": "The council or housing",
        "referrer_organisation": "Leeds City Council Housing"}
    own = _enter(services, inbound["worker"], inbound, SELF)
    assert (own.answers["referrer_name"], own.answers["referrer_organisation"]) == (
        "Self-referral", "The person themself (self-referral)")
    practice = _enter(services, inbound["gp"], inbound, source=None)
    assert practice.answers["referrer_name"] == complete_answers()["referrer_name"]


def test_an_inbound_referrals_later_moves_are_not_dated_before_it_arrived(
        services, inbound, clock):
    """Only the draft's own event is passed over (it is when it was typed in, not when it
    arrived): a move after the send is still bounded by the send's time."""
    received = clock() - timedelta(days=2)
    draft = _enter(services, inbound["desk"], inbound)
    sent = services.referrals.send(inbound["desk"].id, draft.id, draft.version,
                                   occurred_at=received)
    with pytest.raises(ValidationError) as caught:
        services.referrals.change_status(inbound["worker"].id, sent.id, sent.version,
                                         "accepted", occurred_at=received - timedelta(hours=1))
    assert list(caught.value.errors) == ["occurred_at"]
    assert "cannot be before the referral's previous change" in caught.value.errors["occurred_at"]
    accepted = services.referrals.change_status(inbound["worker"].id, sent.id, sent.version,
                                                "accepted", occurred_at=received)
    assert accepted.status_changed_at == received


def test_a_referring_persons_long_name_is_cut_to_the_forms_limit_in_its_answers(
        services, inbound):
    """The form asks for at most 100 characters of the referrer's name; the record keeps it
    whole, the answers (which the send checks against the form) the first 100."""
    long_name = "Kim " + "Lowe-" * 28 + "Smith"  # 149 characters
    source = SourceDetails("council_housing", organisation="Leeds City Council Housing",
                           person=long_name, contact="0113 496 0500", received_by="phone")
    draft = _enter(services, inbound["desk"], inbound, source=source)
    assert draft.referrer_name == long_name
    assert draft.answers["referrer_name"] == long_name[:100]
    assert services.referrals.send(inbound["desk"].id, draft.id, draft.version).status == "sent"


HOUSING_ID = SenderIdentifier("https://housing.leeds.example/Id/referral", "H-2026-0071")
ALREADY = ("Sender's identifier: this referral was already imported, as referral PRX-{:06d}; "
           "open that referral instead (nothing was saved)")


def _imported(services, env):
    return services.referrals.create_draft(
        env["desk"].id, env["patient"].id, NATIONAL, DraftChanges(source=HOUSING),
        sender_identifier=HOUSING_ID)


def test_a_referral_imported_with_its_senders_identifier_keeps_it_and_is_not_taken_twice(
        services, inbound):
    first = _imported(services, inbound)
    assert (first.sender_identifier_system, first.sender_identifier_value) == (
        "https://housing.leeds.example/Id/referral", "H-2026-0071")
    with pytest.raises(ValidationError) as caught:
        _imported(services, inbound)
    assert caught.value.errors == {SENDER_FIELD: ALREADY.format(first.id)}


def test_the_unique_index_refuses_an_identifier_the_check_missed(services, inbound, monkeypatch):
    """Two imports racing: both pass the check, the second is stopped by the index, and is
    told which referral it already is."""
    first = _imported(services, inbound)
    monkeypatch.setattr(referral_module, "refuse_if_imported", lambda session, identifier: None)
    with pytest.raises(ValidationError) as caught:
        _imported(services, inbound)
    assert caught.value.errors == {SENDER_FIELD: ALREADY.format(first.id)}
    with services.db.reading() as session:
        assert session.scalars(select(Referral.id).where(
            Referral.sender_identifier_value == "H-2026-0071")).all() == [first.id]


def test_an_inbound_drafts_answers_saved_again_still_name_who_really_referred(
        services, inbound):
    draft = _enter(services, inbound["desk"], inbound)
    answers = complete_answers(consent_date=services.clock().date().isoformat())
    for key in ("referrer_name", "referrer_role", "referrer_organisation"):
        del answers[key]
    saved = services.referrals.update_draft(inbound["desk"].id, draft.id, draft.version,
                                            DraftChanges(answers=answers))
    assert {key: saved.answers[key] for key in (
        "referrer_name", "referrer_role", "referrer_organisation")} == {
        "referrer_name": "Kim Lowe, housing officer", "referrer_role": "The council or housing",
        "referrer_organisation": "Leeds City Council Housing"}
