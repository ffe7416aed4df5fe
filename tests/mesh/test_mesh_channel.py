"""The MESH channel against a real MESH server (mesh-sandbox), from sender's to recipient's inbox.

X26ABC1 plays the practice and X26ABC2 the service. Nothing is mocked: a
stopped server is a stopped process, and a lost answer is a relay that
really drops the connection after the server took the message.
"""

from __future__ import annotations

import importlib.util
import io
import json
import time
import uuid

import pytest
from reportlab.pdfgen import canvas

from practice_rx.delivery import (
    DeliveryChannel,
    DeliveryFile,
    DeliveryRefused,
    DeliveryState,
    RetryPolicy,
    ServerUnavailable,
    UnknownMailbox,
)
from practice_rx.delivery.mesh import MeshChannel, MeshMailbox
from practice_rx.errors import ValidationError
from practice_rx.testing.mesh_sandbox import MeshSandbox
from tests.mesh.faulty_relay import FaultyRelay
from tests.support.factories import test_nhs_number

WORKFLOW = "PRACTICE_RX_REFERRAL"
NHS_NUMBER = test_nhs_number(41)


def letter_pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, f"Referral for NHS number {NHS_NUMBER}")
    page.save()
    return out.getvalue()


def bundle_json() -> bytes:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
        "resourceType": "Patient",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": NHS_NUMBER}]}}]}
    return json.dumps(bundle, indent=2).encode()


def files() -> list[DeliveryFile]:
    return [DeliveryFile("referral.json", bundle_json(), "application/fhir+json"),
            DeliveryFile("letter.pdf", letter_pdf(), "application/pdf")]


def channel(mailbox: MeshMailbox, **options: object) -> MeshChannel:
    return MeshChannel(mailbox, workflow_id=WORKFLOW, **options)  # type: ignore[arg-type]


def new_local_id() -> str:
    return f"PRX-{uuid.uuid4().hex[:12]}"


def test_a_bundle_and_a_letter_arrive_in_the_services_inbox_byte_for_byte(sandbox: MeshSandbox):
    practice = channel(sandbox.mailbox("X26ABC1"))
    local_id = new_local_id()
    sent = files()

    result = practice.send("X26ABC2", sent, local_id=local_id)

    assert result.state is DeliveryState.SENT
    assert result.attempts == 1
    assert len(result.message_ids) == 2
    received = channel(sandbox.mailbox("X26ABC2")).inbox()
    assert [m.message_id for m in received] == list(result.message_ids)
    for message, file, number in zip(received, sent, (1, 2), strict=True):
        assert message.content == file.content
        assert message.filename == file.filename
        assert message.content_type == file.content_type
        assert message.sender == "X26ABC1"
        assert message.local_id == f"{local_id}-{number}"
        assert message.workflow_id == WORKFLOW
    assert received[1].content.startswith(b"%PDF-")
    assert json.loads(received[0].content)["resourceType"] == "Bundle"
    assert channel(sandbox.mailbox("X26ABC3")).inbox() == []  # and nowhere else


def test_plain_tuples_are_files_too(sandbox: MeshSandbox):
    result = channel(sandbox.mailbox("X26ABC1")).send(
        "x26abc2", [("note.txt", b"plain text", "text/plain")], local_id=new_local_id())

    [message] = channel(sandbox.mailbox("X26ABC2")).inbox()
    assert (message.message_id, message.content) == (result.message_ids[0], b"plain text")


def test_an_unknown_mailbox_is_named_and_nothing_is_sent(sandbox: MeshSandbox):
    practice = channel(sandbox.mailbox("X26ABC1"))

    with pytest.raises(UnknownMailbox) as raised:
        practice.send("X26NOPE9", files(), local_id="PRX-7")

    text = str(raised.value)
    assert "MESH mailbox X26NOPE9 does not exist" in text
    assert "catalogue" in text
    assert raised.value.mailbox == "X26NOPE9"
    assert raised.value.sent_message_ids == ()
    assert NHS_NUMBER not in text
    for mailbox_id in ("X26ABC1", "X26ABC2", "X26ABC3"):
        assert channel(sandbox.mailbox(mailbox_id)).inbox() == []


