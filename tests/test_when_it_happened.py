"""A status change dated when it happened: both times kept, due dates counted from it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from practice_rx.domain.statuses import Status
from practice_rx.errors import ValidationError
from practice_rx.services.practice import PracticeDetails
from practice_rx.storage.models import AuditEvent, Referral, ReferralEvent
from tests.support.factories import admin, desk, make_patient, make_service, make_user, ready_draft


def last_status_audit(db) -> AuditEvent:
    with db.reading() as session:
        return session.scalars(select(AuditEvent).where(AuditEvent.action == "referral_status")
                               .order_by(AuditEvent.id.desc())).first()


@pytest.fixture
def sent(services, clock):
    services.practice.save(admin(services), PracticeDetails("Y99901", "Beeston Hill Surgery",
                                                            contact_days=3))
    gp = make_user(services)
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    clock.now = datetime(2026, 11, 24, 9, 30)  # Tuesday
    sent = services.referrals.send(gp.id, draft.id, draft.version)
    clock.now = datetime(2026, 11, 26, 16, 0)  # Thursday: the reply came by phone yesterday
    return sent


def test_a_back_dated_change_keeps_both_times_and_counts_due_dates_from_it(services, clock,
                                                                           sent):
    yesterday = datetime(2026, 11, 25, 11, 15)
    accepted = services.referrals.change_status(desk(services), sent.id, sent.version,
                                                Status.ACCEPTED, "Accepted by phone",
                                                occurred_at=yesterday)
    # contact window of 3 working days from Wednesday, not from Thursday
    assert accepted.response_due_on == date(2026, 11, 30)
    assert accepted.status_changed_at == yesterday
    event = services.referrals.get(desk(services), sent.id).events[-1]
    assert (event.occurred_at, event.at) == (yesterday, datetime(2026, 11, 26, 16, 0))
    assert last_status_audit(services.db).after["occurred_at"] == yesterday.isoformat()


def test_now_is_the_default_and_is_not_written_twice_in_the_audit(services, clock, sent):
    accepted = services.referrals.change_status(desk(services), sent.id, sent.version,
                                                Status.ACCEPTED)
    event = services.referrals.get(desk(services), sent.id).events[-1]
    assert event.occurred_at == event.at == clock.now
    assert accepted.response_due_on == date(2026, 12, 1)  # Thursday + 3 working days
    assert "occurred_at" not in last_status_audit(services.db).after


@pytest.mark.parametrize(("when", "words"), [
    (datetime(2026, 11, 26, 16, 1), "cannot be in the future"),
    (datetime(2026, 11, 27, 9, 0), "cannot be in the future"),
    (datetime(2026, 11, 24, 9, 29), "cannot be before the referral's previous change"),
])
def test_a_time_in_the_future_or_before_the_last_event_is_refused_and_nothing_changes(
        services, db, sent, when, words):
    with pytest.raises(ValidationError) as caught:
        services.referrals.change_status(desk(services), sent.id, sent.version,
                                         Status.ACCEPTED, occurred_at=when)
    assert list(caught.value.errors) == ["occurred_at"]
    assert words in caught.value.errors["occurred_at"]
    assert caught.value.errors["occurred_at"].startswith("When it happened:")
    with db.reading() as session:
        assert session.get(Referral, sent.id).status == "sent"
        assert session.get(Referral, sent.id).version == sent.version
        assert len(session.scalars(select(ReferralEvent).where(
            ReferralEvent.referral_id == sent.id)).all()) == 2


def test_the_previous_event_itself_is_the_earliest_time_allowed(services, sent):
    services.referrals.change_status(desk(services), sent.id, sent.version, Status.ACCEPTED,
                                     occurred_at=sent.sent_at)
    assert services.referrals.get(desk(services), sent.id).events[-1].occurred_at == sent.sent_at


def test_a_time_in_the_future_is_refused_saying_what_to_do(services, sent, clock):
    with pytest.raises(ValidationError) as caught:
        services.referrals.change_status(desk(services), sent.id, sent.version,
                                         Status.ACCEPTED, occurred_at=clock.now
                                         + timedelta(minutes=1))
    assert caught.value.errors == {"occurred_at": (
        "When it happened: cannot be in the future; leave it as now or choose an earlier time")}
