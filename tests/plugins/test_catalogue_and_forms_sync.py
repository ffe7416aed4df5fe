"""Syncing what plugins supply into the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from practice_rx.forms import form_from_dict
from practice_rx.plugins.national.form import national_form
from practice_rx.services.catalogue import ServiceDetails, SyncReport
from practice_rx.storage.models import FormDefinitionRecord, Service
from tests.support.factories import make_patient, make_service, make_user, ready_draft

WALK = ServiceDetails("walk", "Park walks", "physical_activity", phone="0113 496 0101")
CHOIR = ServiceDetails("choir", "Community choir", "arts_culture")


def test_sync_adds_updates_and_is_idempotent(services, db):
    assert services.catalogue.sync({"area": [WALK, CHOIR]}) == SyncReport(added=2)
    assert services.catalogue.sync({"area": [WALK, CHOIR]}) == SyncReport(unchanged=2)
    moved = dataclasses.replace(WALK, phone="0113 496 0202")
    assert services.catalogue.sync({"area": [moved, CHOIR]}) == SyncReport(updated=1, unchanged=1)
    with db.reading() as session:
        assert session.scalar(select(Service.phone).where(Service.external_id == "walk")) == \
            "0113 496 0202"


def test_a_service_no_longer_supplied_goes_inactive_never_deleted(services, db):
    services.catalogue.sync({"area": [WALK, CHOIR]})
    [choir] = services.catalogue.search("choir")
    user, patient = make_user(services), make_patient(services)
    referral = ready_draft(services, user, patient, choir)
    assert services.catalogue.sync({"area": [WALK]}) == SyncReport(deactivated=1, unchanged=1)
    assert services.catalogue.search("choir") == []
    assert [s.name for s in services.catalogue.search("choir", include_inactive=True)] == \
        ["Community choir"]
    assert services.referrals.get(user.id, referral.id).service.name == "Community choir"
    # It comes back when the plugin supplies it again.
    assert services.catalogue.sync({"area": [WALK, CHOIR]}).updated == 1
    assert len(services.catalogue.search("choir")) == 1


def test_a_removed_plugin_takes_its_services_out_but_local_ones_stay(services):
    services.catalogue.sync({"area": [WALK]})
    local = make_service(services, "Our own walking group")
    assert services.catalogue.sync({}) == SyncReport(deactivated=1)
    assert [s.id for s in services.catalogue.search()] == [local.id]


def test_each_form_version_is_kept(services, db):
    national = national_form()
    assert services.forms.sync([("national", national)]) == []
    v2 = form_from_dict({**national.to_dict(), "version": 2, "title": "Social prescribing v2"})
    assert services.forms.sync([("national", v2)]) == []
    available = services.forms.available()
    assert [(r.form_id, r.version) for r in available] == [("national", 2)]
    assert services.forms.get("national", 1) == national  # still readable


def test_a_changed_form_under_the_same_version_is_refused(services):
    services.forms.sync([("national", national_form())])
    changed = form_from_dict({**national_form().to_dict(), "title": "Sneaky edit"})
    [(plugin, problem)] = services.forms.sync([("national", changed)])
    assert plugin == "national" and "Give a changed form a new version number" in problem
    assert services.forms.get("national", 1).title == national_form().title


def test_a_form_without_the_core_fields_is_refused(services, db):
    data = national_form().to_dict()
    data.update(id="thin", sections=[s for s in data["sections"] if s["key"] != "consent"])
    [(plugin, problem)] = services.forms.sync([("thin_area", form_from_dict(data))])
    assert plugin == "thin_area"
    assert "'consent_given': every referral form must ask this (yes_no)" in problem
    with db.reading() as session:
        assert session.get(FormDefinitionRecord, ("thin", 1)) is None


def test_search_by_plugin_and_category(services):
    services.catalogue.sync({"area": [WALK, CHOIR], "other_area": [
        dataclasses.replace(WALK, name="Canal walks")]})
    assert [s.name for s in services.catalogue.search(plugin="area")] == [
        "Community choir", "Park walks"]
    assert [s.name for s in services.catalogue.search("walks", category="physical_activity",
                                                      plugin="other_area")] == ["Canal walks"]


def test_a_form_id_belongs_to_the_plugin_that_registered_it_first(services, db):
    national = national_form()
    services.forms.sync([("national", national)])
    newer = form_from_dict({**national.to_dict(), "version": 2, "title": "Taken over"})
    same = form_from_dict({**national.to_dict(), "title": "Same version, other plugin"})
    problems = services.forms.sync([("national", national), ("intruder", newer),
                                    ("intruder", same)])
    assert [plugin for plugin, _ in problems] == ["intruder", "intruder"]
    assert all("form id 'national' belongs to the plugin 'national'" in problem
               and "not installed" in problem for _, problem in problems)
    assert [(r.form_id, r.version, r.plugin) for r in services.forms.available()] == [
        ("national", 1, "national")]
    with db.reading() as session:
        assert session.get(FormDefinitionRecord, ("national", 2)) is None
    assert services.forms.get("national", 1).title == national.title


def test_two_plugins_offering_a_new_form_id_at_once_the_first_keeps_it(services):
    data = {**national_form().to_dict(), "id": "shared"}
    problems = services.forms.sync([("first", form_from_dict(data)),
                                    ("second", form_from_dict({**data, "version": 2}))])
    assert [plugin for plugin, _ in problems] == ["second"]
    assert [(r.form_id, r.version, r.plugin) for r in services.forms.available()] == [
        ("shared", 1, "first")]
