"""DeliveryService against the real MESH sandbox, on SQLite and PostgreSQL.

A sent referral's bundle and letter go from the practice's mailbox (X26ABC1) to
the service's (X26ABC2); what arrives is read back from the service's inbox.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from practice_rx.delivery import DeliveryFile
from practice_rx.errors import ConflictError, PermissionDenied, ValidationError
from practice_rx.services.practice import PracticeDetails
from practice_rx.storage.delivery_models import ReferralDelivery, ReferralDeliveryFile
from practice_rx.storage.models import AuditEvent, Patient, Referral, Service
from practice_rx.testing.keyring_file import FileKeyring
from practice_rx.testing.mesh_sandbox import MeshSandbox
from tests.letters.pdf import text_of
from tests.mesh.delivery_setup import (
    PRACTICE_MAILBOX,
    SERVICE_MAILBOX,
    WORKFLOW,
    MeshPractice,
    file_keyring,
    mesh_practice,
)
from tests.mesh.faulty_relay import FaultyRelay
from tests.support.factories import admin, make_user


@pytest.fixture
def ring(tmp_path) -> Iterator[FileKeyring]:
    yield from file_keyring(tmp_path / "keyring.json")


@pytest.fixture
def mesh(db, clock, sandbox: MeshSandbox, ring) -> MeshPractice:
    return mesh_practice(db, clock, sandbox)


def desk(mesh: MeshPractice) -> int:
    return make_user(mesh.services, "receptionist", "Sam Jones").id


def inbox(mesh: MeshPractice, mailbox_id: str = SERVICE_MAILBOX):
    return mesh.mailbox_channel(mailbox_id).inbox()


def identifiers(mesh: MeshPractice, referral: Referral) -> list[str]:
    with mesh.services.db.reading() as session:
        patient = session.get(Patient, referral.patient_id)
        return [patient.nhs_number, patient.given_name, patient.family_name]


def test_a_sent_referral_reaches_the_services_mailbox_as_its_bundle_and_letter(mesh):
    services = mesh.services
    referral = mesh.sent_referral(mesh.service())
    user = desk(mesh)

    report = services.delivery.deliver(user, referral.id)

    row = report.delivery
    assert row.state == "sent" and row.attempts == 1 and row.error is None
    assert row.local_id == f"PRX-{referral.id}-{row.id}"
    assert (row.channel, row.to_address) == ("mesh", SERVICE_MAILBOX)
    assert report.message == f"Delivered over MESH to {SERVICE_MAILBOX} (2 files)"
    message_ids = [f.message_id for f in row.files]
    assert len(message_ids) == 2 and all(message_ids)
    received = inbox(mesh)
    assert [m.message_id for m in received] == message_ids
    bundle, letter = received
    assert (bundle.filename, bundle.content_type) == ("referral.json", "application/fhir+json")
    assert (letter.filename, letter.content_type) == ("referral-letter.pdf", "application/pdf")
    assert (bundle.sender, bundle.workflow_id) == (PRACTICE_MAILBOX, WORKFLOW)
    assert [m.local_id for m in received] == [f"{row.local_id}-1", f"{row.local_id}-2"]
    parsed = json.loads(bundle.content)
    assert parsed["resourceType"] == "Bundle"
    nhs_number = identifiers(mesh, referral)[0]
    assert nhs_number in bundle.content.decode()  # the patient travels inside, not outside
    assert str(referral.id) in text_of(letter.content)
    assert [f.sha256 for f in row.files] == [hashlib.sha256(m.content).hexdigest()
                                             for m in received]
    assert [f.size for f in row.files] == [len(m.content) for m in received]
    assert inbox(mesh, "X26ABC3") == []
    with services.db.reading() as session:  # the referral is as it was sent
        again = session.get(Referral, referral.id)
        assert (again.status, again.version) == ("sent", referral.version)
        actions = list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.entity == "referral_delivery").order_by(AuditEvent.id)))
    assert actions == ["referral_delivery_pending", "referral_delivery_sent"]


def test_the_services_acknowledgement_is_polled_into_the_timeline(mesh, clock):
    services = mesh.services
    referral = mesh.sent_referral(mesh.service())
    user = desk(mesh)
    row = services.delivery.deliver(user, referral.id).delivery

    assert services.delivery.poll(user)[0].delivery.state == "sent"  # not collected yet
    for message in mesh.mailbox_channel(SERVICE_MAILBOX).inbox(acknowledge=True):
        assert message.message_id in {f.message_id for f in row.files}

    [report] = services.delivery.poll(user)

    assert report.delivery.state == "acknowledged"
    assert report.delivery.acknowledged_at == clock()
    assert report.delivery.last_polled_at == clock()
    assert {f.state for f in report.delivery.files} == {"acknowledged"}
    [timeline] = services.delivery.for_referral(user, referral.id)
    assert timeline.summary() == f"Acknowledged: collected over MESH to {SERVICE_MAILBOX} (2 files)"
    assert services.delivery.poll(user) == []  # nothing sent and waiting any more


def test_a_message_mesh_gives_up_on_fails_the_delivery(mesh):
    services = mesh.services
    referral = mesh.sent_referral(mesh.service())
    user = desk(mesh)
    row = services.delivery.deliver(user, referral.id).delivery
    mesh.sandbox.mark_undeliverable(row.files[1].message_id)

    [report] = services.delivery.poll(user)

    assert report.delivery.state == "failed"
    assert "could not deliver" in report.delivery.error
    assert [r.id for r in services.delivery.pending_or_failed(user)] == [row.id]


def test_an_unknown_mailbox_fails_naming_it_and_no_patient(mesh):
    services = mesh.services
    referral = mesh.sent_referral(mesh.service(address="X26NOPE9"))
    user = desk(mesh)

    report = services.delivery.deliver(user, referral.id)

    row = report.delivery
    assert row.state == "failed" and row.failed_at is not None
    assert "MESH mailbox X26NOPE9 does not exist" in row.error
    assert report.message.startswith("Failed: MESH mailbox X26NOPE9 does not exist")
    for identifier in identifiers(mesh, referral):
        assert identifier not in row.error
    assert [f.message_id for f in row.files] == [None, None]
    assert [r.id for r in services.delivery.pending_or_failed(user)] == [row.id]
    for mailbox_id in ("X26ABC1", "X26ABC2", "X26ABC3"):
        assert inbox(mesh, mailbox_id) == []
    with services.db.reading() as session:
        assert session.get(Referral, referral.id).status == "sent"  # the send stands


def test_a_stopped_server_leaves_it_pending_and_sending_again_delivers_once(db, clock, ring,
                                                                           tmp_path):
    with MeshSandbox(tmp_path / "server") as server:
        mesh = mesh_practice(db, clock, server)
        referral = mesh.sent_referral(mesh.service())
        user = desk(mesh)
        server.stop()

        report = mesh.services.delivery.deliver(user, referral.id)

        row = report.delivery
        assert (row.state, row.attempts) == ("pending", 1)
        assert "did not answer mailbox X26ABC1 (connection refused)" in row.error
        assert report.message.startswith(f"Not delivered yet over MESH to {SERVICE_MAILBOX}")
        assert [r.id for r in mesh.services.delivery.pending_or_failed(user)] == [row.id]

        server.start()
        again = mesh.services.delivery.send_again(user, row.id, row.version).delivery

        assert (again.state, again.attempts, again.error) == ("sent", 2, None)
        assert again.local_id == row.local_id
        received = inbox(mesh)
        assert [m.message_id for m in received] == [f.message_id for f in again.files]
        assert len(received) == 2


def test_a_crash_after_the_send_is_completed_by_sending_again_without_a_duplicate(mesh):
    """The channel delivered both files, but the outcome was never recorded."""
    services = mesh.services
    referral = mesh.sent_referral(mesh.service())
    user = desk(mesh)
    mesh.settings.mesh_url = "http://127.0.0.1:9"  # nothing listens: the row stays pending
    row = services.delivery.deliver(user, referral.id).delivery
    mesh.settings.mesh_url = mesh.sandbox.url
    with services.db.reading() as session:  # the stored bytes, as a retry sends them
        files = [DeliveryFile(f.filename, f.content, f.content_type) for f in session.scalars(
            select(ReferralDeliveryFile).where(ReferralDeliveryFile.delivery_id == row.id)
            .order_by(ReferralDeliveryFile.position))]
    went = mesh.mailbox_channel(PRACTICE_MAILBOX).send(SERVICE_MAILBOX, files, row.local_id)

    again = services.delivery.send_again(user, row.id, row.version).delivery

    assert again.state == "sent"
    assert tuple(f.message_id for f in again.files) == went.message_ids
    assert len(inbox(mesh)) == 2  # found in the outbox, not sent again


def test_a_link_lost_between_the_files_sends_only_the_letter_again(mesh):
    services = mesh.services
    referral = mesh.sent_referral(mesh.service())
    user = desk(mesh)
    with FaultyRelay(mesh.sandbox.url, cut_after_sends=1) as relay:
        mesh.settings.mesh_url = relay.url
        row = services.delivery.deliver(user, referral.id).delivery
    mesh.settings.mesh_url = mesh.sandbox.url

    assert row.state == "pending"
    bundle_id = row.files[0].message_id
    assert bundle_id and row.files[1].message_id is None

    again = services.delivery.send_again(user, row.id, row.version).delivery

    assert again.files[0].message_id == bundle_id
    assert [m.message_id for m in inbox(mesh)] == [f.message_id for f in again.files]


def test_a_referral_is_not_delivered_twice_but_may_go_again_after_a_failure(mesh):
    services = mesh.services
    service = mesh.service(address="X26NOPE9")
    referral = mesh.sent_referral(service)
    user = desk(mesh)
    failed = services.delivery.deliver(user, referral.id).delivery
    with services.db.transaction() as session:  # the catalogue is put right
        session.get(Service, service.id).delivery_address = SERVICE_MAILBOX

    delivered = services.delivery.deliver(user, referral.id).delivery

    assert (failed.state, delivered.state) == ("failed", "sent")
    assert delivered.local_id != failed.local_id
    with pytest.raises(ValidationError, match="has a delivery already") as raised:
        services.delivery.deliver(user, referral.id)
    assert list(raised.value.errors) == ["delivery"]
    with pytest.raises(ValidationError, match="is sent already"):
        services.delivery.send_again(user, delivered.id, delivered.version)
    assert len(inbox(mesh)) == 2
    assert [d.state for d in services.delivery.for_referral(user, referral.id)] == [
        "failed", "sent"]


def test_sending_again_from_a_stale_screen_is_refused(mesh):
    services = mesh.services
    referral = mesh.sent_referral(mesh.service(address="X26NOPE9"))
    user = desk(mesh)
    row = services.delivery.deliver(user, referral.id).delivery
    services.delivery.send_again(user, row.id, row.version)

    with pytest.raises(ConflictError):
        services.delivery.send_again(user, row.id, row.version)


def test_a_post_service_has_nothing_to_deliver(mesh):
    services = mesh.services
    referral = mesh.sent_referral(mesh.service(address=None, method="post",
                                               name="Holbeck Lunch Club"))

    report = services.delivery.deliver(desk(mesh), referral.id)

    assert report.delivery is None
    assert report.message == ("Nothing to deliver electronically: Holbeck Lunch Club takes "
                              "referrals by post")
    with services.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(ReferralDelivery)) == 0


def test_a_mesh_service_without_a_mailbox_id_is_refused_before_anything_is_made(mesh):
    referral = mesh.sent_referral(mesh.service(address=None))

    with pytest.raises(ValidationError, match="no valid MESH mailbox id") as raised:
        mesh.services.delivery.deliver(desk(mesh), referral.id)

    assert list(raised.value.errors) == ["delivery_address"]


@pytest.mark.parametrize(("change", "expected"), [
    ("password", ("the password of MESH mailbox X26ABC1 is not in this computer's keyring; "
                  "set it with: practice-rx mesh set-password --mailbox X26ABC1")),
    ("mailbox", "The practice has no MESH mailbox id"),
    ("url", "MESH is not set up on this computer: mesh_url is empty"),
])
def test_missing_set_up_fails_the_delivery_saying_what_to_set(mesh, ring, change, expected):
    services = mesh.services
    referral = mesh.sent_referral(mesh.service())
    if change == "password":
        ring.delete_password("practice-rx-mesh", PRACTICE_MAILBOX)
    elif change == "mailbox":
        services.practice.save(admin(services), PracticeDetails(
            "Y99901", "Beeston Hill Surgery", address="1 Beeston Road, Leeds",
            mesh_mailbox_id=""))
    else:
        mesh.settings.mesh_url = ""

    row = services.delivery.deliver(desk(mesh), referral.id).delivery

    assert row.state == "failed"
    assert expected in row.error
    assert inbox(mesh) == []


def test_a_referral_not_sent_yet_is_not_delivered(mesh):
    from tests.support.factories import make_patient, ready_draft

    gp = make_user(mesh.services)
    draft = ready_draft(mesh.services, gp, make_patient(mesh.services), mesh.service())

    with pytest.raises(ValidationError, match="only a sent referral is delivered"):
        mesh.services.delivery.deliver(desk(mesh), draft.id)


def test_another_practices_user_can_neither_send_again_nor_see_a_delivery(mesh):
    services = mesh.services
    referral = mesh.sent_referral(mesh.service(address="X26NOPE9"))
    row = services.delivery.deliver(desk(mesh), referral.id).delivery
    network = admin(services)
    holbeck = services.practice.add(network, PracticeDetails("Y99902", "Holbeck"))
    outsider = make_user(services, "receptionist", "Kim Lee")
    services.users.set_practices(network, outsider.id, {holbeck.id}, False)

    with pytest.raises(PermissionDenied, match="belongs to a practice your account is not"):
        services.delivery.send_again(outsider.id, row.id, row.version)
    with pytest.raises(PermissionDenied, match="belongs to a practice your account is not"):
        services.delivery.for_referral(outsider.id, referral.id)
    assert services.delivery.pending_or_failed(outsider.id) == []
    assert services.delivery.poll(outsider.id) == []
    assert [r.id for r in services.delivery.pending_or_failed(desk(mesh))] == [row.id]


def test_a_link_worker_may_not_deliver(mesh):
    referral = mesh.sent_referral(mesh.service())
    worker = make_user(mesh.services, "link_worker", "Nadia Ahmed")

    with pytest.raises(PermissionDenied, match="cannot deliver referrals"):
        mesh.services.delivery.deliver(worker.id, referral.id)
    assert inbox(mesh) == []


def test_two_desks_delivering_at_once_deliver_once(mesh):
    services = mesh.services
    referral = mesh.sent_referral(mesh.service())
    users = [desk(mesh), make_user(services, "admin", "Pat Morgan").id]
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def deliver(user_id: int) -> None:
        start.wait()
        try:
            outcomes.append(services.delivery.deliver(user_id, referral.id).delivery.state)
        except ValidationError as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=deliver, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert outcomes.count("sent") == 1
    [refusal] = [outcome for outcome in outcomes if outcome != "sent"]
    assert "has a delivery already" in refusal
    assert len(services.delivery.for_referral(users[0], referral.id)) == 1
    assert len(inbox(mesh)) == 2
