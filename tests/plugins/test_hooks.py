"""One test per hook, through the example local-area plugin found by its entry point.

``test_every_hook_has_a_test_here`` keeps it so: a new hook without a test fails.
"""

from __future__ import annotations

import csv
import inspect
import sys
from importlib.metadata import EntryPoint

import pytest

from practice_rx import hookspecs
from practice_rx.errors import ValidationError
from practice_rx.plugin_api import ReferralSnapshot, StatusChange
from practice_rx.services.referrals import DraftChanges, snapshot
from practice_rx.startup import start
from practice_rx.services.practice import PracticeDetails
from practice_rx.storage.models import Referral, Service
from tests.support.factories import (
    NATIONAL,
    admin,
    complete_answers,
    make_patient,
    make_service,
    make_user,
    move,
    ready_draft,
)

HOOKS = sorted(name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
               if name.startswith("practice_rx_"))
LEEDS = ("south_leeds", 1)


def leeds_answers(**changes):
    answers = complete_answers(tenure="council", at_risk_of_eviction=False)
    answers.update(changes)
    return answers


@pytest.fixture
def app(db_url, clock):
    application = start(db_url, clock=clock)
    yield application
    application.close()


def leeds_draft(app, **answer_changes):
    services = app.services
    user, patient = make_user(services), make_patient(services)
    [service] = services.catalogue.search("Middleton Park Health Walks")
    answer_changes.setdefault("consent_date", services.clock().date().isoformat())
    draft = services.referrals.create_draft(
        user.id, patient.id, LEEDS,
        DraftChanges(service_id=service.id, answers=leeds_answers(**answer_changes)))
    return user, draft


def test_every_hook_has_a_test_here():
    module = sys.modules[__name__]
    assert [h for h in HOOKS if not hasattr(module, f"test_hook_{h}")] == []


def test_hook_practice_rx_register_referral_forms(app):
    form = app.services.forms.get(*LEEDS)
    assert [s.title for s in form.sections][-3] == "Housing and money"
    assert form.field("eviction_date").show_if.field == "at_risk_of_eviction"


def test_hook_practice_rx_register_services(app):
    leeds = [s for s in app.services.catalogue.search() if s.plugin == "south_leeds"]
    assert len(leeds) == 32
    assert {s.category for s in leeds} >= {"befriending", "money_advice", "housing"}


def test_hook_practice_rx_register_letter_templates(db_url, clock):
    letters = EntryPoint("letters", "tests.plugins.sample_plugins:letters", "practice_rx")
    app = start(db_url, clock=clock, discovered=[letters])
    try:
        services = app.services
        services.practice.save(admin(services), PracticeDetails("Y99901", "Beeston Hill Surgery",
                                                                address="1 Beeston Road, Leeds"))
        gp = make_user(services)
        [service] = services.catalogue.search("Samaritans")
        draft = ready_draft(services, gp, make_patient(services, address="1 Elm Grove"), service)
        sent = services.referrals.send(gp.id, draft.id, draft.version)
        patient_letter = services.letters.generate(gp.id, sent.id, "patient")
        assert patient_letter.pdf == b"%PDF-1.4 sample"  # the plugin's template replaced it
        assert (patient_letter.record.template_id, patient_letter.record.template_version) == \
            ("leeds_patient", 3)
        referral_letter = services.letters.generate(gp.id, sent.id, "referral")
        assert referral_letter.record.template_id == "practice_rx.referral"  # built-in kept
        assert app.plugins.errors == []
    finally:
        app.close()


def test_hook_practice_rx_register_outcome_measures(app):
    measures = {measure.id: plugin for plugin, measure in app.plugins.outcome_measures()}
    assert measures == {"ons4": "national", "ucla3": "national", "ons_lonely": "national"}
    assert not [e for e in app.plugins.errors if e.hook.endswith("outcome_measures")]


def test_hook_practice_rx_register_plan_sections(app):
    [(plugin, section)] = app.plugins.plan_sections()
    assert (plugin, section.title) == ("south_leeds", "Housing and money plan (South Leeds PCN)")
    assert section.fields[1].show_if.equals is True  # a yes/no's show_if compares with True


def test_hook_practice_rx_register_referral_actions(app):
    user, draft = leeds_draft(app)
    sent = app.services.referrals.send(user.id, draft.id, draft.version)
    [action] = app.plugins.referral_actions()
    assert action.label == "PCN summary" and action.applies_to("sent")
    assert not action.applies_to("draft")
    referral = app.services.referrals.get(user.id, sent.id)
    result = app.plugins.run_action(action, snapshot(referral, referral.service))
    assert result.ok
    assert result.message == (f"Referral {sent.id} to Middleton Park Health Walks (sent); "
                              "reasons: loneliness")


def test_hook_practice_rx_default_form_id(app):
    assert app.plugins.default_form_id() == "south_leeds"


def test_hook_practice_rx_validate_referral(app):
    user, draft = leeds_draft(app, tenure="no_fixed_abode")
    with pytest.raises(ValidationError) as caught:
        app.services.referrals.send(user.id, draft.id, draft.version)
    assert caught.value.errors == {
        "reasons": "Reasons: choose Housing for a patient with no fixed address (South Leeds PCN)"
    }
    fixed = app.services.referrals.update_draft(
        user.id, draft.id, draft.version,
        DraftChanges(answers=leeds_answers(tenure="no_fixed_abode",
                                           reasons=["housing", "loneliness"],
                                           consent_date=app.services.clock().date().isoformat())))
    assert app.services.referrals.send(user.id, fixed.id, fixed.version).status == "sent"


