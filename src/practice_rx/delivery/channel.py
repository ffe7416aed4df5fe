"""What every delivery channel takes and answers, so the referral service can use any of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, Protocol, runtime_checkable


class DeliveryFile(NamedTuple):
    """One file to deliver. A plain ``(filename, content, content_type)`` tuple works too.

    The filename travels in the clear to the receiving system's operators:
    name it for what it is (``referral.json``), never after the patient.
    """

    filename: str
    content: bytes
    content_type: str


class DeliveryState(StrEnum):
    """Where a delivery stands, in the words the referral's timeline shows."""

    SENT = "sent"                  # the receiving system accepted it; not yet collected
    ACKNOWLEDGED = "acknowledged"  # the recipient collected it
    FAILED = "failed"              # the network gave up on it (undeliverable, expired)


@dataclass(frozen=True)
class DeliveryResult:
    """The answer to one send: the channel's ids for the files, in the order given."""

    message_ids: tuple[str, ...]
    state: DeliveryState
    attempts: int  # requests that needed trying again count here; 1 when all went first time


@runtime_checkable
class DeliveryChannel(Protocol):
    """A way of sending files to an organisation; the shape a plugin's channel takes.

    ``send`` must be safe to call again with the same ``local_id`` (after a
    crash, a timeout, a retry from the worklist): what was delivered already is
    not delivered twice, and the same message ids come back.
    """

    name: str

    def send(self, to_mailbox: str, files: Sequence[DeliveryFile | tuple[str, bytes, str]],
             local_id: str) -> DeliveryResult:
        """Deliver ``files`` to the address ``to_mailbox``; raise a DeliveryError if not done."""
        ...

    def poll_acknowledgement(self, message_id: str) -> DeliveryState:
        """Where one delivered message stands now."""
        ...
