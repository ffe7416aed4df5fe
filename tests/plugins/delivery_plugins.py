"""Plugins adding delivery channels, for the tests (loaded through real entry points)."""

from __future__ import annotations

import hashlib

from practice_rx import hookimpl
from practice_rx.delivery import DeliveryResult, DeliveryState

PRACTICE_RX_API = ">=1.1,<2"


class RegionalHub:
    """A well-behaved channel: keeps what it is sent, and reuses ids for a local id sent
    again (as every channel must)."""

    name = "regional_hub"

    def __init__(self) -> None:
        self.received: dict[str, tuple[str, bytes]] = {}
        self.collected: set[str] = set()

    def send(self, to_mailbox, files, local_id):
        ids = []
        for number, (filename, content, _type) in enumerate(files, start=1):
            message_id = hashlib.sha256(f"{local_id}-{number}".encode()).hexdigest()[:20]
            self.received.setdefault(message_id, (to_mailbox, content))
            ids.append(message_id)
        return DeliveryResult(tuple(ids), DeliveryState.SENT, 1)

    def poll_acknowledgement(self, message_id):
        return DeliveryState.ACKNOWLEDGED if message_id in self.collected else DeliveryState.SENT


class Exploding:
    """A channel with a bug: its error text quotes what it was given."""

    name = "exploding"

    def send(self, to_mailbox, files, local_id):
        raise RuntimeError(f"cannot parse {files[0].content[:40]!r}")

    def poll_acknowledgement(self, message_id):
        raise RuntimeError("poll exploded")


class NoPoll:
    name = "no_poll"

    def send(self, to_mailbox, files, local_id):
        raise AssertionError("never called")


class Nameless(RegionalHub):
    name = ""


class Mesh(RegionalHub):
    name = "mesh"  # the built-in plugin's


class Hub:
    def __init__(self) -> None:
        self.channel = RegionalHub()

    @hookimpl
    def practice_rx_register_delivery_channels(self):
        return [self.channel, Exploding()]


class BadChannels:
    @hookimpl
    def practice_rx_register_delivery_channels(self):
        return [NoPoll(), Nameless(), Mesh(), RegionalHub(), "email"]


class RaisesOnRegistering:
    @hookimpl
    def practice_rx_register_delivery_channels(self):
        raise RuntimeError("channels exploded")


hub = Hub()
bad_channels = BadChannels()
raises_on_registering = RaisesOnRegistering()