def test_a_stopped_server_fails_clearly_within_the_retries_and_a_later_send_delivers_once(
        tmp_path):
    server = MeshSandbox(tmp_path)
    server.start()
    try:
        practice = channel(server.mailbox("X26ABC1"), retry=RetryPolicy(tries=3, first_wait=0.5))
        practice.send("X26ABC2", files()[:1], local_id=new_local_id())  # it works while up
        server.stop()
        local_id = new_local_id()

        began = time.monotonic()
        with pytest.raises(ServerUnavailable) as raised:
            practice.send("X26ABC2", files(), local_id=local_id)
        took = time.monotonic() - began

        assert 1.5 <= took < 5.0  # waited 0.5 s and 1 s between three tries, no more
        text = str(raised.value)
        assert "did not answer mailbox X26ABC1 (connection refused) after 3 tries" in text
        assert f"sending local id {local_id}-1 to mailbox X26ABC2 was not completed" in text
        assert "send again" in text
        assert NHS_NUMBER not in text
        assert raised.value.sent_message_ids == ()

        server.start()  # back up, on the same port, with the same store
        result = practice.send("X26ABC2", files(), local_id=local_id)
        received = channel(server.mailbox("X26ABC2")).inbox()
        assert len(received) == 3  # the one sent while up, and this delivery's two, once each
        mine = [m for m in received if (m.local_id or "").startswith(local_id)]
        assert [m.local_id for m in mine] == [f"{local_id}-1", f"{local_id}-2"]
        assert [m.message_id for m in mine] == list(result.message_ids)
    finally:
        server.stop()


def via(relay: FaultyRelay, sandbox: MeshSandbox) -> MeshMailbox:
    """The practice's mailbox, reached through the relay."""
    direct = sandbox.mailbox("X26ABC1")
    return MeshMailbox(url=relay.url, mailbox_id=direct.mailbox_id, password=direct.password,
                       shared_key=direct.shared_key)


def test_a_lost_answer_is_found_in_the_outbox_not_sent_twice(sandbox: MeshSandbox):
    sent = files()
    with FaultyRelay(sandbox.url, lose_sends=1) as relay:
        result = channel(via(relay, sandbox)).send("X26ABC2", sent, local_id=new_local_id())

        assert relay.answers_lost == 1  # the server took the first file; its answer never came
        assert relay.sends_forwarded == 2  # the first file was not posted again; the second once
    assert result.attempts == 2
    received = channel(sandbox.mailbox("X26ABC2")).inbox()
    assert [m.message_id for m in received] == list(result.message_ids)
    assert [m.content for m in received] == [f.content for f in sent]


def test_a_busy_server_is_tried_again_after_a_wait(sandbox: MeshSandbox):
    with FaultyRelay(sandbox.url, busy=2) as relay:
        began = time.monotonic()
        result = channel(via(relay, sandbox)).send("X26ABC2", files(), local_id=new_local_id())
        took = time.monotonic() - began

        assert relay.busy_answers == 2
    assert result.attempts == 3
    assert took >= 1.5  # 0.5 s, then 1 s
    assert [m.message_id for m in channel(sandbox.mailbox("X26ABC2")).inbox()] == list(
        result.message_ids)


@pytest.mark.parametrize("status", [503, 429])
def test_a_send_answered_busy_is_tried_again_and_arrives_once(sandbox: MeshSandbox, status):
    with FaultyRelay(sandbox.url, busy_sends=1, busy_status=status) as relay:
        result = channel(via(relay, sandbox)).send("X26ABC2", files(), local_id=new_local_id())

        assert (relay.sends_refused, relay.sends_forwarded) == (1, 2)
    assert result.attempts == 2
    assert [m.message_id for m in channel(sandbox.mailbox("X26ABC2")).inbox()] == list(
        result.message_ids)


def test_a_server_that_stays_busy_fails_after_three_tries(sandbox: MeshSandbox):
    with FaultyRelay(sandbox.url, busy=3) as relay, pytest.raises(ServerUnavailable) as raised:
        channel(via(relay, sandbox)).send("X26ABC2", files(), local_id="PRX-9")

    assert "(the server answered HTTP 503) after 3 tries" in str(raised.value)
    assert channel(sandbox.mailbox("X26ABC2")).inbox() == []


