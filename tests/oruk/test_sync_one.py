"""Syncing one catalogue without touching the others, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from sqlalchemy import select

from practice_rx.errors import PermissionDenied
from practice_rx.services.catalogue import ServiceDetails, SyncReport
from practice_rx.storage.models import AuditEvent, Service
from tests.oruk.writes import writes_to
from tests.support.factories import admin, make_service, make_user

WALK = ServiceDetails("walk", "Park walks", "physical_activity",
                      last_modified=datetime(2026, 3, 15, 10, 30, 45))
CHOIR = ServiceDetails("choir", "Community choir", "arts_culture")


def _active(db) -> dict[tuple[str, str], bool]:
    with db.reading() as session:
        return {(s.plugin, s.external_id): s.active for s in session.scalars(select(Service))}


def test_sync_one_leaves_other_plugins_and_local_services_alone(services, db):
    services.catalogue.sync({"area": [WALK]})
    local = make_service(services, "Our own walking group")
    assert services.catalogue.sync_one("oruk:leeds", [WALK, CHOIR]) == SyncReport(added=2)
    assert services.catalogue.sync_one("oruk:leeds", [CHOIR]) == \
        SyncReport(deactivated=1, unchanged=1)
    assert _active(db) == {("area", "walk"): True, ("oruk:leeds", "walk"): False,
                           ("oruk:leeds", "choir"): True, ("local", local.external_id): True}


def test_the_plugins_sync_leaves_imported_catalogues_alone(services, db):
    services.catalogue.sync_one("oruk:leeds", [WALK])
    assert services.catalogue.sync({"area": [CHOIR]}) == SyncReport(added=1)
    assert services.catalogue.sync({}) == SyncReport(deactivated=1)
    assert _active(db) == {("oruk:leeds", "walk"): True, ("area", "choir"): False}


def test_last_modified_is_kept_and_a_change_to_it_is_an_update(services, db):
    services.catalogue.sync_one("oruk:leeds", [WALK])
    with db.reading() as session:
        assert session.scalar(select(Service.last_modified)) == datetime(2026, 3, 15, 10, 30, 45)
    later = dataclasses.replace(WALK, last_modified=datetime(2026, 4, 1, 9, 0))
    with writes_to(db.engine) as writes:  # the counter sees a real write
        assert services.catalogue.sync_one("oruk:leeds", [later]) == SyncReport(updated=1)
    assert [w.split()[0] for w in writes] == ["UPDATE"]


def test_an_unchanged_sync_one_writes_nothing_and_is_not_audited(services, db):
    services.catalogue.sync_one("oruk:leeds", [WALK, CHOIR], audited=True)
    with db.reading() as session:
        [entry] = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "catalogue_import"))
        assert entry.user_id is None
        assert entry.after == {"plugin": "oruk:leeds", "added": 2, "updated": 0,
                               "deactivated": 0, "unchanged": 0}
    with writes_to(db.engine) as writes:
        report = services.catalogue.sync_one("oruk:leeds", [WALK, CHOIR], audited=True)
    assert report == SyncReport(unchanged=2)
    assert writes == []


def test_the_practices_own_services_cannot_be_synced_over(services):
    with pytest.raises(ValueError, match="own services"):
        services.catalogue.sync_one("local", [WALK])


def test_an_import_by_a_user_needs_the_catalogue_permission_and_names_them(services, db):
    clinician = make_user(services, "clinician")
    with pytest.raises(PermissionDenied):
        services.catalogue.sync_one("oruk:leeds", [WALK], audited=True, user_id=clinician.id)
    assert _active(db) == {}
    keeper = admin(services)
    assert services.catalogue.sync_one("oruk:leeds", [WALK], audited=True,
                                       user_id=keeper) == SyncReport(added=1)
    with db.reading() as session:
        assert session.scalar(select(AuditEvent.user_id).where(
            AuditEvent.action == "catalogue_import")) == keeper
