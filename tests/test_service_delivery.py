"""How a service takes referrals (post, email, NHS MESH, a plugin's channel) and the
practice's own MESH mailbox: what is refused and why, what is kept, who may change it and
what the audit trail says. Both backends.

Decided (docs/mesh.md): a plugin's or an imported catalogue's delivery is what its source
supplies (post unless it says), so its sync sets it; a local service's is the admin's.
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from practice_rx.catalogue_files import service_from_row
from practice_rx.errors import ConflictError, PermissionDenied, ValidationError
from practice_rx.oruk.service_mapping import to_details
from practice_rx.oruk.taxonomy_mapping import mapping_from_dict
from practice_rx.services.catalogue import Delivery, ServiceDetails, SyncReport
from practice_rx.services.practice import PracticeDetails
from practice_rx.storage.models import AuditEvent, Practice, Service
from tests.oruk.directory_server import WALKING, service
from tests.support.factories import admin, install_national_form, make_service, make_user

WALK = ServiceDetails("walk", "Park walks", "physical_activity")
MESH_WALK = dataclasses.replace(WALK, delivery_method="mesh", delivery_address="X26ABC2",
                                delivery_workflow_id="TEST_WORKFLOW")


def refused(details: ServiceDetails) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        details.check()
    return caught.value.errors


def delivery(**fields) -> ServiceDetails:
    return dataclasses.replace(WALK, **fields)


def test_post_is_the_default_and_needs_nothing():
    assert (WALK.delivery_method, WALK.delivery_address, WALK.delivery_workflow_id) == \
        ("post", None, None)
    WALK.check()


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"delivery_method": "carrier pigeon"}, "delivery_method", "Delivery method: choose one of"),
    ({"delivery_method": "Mesh"}, "delivery_method", "Delivery method"),
    ({"delivery_method": "mesh"}, "delivery_address", "Delivery address: enter the service's MESH"),
    ({"delivery_method": "mesh", "delivery_address": "x26abc2"}, "delivery_address",
     "MESH mailbox id is in capitals, for example X26ABC2; type X26ABC2"),
    ({"delivery_method": "mesh", "delivery_address": "X26-ABC2"}, "delivery_address",
     "1 to 20 capital letters and digits"),
    ({"delivery_method": "mesh", "delivery_address": "X" * 21}, "delivery_address",
     "1 to 20 capital letters and digits"),
    ({"delivery_method": "mesh", "delivery_address": "X26ABC2",
      "delivery_workflow_id": "test workflow"}, "delivery_workflow_id", "digits and underscores"),
    ({"delivery_method": "email", "delivery_workflow_id": "TEST_WORKFLOW",
      "email": "walks@example.org"}, "delivery_workflow_id", "only a MESH delivery has one"),
    ({"delivery_address": "X26ABC2"}, "delivery_address", "by post has none"),
    ({"delivery_method": "email"}, "delivery_address", "the service has no email"),
    ({"delivery_method": "email", "delivery_address": "not an address"}, "delivery_address",
     "enter the email address referrals go to"),
    ({"delivery_method": "fax_gateway"}, "delivery_address",
     "enter where the fax_gateway channel delivers to"),
    ({"delivery_method": "courier", "delivery_address": "D" * 256}, "delivery_address",
     "255 characters or fewer"),
])
def test_a_wrong_delivery_is_refused_naming_its_field(fields, field, words):
    errors = refused(delivery(**fields))
    assert list(errors) == [field]
    assert words in errors[field]


@pytest.mark.parametrize("fields", [
    {"delivery_method": "mesh", "delivery_address": "X26ABC2"},
    {"delivery_method": "mesh", "delivery_address": " X26ABC2 ", "delivery_workflow_id": ""},
    {"delivery_method": "email", "email": "walks@example.org"},
    {"delivery_method": "email", "delivery_address": "referrals@example.org"},
    {"delivery_method": "fax_gateway", "delivery_address": "0113 496 0999"},
    {"delivery_address": "", "delivery_workflow_id": "  "},
])
def test_a_right_delivery_is_taken(fields):
    delivery(**fields).check()


def test_a_local_service_keeps_its_delivery_and_the_admin_changes_it(services, db):
    desk = admin(services)
    made = services.catalogue.add_local(desk, dataclasses.replace(
        MESH_WALK, delivery_address=" X26ABC2 "))
    assert Delivery.of(services.catalogue.get(made.id)) == \
        Delivery("mesh", "X26ABC2", "TEST_WORKFLOW")
    with db.reading() as session:
        added = session.scalar(select(AuditEvent).where(AuditEvent.action == "service_add",
                                                        AuditEvent.entity_id == made.id))
        assert added.after["delivery"] == {"method": "mesh", "address": "X26ABC2",
                                           "workflow_id": "TEST_WORKFLOW"}
    changed = services.catalogue.set_delivery(desk, made.id, Delivery("mesh", "X26ABC3"),
                                              was=Delivery.of(made))
    assert Delivery.of(changed) == Delivery("mesh", "X26ABC3", None)
    with db.reading() as session:
        [entry] = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "service_delivery_changed"))
        assert (entry.entity, entry.entity_id, entry.user_id) == ("service", made.id, desk)
        assert entry.before == {"method": "mesh", "address": "X26ABC2",
                                "workflow_id": "TEST_WORKFLOW"}
        assert entry.after == {"method": "mesh", "address": "X26ABC3", "workflow_id": None}
    # the same again writes no audit row
    services.catalogue.set_delivery(desk, made.id, Delivery("mesh", "X26ABC3"))
    with db.reading() as session:
        assert len(session.scalars(select(AuditEvent).where(
            AuditEvent.action == "service_delivery_changed")).all()) == 1


def test_a_delivery_changed_elsewhere_is_not_overwritten(services):
    desk = admin(services)
    made = make_service(services, delivery_method="mesh", delivery_address="X26ABC2")
    seen = Delivery.of(made)
    services.catalogue.set_delivery(desk, made.id, Delivery("mesh", "X26ABC3"), was=seen)
    with pytest.raises(ConflictError, match="changed on another workstation"):
        services.catalogue.set_delivery(desk, made.id, Delivery("mesh", "X26ABC9"), was=seen)
    assert services.catalogue.get(made.id).delivery_address == "X26ABC3"


def test_a_wrong_mailbox_is_refused_and_nothing_changes(services):
    desk = admin(services)
    made = make_service(services, delivery_method="mesh", delivery_address="X26ABC2")
    with pytest.raises(ValidationError) as caught:
        services.catalogue.set_delivery(desk, made.id, Delivery("mesh", "x26abc3"))
    assert "Delivery address" in caught.value.errors["delivery_address"]
    assert services.catalogue.get(made.id).delivery_address == "X26ABC2"


def test_only_a_catalogue_manager_changes_a_delivery_and_only_a_local_one(services):
    made = make_service(services)
    gp = make_user(services)
    with pytest.raises(PermissionDenied):
        services.catalogue.set_delivery(gp.id, made.id, Delivery("mesh", "X26ABC2"))
    services.catalogue.sync({"area": [WALK]})
    plugin_service = services.catalogue.search(plugin="area")[0]
    with pytest.raises(ValidationError) as caught:
        services.catalogue.set_delivery(admin(services), plugin_service.id,
                                        Delivery("mesh", "X26ABC2"))
    assert "comes from the area catalogue" in caught.value.errors["delivery_method"]


def test_a_plugins_catalogue_supplies_its_delivery_and_its_sync_keeps_it(services, db):
    assert services.catalogue.sync({"area": [MESH_WALK]}) == SyncReport(added=1)
    renamed = dataclasses.replace(MESH_WALK, name="Park walks (Tuesdays)")
    assert services.catalogue.sync({"area": [renamed]}) == SyncReport(updated=1)
    [found] = services.catalogue.search(plugin="area")
    assert (found.name, Delivery.of(found)) == ("Park walks (Tuesdays)",
                                                Delivery("mesh", "X26ABC2", "TEST_WORKFLOW"))
    # the source's word is the delivery: a source that stops saying MESH means post
    assert services.catalogue.sync({"area": [WALK]}) == SyncReport(updated=1)
    assert Delivery.of(services.catalogue.search(plugin="area")[0]) == Delivery()
    # and a sync that supplies the same delivery changes nothing
    assert services.catalogue.sync({"area": [WALK]}) == SyncReport(unchanged=1)


def test_an_oruk_import_and_a_plain_catalogue_file_leave_post():
    details = to_details(service(1, WALKING), mapping_from_dict(
        {"terms": {WALKING["id"]: "physical_activity"}}, "area"), "here")
    assert Delivery(details.delivery_method, details.delivery_address,
                    details.delivery_workflow_id) == Delivery()
    row = service_from_row({"external_id": "w", "name": "Walks",
                            "category": "physical_activity"}, "row 1")
    assert row.delivery_method == "post"
    mesh_row = service_from_row({"external_id": "w", "name": "Walks",
                                 "category": "physical_activity", "delivery_method": "mesh",
                                 "delivery_address": "X26ABC2", "delivery_workflow_id": ""},
                                "row 2")
    assert (mesh_row.delivery_address, mesh_row.delivery_workflow_id) == ("X26ABC2", None)
    with pytest.raises(ValidationError, match="row 3: Delivery address"):
        service_from_row({"external_id": "w", "name": "Walks", "category": "physical_activity",
                          "delivery_method": "mesh", "delivery_address": "x26abc2"}, "row 3")


PRACTICE = PracticeDetails("Y99901", "Beeston Hill Surgery", postcode="LS11 6AB")


def test_the_practices_mesh_mailbox_is_kept_and_cleared(services, db):
    desk = admin(services)
    saved = services.practice.save(desk, dataclasses.replace(PRACTICE,
                                                             mesh_mailbox_id=" X26ABC1 "))
    assert services.practice.get(saved.id).mesh_mailbox_id == "X26ABC1"
    services.practice.save(desk, dataclasses.replace(PRACTICE, mesh_mailbox_id=""), saved.id)
    with db.reading() as session:
        assert session.scalar(select(Practice.mesh_mailbox_id)) is None


@pytest.mark.parametrize(("mailbox", "words"), [
    ("x26abc1", "a MESH mailbox id is in capitals, for example X26ABC2; type X26ABC1"),
    ("X26 ABC1", "1 to 20 capital letters and digits"),
    ("X" * 21, "1 to 20 capital letters and digits"),
    (26, "enter the mailbox id as text"),
])
def test_a_wrong_practice_mailbox_is_refused_naming_it(services, mailbox, words):
    with pytest.raises(ValidationError) as caught:
        services.practice.save(admin(services), dataclasses.replace(
            PRACTICE, mesh_mailbox_id=mailbox))
    assert list(caught.value.errors) == ["mesh_mailbox_id"]
    message = caught.value.errors["mesh_mailbox_id"]
    assert message.startswith("MESH mailbox: ") and words in message


def test_the_demo_has_one_mesh_service_and_the_first_practices_mailbox(services, db, clock):
    from practice_rx.services.demo import DemoSize, fill

    install_national_form(services)
    fill(db, DemoSize(patients=10, referrals=20, services=5), clock=clock)
    with db.reading() as session:
        mesh = session.execute(select(Service.external_id, Service.delivery_address).where(
            Service.delivery_method == "mesh")).all()
        others = set(session.scalars(select(Service.delivery_method).where(
            Service.delivery_method != "mesh")))
        mailboxes = list(session.execute(select(Practice.ods_code, Practice.mesh_mailbox_id)
                                         .order_by(Practice.id)))
    assert [tuple(row) for row in mesh] == [("demo-0001", "X26ABC2")]
    assert others == {"post"}
    assert [tuple(row) for row in mailboxes] == [("Y99901", "X26ABC1"), ("Y99902", None),
                                                  ("Y99903", None)]