def test_a_link_lost_between_two_files_loses_nothing_and_sends_nothing_twice(
        sandbox: MeshSandbox):
    sent = files()
    local_id = new_local_id()
    with FaultyRelay(sandbox.url, cut_after_sends=1) as relay, \
            pytest.raises(ServerUnavailable) as raised:
        channel(via(relay, sandbox)).send("X26ABC2", sent, local_id=local_id)

    assert "(the connection closed without an answer)" in str(raised.value)
    [bundle_id] = raised.value.sent_message_ids  # the bundle went; the letter did not

    result = channel(sandbox.mailbox("X26ABC1")).send("X26ABC2", sent, local_id=local_id)

    assert result.message_ids[0] == bundle_id
    received = channel(sandbox.mailbox("X26ABC2")).inbox()
    assert [m.message_id for m in received] == list(result.message_ids)
    assert [m.content for m in received] == [f.content for f in sent]


def test_sending_the_same_delivery_again_returns_the_same_messages(sandbox: MeshSandbox):
    practice = channel(sandbox.mailbox("X26ABC1"))
    local_id = new_local_id()

    first = practice.send("X26ABC2", files(), local_id=local_id)
    again = practice.send("X26ABC2", files(), local_id=local_id)

    assert again.message_ids == first.message_ids
    assert len(channel(sandbox.mailbox("X26ABC2")).inbox()) == 2


def test_the_acknowledgement_is_read_back_from_mesh_tracking(sandbox: MeshSandbox):
    practice = channel(sandbox.mailbox("X26ABC1"))
    service = channel(sandbox.mailbox("X26ABC2"))
    result = practice.send("X26ABC2", files(), local_id=new_local_id())
    bundle_id, letter_id = result.message_ids

    assert practice.poll_acknowledgement(bundle_id) is DeliveryState.SENT

    service.acknowledge(bundle_id)
    sandbox.mark_undeliverable(letter_id)

    assert practice.poll_acknowledgement(bundle_id) is DeliveryState.ACKNOWLEDGED
    assert practice.poll_acknowledgement(letter_id) is DeliveryState.FAILED
    assert service.inbox() == []  # collected, or given up on: neither is offered any more


def test_reading_with_acknowledge_empties_the_inbox(sandbox: MeshSandbox):
    practice = channel(sandbox.mailbox("X26ABC1"))
    service = channel(sandbox.mailbox("X26ABC2"))
    result = practice.send("X26ABC2", files(), local_id=new_local_id())

    assert len(service.inbox(acknowledge=True)) == 2

    assert service.inbox() == []
    assert {practice.poll_acknowledgement(m) for m in result.message_ids} == {
        DeliveryState.ACKNOWLEDGED}


@pytest.mark.parametrize(("mailbox_id", "password", "shared_key"), [
    ("X26ABC1", "not-it", None),        # wrong password
    ("X26ABC1", "password", "not-it"),  # wrong shared key
    ("X26NONE1", "password", None),     # our own mailbox id unknown
])
def test_wrong_sign_in_details_are_refused_with_what_to_check(sandbox: MeshSandbox, mailbox_id,
                                                               password, shared_key):
    wrong = MeshMailbox(url=sandbox.url, mailbox_id=mailbox_id, password=password,
                        shared_key=shared_key or sandbox.mailbox("X26ABC1").shared_key)

    with pytest.raises(DeliveryRefused) as raised:
        channel(wrong).send("X26ABC2", files(), local_id=new_local_id())

    text = str(raised.value)
    assert f"refused mailbox {mailbox_id}: HTTP 403, not signed in" in text
    assert "password" in text and "not-it" not in text
    assert raised.value.mailbox == mailbox_id
    assert channel(sandbox.mailbox("X26ABC2")).inbox() == []


