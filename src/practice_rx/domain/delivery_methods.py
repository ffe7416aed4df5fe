"""How a service takes its referrals: by post, by email, over MESH, or by a plugin's
channel; and the shapes of the MESH identifiers a catalogue and a practice hold.

A wrong MESH mailbox id sends a person's referral to another organisation's inbox, so an
id is checked as it is typed, and refused (never silently changed) when it is not one:
MESH mailbox ids are upper-case letters and digits (``X26ABC2``), workflow ids upper-case
letters, digits and underscores (``TEST_WORKFLOW``, as the MESH sandbox's are).
"""

from __future__ import annotations

import re

POST = "post"
EMAIL = "email"
MESH = "mesh"
#: the built-in methods, code to label, in the order offered
DELIVERY_METHODS = {POST: "Post (printed letter)", EMAIL: "Email", MESH: "NHS MESH"}
#: a plugin channel's name (``DeliveryChannel.name``)
CHANNEL_NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")
MESH_MAILBOX_ID = re.compile(r"[A-Z0-9]{1,20}")
MESH_WORKFLOW_ID = re.compile(r"[A-Z0-9_]{1,64}")
EMAIL_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def mesh_mailbox_problem(value: str, label: str = "MESH mailbox") -> str | None:
    """What is wrong with ``value`` as a MESH mailbox id (the whole message), or None."""
    if MESH_MAILBOX_ID.fullmatch(value):
        return None
    if MESH_MAILBOX_ID.fullmatch(value.upper()):
        return (f"{label}: a MESH mailbox id is in capitals, for example X26ABC2; type "
                f"{value.upper()} if that is the mailbox meant")
    return (f"{label}: enter the MESH mailbox id, 1 to 20 capital letters and digits, for "
            "example X26ABC2")


def delivery_errors(method: object, address: str | None, workflow_id: str | None,
                    service_email: str = "") -> dict[str, str]:
    """A message per delivery field that is wrong, each naming its field.

    ``address`` is required for anything but post and email (an email delivery without
    one goes to the service's own email, ``service_email``); post takes no address, and
    only a MESH delivery has a workflow id (none: the installation's default).
    """
    errors: dict[str, str] = {}
    for key, value, label, longest in (("delivery_address", address, "Delivery address", 255),
                                       ("delivery_workflow_id", workflow_id,
                                        "MESH workflow id", 64)):
        if value is not None and (not isinstance(value, str) or len(value) > longest):
            errors[key] = f"{label}: enter text of {longest} characters or fewer"
    if errors:
        return errors
    if not isinstance(method, str) or not (method in DELIVERY_METHODS
                                           or CHANNEL_NAME.fullmatch(method)):
        return {"delivery_method": (
            f"Delivery method: choose one of {', '.join(DELIVERY_METHODS)}, or a delivery "
            "plugin's channel name (lower-case letters, digits, - and _, up to 40)")}
    if method == POST:
        if address:
            errors["delivery_address"] = ("Delivery address: a service that takes referrals "
                                          "by post has none; clear it, or choose how the "
                                          "service takes them")
    elif method == EMAIL:
        if address and not EMAIL_ADDRESS.fullmatch(address):
            errors["delivery_address"] = ("Delivery address: enter the email address "
                                          "referrals go to, for example team@example.org")
        elif not address and not service_email:
            errors["delivery_address"] = ("Delivery address: enter the email address "
                                          "referrals go to (the service has no email)")
    elif not address:
        what = "the service's MESH mailbox id, for example X26ABC2" if method == MESH \
            else f"where the {method} channel delivers to"
        errors["delivery_address"] = f"Delivery address: enter {what}"
    elif method == MESH:
        problem = mesh_mailbox_problem(address, "Delivery address")
        if problem:
            errors["delivery_address"] = problem
    if workflow_id:
        if method != MESH:
            errors["delivery_workflow_id"] = ("MESH workflow id: only a MESH delivery has "
                                              "one; clear it")
        elif not MESH_WORKFLOW_ID.fullmatch(workflow_id):
            errors["delivery_workflow_id"] = (
                "MESH workflow id: capital letters, digits and underscores, up to 64, as "
                "agreed with the receiving organisation; empty for the default")
    return errors


__all__ = ["CHANNEL_NAME", "DELIVERY_METHODS", "EMAIL", "MESH", "MESH_MAILBOX_ID",
           "MESH_WORKFLOW_ID", "POST", "delivery_errors", "mesh_mailbox_problem"]