def test_hook_practice_rx_referral_status_changed(app, tmp_path, monkeypatch):
    export = tmp_path / "changes.csv"
    monkeypatch.setenv("SOUTH_LEEDS_EXPORT_FILE", str(export))
    user, draft = leeds_draft(app)
    sent = app.services.referrals.send(user.id, draft.id, draft.version)
    move(app.services, sent, "accepted")
    rows = list(csv.DictReader(export.open()))
    assert [(r["from"], r["to"]) for r in rows] == [("draft", "sent"), ("sent", "accepted")]
    assert rows[0]["snomed_code"] == "871731000000106"
    assert rows[0]["referral_id"] == str(sent.id)


def test_a_raising_status_hook_does_not_undo_the_change(db_url, clock):
    bad = EntryPoint("bad", "tests.plugins.failing_rule:status_hook_raises", "practice_rx")
    app = start(db_url, clock=clock, discovered=[bad])
    try:
        services = app.services
        user, patient = make_user(services), make_patient(services)
        [service] = services.catalogue.search("Samaritans")
        draft = services.referrals.create_draft(
            user.id, patient.id, ("national", 1),
            DraftChanges(service_id=service.id, answers=complete_answers(
                consent_date=clock().date().isoformat())))
        sent = services.referrals.send(user.id, draft.id, draft.version)
        assert services.referrals.get(user.id, sent.id).status == "sent"
        assert any(e.hook == "practice_rx_referral_status_changed" for e in app.plugins.errors)
    finally:
        app.close()


def test_hook_practice_rx_register_delivery_channels(app):
    """The built-in plugin's MESH channel; plugins' own are in test_delivery_channels.py."""
    from practice_rx.delivery import DeliveryChannel, DeliveryRefused

    channels = app.plugins.delivery_channels()
    assert list(channels) == ["mesh"] and isinstance(channels["mesh"], DeliveryChannel)
    unconfigured = channels["mesh"].bind(None, None)
    with pytest.raises(DeliveryRefused, match="The practice has no MESH mailbox id"):
        unconfigured.send("X26ABC2", [("referral.json", b"{}", "application/json")], "PRX-1-1")


def test_a_plugin_sees_a_referral_by_its_codes_and_answers(services):
    """Every field of a plugin's snapshot, typed from the referral it was made from."""
    gp, patient = make_user(services), make_patient(services)
    service = make_service(services, "Leeds Debt Advice", external_id="debt-1")
    draft = ready_draft(services, gp, patient, service, urgency="soon", reasons=["money"])
    bare = services.referrals.create_draft(gp.id, patient.id, NATIONAL)
    with services.db.reading() as session:
        seen = snapshot(session.get(Referral, draft.id), session.get(Service, service.id))
        unserved = snapshot(session.get(Referral, bare.id), None)
    assert seen == ReferralSnapshot(
        referral_id=draft.id, patient_id=patient.id, status="draft", form_id="national",
        form_version=1, answers=complete_answers(urgency="soon", reasons=["money"],
                                                 consent_date="2026-11-24"),
        reasons=("money",), urgency="soon", service_plugin="local",
        service_external_id="debt-1", service_name="Leeds Debt Advice", source="practice",
        received_by="")
    assert (unserved.service_plugin, unserved.service_external_id, unserved.service_name,
            unserved.answers, unserved.reasons) == ("", "", "", {}, ())


class _Remembering:
    """Plugins as the referral service asks them (the ReferralHooks protocol): what the
    rules were shown, and no objection."""

    def __init__(self) -> None:
        self.shown: list[ReferralSnapshot] = []
        self.told: list[StatusChange] = []

    def validate_referral(self, referral: ReferralSnapshot) -> dict[str, str]:
        self.shown.append(referral)
        return {}

    def status_changed(self, change: StatusChange) -> None:
        self.told.append(change)


def test_a_plugins_rule_is_shown_the_service_chosen(services):
    """A local area's rule may depend on the service (say, a debt service needs consent to
    share): it is shown which one, by its plugin and catalogue id."""
    remembering = services.referrals.hooks = _Remembering()
    gp = make_user(services)
    service = make_service(services, "Leeds Debt Advice", external_id="debt-1")
    draft = ready_draft(services, gp, make_patient(services), service)
    services.referrals.send(gp.id, draft.id, draft.version)
    [shown] = remembering.shown
    assert (shown.referral_id, shown.service_plugin, shown.service_external_id,
            shown.service_name) == (draft.id, "local", "debt-1", "Leeds Debt Advice")


def test_a_plugin_is_told_of_each_move_by_whom_with_its_note(services):
    remembering = services.referrals.hooks = _Remembering()
    gp = make_user(services)
    service = make_service(services, "Leeds Debt Advice", external_id="debt-1")
    draft = ready_draft(services, gp, make_patient(services), service)
    services.referrals.send(gp.id, draft.id, draft.version, "By email")
    bare = services.referrals.create_draft(gp.id, draft.patient_id, NATIONAL)
    services.referrals.change_status(gp.id, bare.id, bare.version, "cancelled", "Duplicate")
    [sent, cancelled] = remembering.told
    assert (sent.from_status, sent.to_status, sent.user_id, sent.note, sent.at,
            sent.snomed_code) == ("draft", "sent", gp.id, "By email", services.clock(),
                                  "871731000000106")
    assert (sent.referral.referral_id, sent.referral.service_external_id,
            sent.referral.service_name) == (draft.id, "debt-1", "Leeds Debt Advice")
    assert (cancelled.to_status, cancelled.note, cancelled.referral.service_name) == (
        "cancelled", "Duplicate", "")