def test_mutual_tls_delivers_with_our_certificate_and_says_what_to_check_without(tmp_path):
    with MeshSandbox(tmp_path, tls=True) as server:
        practice = server.mailbox("X26ABC1")
        assert server.url.startswith("https://") and practice.cert and practice.verify

        result = channel(practice).send("X26ABC2", files()[:1], local_id=new_local_id())

        [message] = channel(server.mailbox("X26ABC2")).inbox()
        assert message.message_id == result.message_ids[0]

        # The server refuses a client without a certificate by closing the connection.
        no_certificate = MeshMailbox(url=server.url, mailbox_id="X26ABC1",
                                     password=practice.password, shared_key=practice.shared_key,
                                     verify=practice.verify)
        with pytest.raises(ServerUnavailable, match="missing or untrusted client certificate"):
            channel(no_certificate).send("X26ABC2", files()[:1], local_id=new_local_id())

        # A server whose certificate our CA bundle does not vouch for is refused at once.
        system_cas = MeshMailbox(url=server.url, mailbox_id="X26ABC1", password=practice.password,
                                 shared_key=practice.shared_key, cert=practice.cert)
        began = time.monotonic()
        with pytest.raises(DeliveryRefused, match="the TLS handshake failed"):
            channel(system_cas).send("X26ABC2", files()[:1], local_id=new_local_id())
        assert time.monotonic() - began < 1.0  # not tried again: that cannot help

        assert len(channel(server.mailbox("X26ABC2")).inbox()) == 1


def test_a_missing_mesh_sandbox_package_is_an_error_not_a_skip(tmp_path, monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)

    with pytest.raises(RuntimeError, match=r"mesh-sandbox package is not installed.*pip install"):
        MeshSandbox(tmp_path).start()


def test_tracking_a_message_we_did_not_send_says_so(sandbox: MeshSandbox):
    other = channel(sandbox.mailbox("X26ABC3")).send("X26ABC2", files()[:1],
                                                      local_id=new_local_id())

    with pytest.raises(DeliveryRefused, match="HTTP 404, no such message in this mailbox"):
        channel(sandbox.mailbox("X26ABC1")).poll_acknowledgement(other.message_ids[0])


@pytest.mark.parametrize(("to_mailbox", "given", "local_id", "field"), [
    ("X26 ABC", files, "PRX-1", "to_mailbox"),
    ("X26ABC2", files, "", "local_id"),
    ("X26ABC2", files, "PRX 1/2", "local_id"),
    ("X26ABC2", list, "PRX-1", "files"),
    ("X26ABC2", lambda: [("empty.pdf", b"", "application/pdf")], "PRX-1", "files[1]"),
    ("X26ABC2", lambda: [files()[0], ("letter.pdf", b"%PDF-")], "PRX-1", "files[2]"),
    ("X26ABC2", lambda: [("letter.pdf", "text, not bytes", "application/pdf")], "PRX-1",
     "files[1]"),
    ("X26ABC2", lambda: [("big.pdf", bytes(75 * 1024 * 1024 + 1), "application/pdf")], "PRX-1",
     "files[1]"),
])
def test_a_malformed_send_is_refused_before_anything_goes(to_mailbox, given, local_id, field):
    nowhere = MeshMailbox(url="http://127.0.0.1:9", mailbox_id="X26ABC1", password="p",
                          shared_key="k")

    with pytest.raises(ValidationError) as raised:
        channel(nowhere).send(to_mailbox, given(), local_id=local_id)

    assert list(raised.value.errors) == [field]


def test_the_retry_policy_waits_half_a_second_then_one():
    assert RetryPolicy().waits() == [0.0, 0.5, 1.0]
    assert RetryPolicy(tries=1).waits() == [0.0]
    with pytest.raises(ValueError, match="tries must be at least 1"):
        RetryPolicy(tries=0)


def test_the_mesh_channel_has_the_shape_of_a_delivery_channel():
    mailbox = MeshMailbox(url="http://127.0.0.1:9", mailbox_id="X26ABC1", password="secret-pw",
                          shared_key="secret-key")
    mesh = channel(mailbox)

    assert isinstance(mesh, DeliveryChannel)
    assert mesh.name == "mesh"
    assert "secret" not in repr(mailbox)
