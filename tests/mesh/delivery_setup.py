"""A practice, a MESH service and a sent referral, delivered through the real sandbox.

X26ABC1 is the practice's mailbox and X26ABC2 the service's; the password and
shared key are in a real keyring backend kept in a file (practice_rx.testing).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
from sqlalchemy import update

from practice_rx.delivery import RetryPolicy, secrets
from practice_rx.delivery.mesh import MeshChannel
from practice_rx.delivery.mesh_settings import MeshSettingsChannel
from practice_rx.services import Services
from practice_rx.services.practice import PracticeDetails
from practice_rx.settings import Settings
from practice_rx.storage.models import Referral, Service
from practice_rx.testing.keyring_file import FileKeyring
from practice_rx.testing.mesh_sandbox import MAILBOXES, SHARED_KEY, MeshSandbox
from tests.support.factories import admin, make_patient, make_service, make_user, ready_draft

WORKFLOW = "PRACTICE_RX_REFERRAL"
PRACTICE_MAILBOX, SERVICE_MAILBOX = "X26ABC1", "X26ABC2"
FAST_RETRY = RetryPolicy(tries=2, first_wait=0.1)


@dataclass
class MeshPractice:
    """Everything a delivery test needs, and the sandbox to look in."""

    services: Services
    sandbox: MeshSandbox
    settings: Settings

    def mailbox_channel(self, mailbox_id: str) -> MeshChannel:
        """A mailbox's own view, to read what arrived (or send as the practice directly)."""
        return MeshChannel(self.sandbox.mailbox(mailbox_id), workflow_id=WORKFLOW)

    def service(self, address: str | None = SERVICE_MAILBOX, method: str = "mesh",
                name: str = "Beeston Befriending") -> Service:
        service = make_service(self.services, name)
        with self.services.db.transaction() as session:
            session.execute(update(Service).where(Service.id == service.id).values(
                delivery_method=method, delivery_address=address))
        return service

    def sent_referral(self, service: Service) -> Referral:
        gp = make_user(self.services, "clinician", "Dr Asha Patel")
        draft = ready_draft(self.services, gp, make_patient(self.services), service)
        return self.services.referrals.send(gp.id, draft.id, draft.version)


def file_keyring(path: Path) -> Iterator[FileKeyring]:
    """The sandbox's secrets in a file keyring, set for this process while in use."""
    previous = keyring.get_keyring()
    ring = FileKeyring(path)
    keyring.set_keyring(ring)
    try:
        secrets.set_mailbox_password(PRACTICE_MAILBOX, MAILBOXES[PRACTICE_MAILBOX])
        secrets.set_shared_key(SHARED_KEY)
        yield ring
    finally:
        keyring.set_keyring(previous)


def mesh_practice(db, clock, sandbox: MeshSandbox) -> MeshPractice:
    """The settings are read at each send, so a test may change them on the way."""
    settings = Settings(mesh_url=sandbox.url, mesh_workflow_id=WORKFLOW)
    channel = MeshSettingsChannel(lambda: settings, retry=FAST_RETRY)
    services = Services(db, clock, delivery_channels={"mesh": channel})
    services.practice.save(admin(services), PracticeDetails(
        "Y99901", "Beeston Hill Surgery", address="1 Beeston Road, Leeds",
        mesh_mailbox_id=PRACTICE_MAILBOX))
    return MeshPractice(services, sandbox, settings)
