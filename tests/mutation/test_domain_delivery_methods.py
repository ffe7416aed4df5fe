"""The delivery fields of a catalogue service: each wrong field refused by name, in full."""

from __future__ import annotations

from practice_rx.domain.delivery_methods import delivery_errors, mesh_mailbox_problem

MAILBOX_SHAPE = ("enter the MESH mailbox id, 1 to 20 capital letters and digits, for example "
                 "X26ABC2")


def test_a_mesh_mailbox_id_is_capitals_and_digits() -> None:
    assert mesh_mailbox_problem("X26ABC2") is None
    assert mesh_mailbox_problem("A" * 20) is None
    assert mesh_mailbox_problem("x26abc2") == (
        "MESH mailbox: a MESH mailbox id is in capitals, for example X26ABC2; type X26ABC2 if "
        "that is the mailbox meant")
    assert mesh_mailbox_problem("X26-ABC") == f"MESH mailbox: {MAILBOX_SHAPE}"
    assert mesh_mailbox_problem("A" * 21, "Mailbox") == f"Mailbox: {MAILBOX_SHAPE}"
    assert mesh_mailbox_problem("") == f"MESH mailbox: {MAILBOX_SHAPE}"


def test_post_email_and_mesh_deliveries_that_are_right() -> None:
    assert delivery_errors("post", None, None) == {}
    assert delivery_errors("post", "", None) == {}
    assert delivery_errors("email", "team@example.org", None) == {}
    assert delivery_errors("email", None, None, service_email="desk@example.org") == {}
    assert delivery_errors("mesh", "X26ABC2", None) == {}
    assert delivery_errors("mesh", "X26ABC2", "TEST_WORKFLOW") == {}
    assert delivery_errors("mesh", "X26ABC2", "") == {}
    assert delivery_errors("fax-bridge", "ward 3", None) == {}
    assert delivery_errors("mesh", "A" * 20, "W" * 64) == {}


def test_each_wrong_field_is_named_with_what_is_expected() -> None:
    assert delivery_errors("post", "1 High St", None) == {"delivery_address": (
        "Delivery address: a service that takes referrals by post has none; clear it, or "
        "choose how the service takes them")}
    assert delivery_errors("email", "team at example", None) == {"delivery_address": (
        "Delivery address: enter the email address referrals go to, for example "
        "team@example.org")}
    assert delivery_errors("email", "", None) == {"delivery_address": (
        "Delivery address: enter the email address referrals go to (the service has no email)")}
    assert delivery_errors("mesh", "", None) == {"delivery_address": (
        "Delivery address: enter the service's MESH mailbox id, for example X26ABC2")}
    assert delivery_errors("fax-bridge", None, None) == {"delivery_address": (
        "Delivery address: enter where the fax-bridge channel delivers to")}
    assert delivery_errors("mesh", "x26abc2", None) == {"delivery_address": (
        "Delivery address: a MESH mailbox id is in capitals, for example X26ABC2; type X26ABC2 "
        "if that is the mailbox meant")}
    assert delivery_errors("post", None, "TEST_WORKFLOW") == {"delivery_workflow_id": (
        "MESH workflow id: only a MESH delivery has one; clear it")}
    assert delivery_errors("mesh", "X26ABC2", "test-workflow") == {"delivery_workflow_id": (
        "MESH workflow id: capital letters, digits and underscores, up to 64, as agreed with "
        "the receiving organisation; empty for the default")}
    assert list(delivery_errors("mesh", "X26ABC2", "W" * 65)) == ["delivery_workflow_id"]


def test_an_unknown_method_or_overlong_text_is_refused_first() -> None:
    method = {"delivery_method": (
        "Delivery method: choose one of post, email, mesh, or a delivery plugin's channel name "
        "(lower-case letters, digits, - and _, up to 40)")}
    assert delivery_errors("Fax", "x", None) == method
    assert delivery_errors(None, None, None) == method
    assert delivery_errors("a" * 41, "x", None) == method
    assert delivery_errors("a" * 40, "x", None) == {}
    too_long = {"delivery_address": "Delivery address: enter text of 255 characters or fewer",
                "delivery_workflow_id": "MESH workflow id: enter text of 64 characters or fewer"}
    assert delivery_errors("Fax", "a" * 256, "W" * 65) == too_long
    assert delivery_errors("mesh", 12, None) == {"delivery_address": too_long["delivery_address"]}
    assert delivery_errors("fax-bridge", "a" * 255, None) == {}
    assert delivery_errors("mesh", "X26ABC2", 5) == {
        "delivery_workflow_id": too_long["delivery_workflow_id"]}
