"""Delivering a referral's files to another organisation: the channel interface and its errors.

A channel (MESH here; email or a regional hub from a plugin) takes files and
a stable ``local_id`` and answers with a :class:`DeliveryResult`. The MESH
channel lives in :mod:`practice_rx.delivery.mesh`, imported only when used, so
starting the command line never loads ``mesh-client`` and ``requests``.
No Qt here: the UI calls channels from a worker thread.
"""

from practice_rx.delivery.channel import (
    DeliveryChannel,
    DeliveryFile,
    DeliveryResult,
    DeliveryState,
)
from practice_rx.delivery.errors import (
    DeliveryError,
    DeliveryRefused,
    ServerUnavailable,
    UnknownMailbox,
)
from practice_rx.delivery.retry import RetryPolicy

__all__ = [
    "DeliveryChannel",
    "DeliveryError",
    "DeliveryFile",
    "DeliveryRefused",
    "DeliveryResult",
    "DeliveryState",
    "RetryPolicy",
    "ServerUnavailable",
    "UnknownMailbox",
]
