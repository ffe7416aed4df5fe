"""Why a delivery did not happen, in words a practice manager can act on.

Messages name the mailboxes, the local id and what to do; never a patient's
name or NHS number, and never the files' content.
"""

from __future__ import annotations

from practice_rx.errors import PracticeRxError


class DeliveryError(PracticeRxError):
    """A delivery was not completed.

    ``sent_message_ids`` lists the files delivered before the failure (in
    order); sending again with the same local id delivers only the rest.
    """

    def __init__(self, message: str, *, mailbox: str,
                 sent_message_ids: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.mailbox = mailbox
        self.sent_message_ids = sent_message_ids


class UnknownMailbox(DeliveryError):
    """The recipient's mailbox does not exist on the network: the catalogue entry is wrong."""


class ServerUnavailable(DeliveryError):
    """The server could not be reached (or kept failing) after every try; safe to send again."""


class DeliveryRefused(DeliveryError):
    """The server refused the request: our own mailbox, password or key is wrong, or the
    message broke a rule. Sending again will not help until the setting is fixed."""
