"""Another clinician's draft is sent only on their behalf, said and recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from practice_rx.errors import PermissionDenied
from practice_rx.storage.models import AuditEvent, Referral
from tests.support.factories import make_patient, make_service, make_user, ready_draft


@pytest.fixture
def draft(services):
    author = make_user(services, name="Dr Asha Patel")
    return author, ready_draft(services, author, make_patient(services), make_service(services))


def test_the_author_sends_their_own_draft(services, draft):
    author, referral = draft
    sent = services.referrals.send(author.id, referral.id, referral.version, "By email")
    assert sent.status == "sent"
    assert services.referrals.get(author.id, referral.id).events[-1].note == "By email"


def test_a_colleague_is_refused_without_saying_on_behalf_and_nothing_changes(services, db, draft):
    _, referral = draft
    colleague = make_user(services, name="Dr Tom Wright")
    with db.reading() as session:
        audit_rows = len(session.scalars(select(AuditEvent.id)).all())
    with pytest.raises(PermissionDenied, match="written by Dr Asha Patel"):
        services.referrals.send(colleague.id, referral.id, referral.version)
    with db.reading() as session:
        assert session.get(Referral, referral.id).status == "draft"
        assert len(session.scalars(select(AuditEvent.id)).all()) == audit_rows


def test_on_behalf_is_recorded_in_the_event_and_the_audit(services, db, draft):
    author, referral = draft
    colleague = make_user(services, name="Dr Tom Wright")
    services.referrals.send(colleague.id, referral.id, referral.version, "Urgent",
                            on_behalf=True)
    event = services.referrals.get(author.id, referral.id).events[-1]
    assert event.user.display_name == "Dr Tom Wright"
    assert event.note == "Sent by Dr Tom Wright on behalf of Dr Asha Patel. Urgent"
    with db.reading() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "referral_status")
                                .order_by(AuditEvent.id.desc())).first()
    assert audit.user_id == colleague.id
    assert "on behalf of Dr Asha Patel" in audit.after["note"]


def test_the_refusal_says_whose_draft_it_is_and_what_to_confirm(services, draft):
    _, referral = draft
    colleague = make_user(services, name="Dr Tom Wright")
    with pytest.raises(PermissionDenied) as caught:
        services.referrals.send(colleague.id, referral.id, referral.version)
    assert str(caught.value) == ("Not sent: this draft was written by Dr Asha Patel; confirm "
                                 "that you are sending it on their behalf")


@pytest.mark.parametrize("note", ["", "   "])
def test_sent_on_behalf_with_no_note_records_only_who_for_whom(services, draft, note):
    author, referral = draft
    colleague = make_user(services, name="Dr Tom Wright")
    services.referrals.send(colleague.id, referral.id, referral.version, note, on_behalf=True)
    event = services.referrals.get(author.id, referral.id).events[-1]
    assert event.note == "Sent by Dr Tom Wright on behalf of Dr Asha Patel"


def test_a_colleagues_move_to_sent_is_refused_unless_on_behalf_is_said(services, draft):
    """change_status is how the status dialog sends: it too needs on_behalf said."""
    _, referral = draft
    colleague = make_user(services, name="Dr Tom Wright")
    with pytest.raises(PermissionDenied, match="written by Dr Asha Patel"):
        services.referrals.change_status(colleague.id, referral.id, referral.version, "sent")
