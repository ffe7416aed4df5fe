"""The MESH mailbox password and the shared key: in the OS keyring, never in a file.

Stored with ``keyring`` under the service name ``practice-rx-mesh``: the password of
a mailbox under the mailbox id, the environment's shared key under ``shared-key``.
Set them with ``practice-rx mesh set-password --mailbox ID`` and ``practice-rx mesh
set-shared-key``; a delivery reads them when it is sent.
"""

from __future__ import annotations

from practice_rx.delivery.errors import DeliveryRefused

KEYRING_SERVICE = "practice-rx-mesh"
SHARED_KEY_ACCOUNT = "shared-key"


def _keyring():
    from practice_rx.passwords import _keyring as usable_keyring

    return usable_keyring()


def set_mailbox_password(mailbox_id: str, password: str) -> None:
    """Keep a mailbox's password in the keyring (raises NoKeyringError without one)."""
    _keyring().set_password(KEYRING_SERVICE, mailbox_id.strip().upper(), password)


def set_shared_key(key: str) -> None:
    """Keep the MESH environment's shared key in the keyring."""
    _keyring().set_password(KEYRING_SERVICE, SHARED_KEY_ACCOUNT, key)


def mailbox_password(mailbox_id: str) -> str:
    """The mailbox's password, or DeliveryRefused saying how to set it."""
    return _secret(mailbox_id.strip().upper(), mailbox_id,
                   f"the password of MESH mailbox {mailbox_id} is not in this computer's "
                   f"keyring; set it with: practice-rx mesh set-password --mailbox {mailbox_id}")


def shared_key(mailbox_id: str) -> str:
    """The shared key, or DeliveryRefused saying how to set it."""
    return _secret(SHARED_KEY_ACCOUNT, mailbox_id,
                   "the MESH shared key is not in this computer's keyring; set it with: "
                   "practice-rx mesh set-shared-key")


def _secret(account: str, mailbox_id: str, missing: str) -> str:
    from practice_rx.passwords import NoKeyringError

    try:
        value = _keyring().get_password(KEYRING_SERVICE, account)
    except NoKeyringError as error:
        raise DeliveryRefused(f"MESH cannot be signed in to: {error}", mailbox=mailbox_id) \
            from None
    if not value:
        raise DeliveryRefused(f"MESH cannot be signed in to: {missing}.", mailbox=mailbox_id)
    return value
