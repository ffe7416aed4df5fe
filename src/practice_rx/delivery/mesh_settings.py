"""The built-in ``mesh`` delivery channel, configured from the settings file and the keyring.

Registered by the built-in plugin like any plugin's channel. The settings file
says where the server is (``mesh_url``), the default workflow and the TLS files;
the sending mailbox is the practice's own (``practice.mesh_mailbox_id``), given
by :meth:`MeshSettingsChannel.bind` when a referral is delivered, with the
service's workflow if it names one. Everything is read at send time, so a
setting changed in the app takes effect without a restart, and ``mesh-client``
is imported only then.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from practice_rx.delivery.channel import DeliveryFile, DeliveryResult, DeliveryState
from practice_rx.delivery.errors import DeliveryRefused
from practice_rx.delivery.retry import RetryPolicy

if TYPE_CHECKING:
    from practice_rx.delivery.mesh import MeshChannel
    from practice_rx.settings import Settings


def _load_settings() -> Settings:
    from practice_rx.settings import Settings

    return Settings.load()


class MeshSettingsChannel:
    """``mesh``: a :class:`~practice_rx.delivery.mesh.MeshChannel` made for each use."""

    name = "mesh"

    def __init__(self, settings: Callable[[], Settings] = _load_settings, *,
                 from_mailbox: str | None = None, workflow_id: str | None = None,
                 retry: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.from_mailbox = from_mailbox
        self.workflow_id = workflow_id
        self.retry = retry

    def bind(self, from_address: str | None, workflow_id: str | None) -> MeshSettingsChannel:
        """This channel sending from ``from_address`` (the practice's mailbox) under
        ``workflow_id`` (the service's; None for the settings' default)."""
        return MeshSettingsChannel(self.settings, from_mailbox=from_address,
                                   workflow_id=workflow_id, retry=self.retry)

    def send(self, to_mailbox: str, files: Sequence[DeliveryFile | tuple[str, bytes, str]],
             local_id: str) -> DeliveryResult:
        return self.channel().send(to_mailbox, files, local_id)

    def poll_acknowledgement(self, message_id: str) -> DeliveryState:
        return self.channel().poll_acknowledgement(message_id)

    def channel(self, *, password: str | None = None,
                shared_key: str | None = None) -> MeshChannel:
        """The MESH channel the settings and keyring describe now; DeliveryRefused naming
        what is missing. ``password`` and ``shared_key``, when given, are used instead of
        the keyring's (to check them before they are saved)."""
        from practice_rx.delivery import secrets
        from practice_rx.delivery.mesh import DEFAULT_RETRY, MeshChannel, MeshMailbox

        settings = self.settings()
        mailbox_id = (self.from_mailbox or "").strip().upper()
        if not mailbox_id:
            raise DeliveryRefused(
                "The practice has no MESH mailbox id: an admin sets it in the practice's "
                "details (mesh_mailbox_id), then send again.", mailbox="")
        if not settings.mesh_url:
            raise DeliveryRefused(
                f"MESH is not set up on this computer: mesh_url is empty in the settings "
                f"file, so mailbox {mailbox_id} cannot send; an admin sets it (Settings), "
                "then send again.", mailbox=mailbox_id)
        workflow = self.workflow_id or settings.mesh_workflow_id
        if not workflow:
            raise DeliveryRefused(
                f"No MESH workflow id: neither the service nor the settings file "
                f"(mesh_workflow_id) names one, so mailbox {mailbox_id} cannot send.",
                mailbox=mailbox_id)
        cert = ((settings.mesh_client_cert, settings.mesh_client_key)
                if settings.mesh_client_cert else None)
        mailbox = MeshMailbox(url=settings.mesh_url, mailbox_id=mailbox_id,
                              password=password or secrets.mailbox_password(mailbox_id),
                              shared_key=shared_key or secrets.shared_key(mailbox_id),
                              cert=cert,
                              verify=settings.mesh_ca_bundle or None)
        return MeshChannel(mailbox, workflow_id=workflow, retry=self.retry or DEFAULT_RETRY)
