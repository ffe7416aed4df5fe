"""A plugin's safety rule that cannot be run refuses the send (hazard H07, issue 12 fault 5)."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import EntryPoint

import pytest
from sqlalchemy import select

from practice_rx.errors import ValidationError
from practice_rx.services.referrals import DraftChanges
from practice_rx.settings import Settings
from practice_rx.startup import App, start
from practice_rx.storage.models import AuditEvent, Referral, ReferralEvent
from tests.support.factories import NATIONAL, complete_answers, make_patient, make_user

RULES = "tests.plugins.failing_rule"


def open_with(db_url: str, clock, plugin: str, disabled: tuple[str, ...] = ()) -> App:
    """The app with the national plugin and ``wetherby`` (one of failing_rule's plugins)."""
    entry = EntryPoint("wetherby", f"{RULES}:{plugin}", "practice_rx")
    return start(db_url, Settings(disabled_plugins=list(disabled)), discovered=[entry],
                 clock=clock)


@pytest.fixture(params=["rule_raises", "rule_answers_wrongly"])
def broken_rule_app(request, db_url: str, clock) -> Iterator[App]:
    app = open_with(db_url, clock, request.param)
    yield app
    app.close()


def ready_draft(app: App, clock):
    """A draft that passes every core check, so only the plugin's rule is left."""
    services = app.services
    user, patient = make_user(services), make_patient(services)
    [service] = services.catalogue.search("Samaritans")
    draft = services.referrals.create_draft(user.id, patient.id, NATIONAL, DraftChanges(
        service_id=service.id, answers=complete_answers(consent_date=clock().date().isoformat())))
    return user, draft


def test_a_rule_that_cannot_run_refuses_the_send_and_saves_nothing(broken_rule_app, clock):
    app = broken_rule_app
    user, draft = ready_draft(app, clock)
    with app.services.db.reading() as session:
        audit_rows = len(session.scalars(select(AuditEvent)).all())
    with pytest.raises(ValidationError) as refused:
        app.services.referrals.send(user.id, draft.id, draft.version)
    message = refused.value.errors["plugin:wetherby"]
    assert "'wetherby' plugin's referral check failed" in message
    assert "Tools › Plugins" in message and 'disabled_plugins = ["wetherby"]' in message
    assert "housing register" not in message  # the plugin's own words stay in its problems
    with app.services.db.reading() as session:
        assert session.get(Referral, draft.id).status == "draft"
        events = session.scalars(select(ReferralEvent)
                                 .where(ReferralEvent.referral_id == draft.id)).all()
        assert [event.to_status for event in events] == ["draft"]
        assert len(session.scalars(select(AuditEvent)).all()) == audit_rows
    assert any(e.plugin == "wetherby" and e.hook == "practice_rx_validate_referral"
               and "send refused" in e.message for e in app.plugins.errors)


def test_with_the_broken_plugin_switched_off_the_referral_is_sent(db_url, clock):
    app = open_with(db_url, clock, "rule_raises", disabled=("wetherby",))
    try:
        user, draft = ready_draft(app, clock)
        assert app.services.referrals.send(user.id, draft.id, draft.version).status == "sent"
    finally:
        app.close()
