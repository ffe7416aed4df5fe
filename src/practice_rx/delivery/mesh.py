"""Delivery over NHS MESH with ``mesh-client``: one MESH message per file, never sent twice.

MESH has no idempotent send: a POST to the outbox whose answer is lost may
still have created the message. So before every send (first try included) the
channel asks its outbox whether a message with that file's local id exists
already, and reuses it if so. Each file's MESH local id is ``{local_id}-{n}``
(``n`` counting the files from 1), which stays the same however often the same
delivery is sent again. mesh-client's own retries are switched off: it would
never retry the outbox POST anyway (for the same reason), and one bounded
policy here keeps the time a failed send takes predictable.

``docs/mesh.md`` describes the MESH API calls used and the sandbox tests.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote

import requests
from mesh_client import MeshClient, MeshError

from practice_rx.delivery.channel import DeliveryFile, DeliveryResult, DeliveryState
from practice_rx.delivery.errors import (
    DeliveryError,
    DeliveryRefused,
    ServerUnavailable,
    UnknownMailbox,
)
from practice_rx.delivery.retry import RetryPolicy
from practice_rx.errors import ValidationError

#: MESH's error code for "Unregistered to address" (the recipient mailbox does not exist).
UNREGISTERED_RECIPIENT = "12"
#: MESH's error code for "No mailbox matched" when signing in (our own mailbox id is unknown).
_SIGN_IN_FAILED = "EPL-151"
#: HTTP answers worth trying again: the server or a proxy on the way is busy or failing.
_RETRY_STATUSES = frozenset({425, 429, 500, 502, 503, 504})
#: MESH tracking statuses (lower case) and what they mean for the referral.
_STATES = {
    "accepted": DeliveryState.SENT,
    "acknowledged": DeliveryState.ACKNOWLEDGED,
    "undeliverable": DeliveryState.FAILED,
    "error": DeliveryState.FAILED,
}
#: mesh-client's chunk size. A file up to this size goes in one request, so a message found
#: in the outbox by its local id is always complete (never a half-uploaded chunked one).
MAX_FILE_BYTES = 75 * 1024 * 1024
_MAILBOX_ID = re.compile(r"^[A-Za-z0-9]{1,20}$")
_LOCAL_ID = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")
T = TypeVar("T")
DEFAULT_RETRY = RetryPolicy()  # 3 tries, waiting 0.5 s then 1 s


@dataclass(frozen=True)
class MeshMailbox:
    """Our own MESH mailbox: where the server is and how we sign in to it.

    ``shared_key`` is the environment's MESH key (the same for every mailbox
    on it); ``cert`` the client certificate and key files, and ``verify`` the
    CA bundle, for the mutual TLS the real MESH requires (not the sandbox).
    """

    url: str
    mailbox_id: str
    password: str
    shared_key: str
    cert: tuple[str, str] | None = None
    verify: str | bool | None = None

    def __repr__(self) -> str:  # the password and key stay out of logs and tracebacks
        return f"MeshMailbox(url={self.url!r}, mailbox_id={self.mailbox_id!r})"


@dataclass(frozen=True)
class ReceivedMessage:
    """A message read from our inbox, with the MESH headers a receiver needs."""

    message_id: str
    sender: str
    filename: str | None
    content_type: str | None
    local_id: str | None
    workflow_id: str | None
    content: bytes


class _Client(MeshClient):
    """mesh-client plus the one MESH call it lacks: tracking a sent message by its local id."""

    def find_sent(self, local_id: str) -> str | None:
        """The id of the message this mailbox sent with ``local_id``, or None if there is none.

        ``GET /messageexchange/{mailbox}/outbox/tracking/{local_id}`` (the MESH
        API's tracking by local id): 404 when no message has it, 300 when more
        than one does.
        """
        response = self._session.get(f"{self.mailbox_url}/outbox/tracking/{quote(local_id, safe='')}",
                                     headers={"Accept": "application/json"}, timeout=self._timeout)
        if response.status_code == 404:
            return None
        if response.status_code == 300:
            raise DeliveryError(
                f"Several messages in the outbox of MESH mailbox {self._mailbox} carry local id "
                f"{local_id}, so which one was delivered is not known; send with a new local id.",
                mailbox=self._mailbox)
        response.raise_for_status()
        return str(response.json()["messageId"])


class MeshChannel:
    """Sends files from our MESH mailbox to another, and reads our inbox.

    :param mailbox: our mailbox and how to reach the server.
    :param workflow_id: the MESH workflow the files are sent under; both
        mailboxes must be registered for it on the real network.
    :param retry: how often to try a request that failed for want of an answer.
    :param timeout: seconds to wait for the server on each request.
    """

    name = "mesh"

    def __init__(self, mailbox: MeshMailbox, *, workflow_id: str,
                 retry: RetryPolicy = DEFAULT_RETRY, timeout: float = 30.0) -> None:
        self.mailbox = mailbox
        self.workflow_id = workflow_id
        self.retry = retry
        self.timeout = timeout

    # -- sending ---------------------------------------------------------------------------

    def send(self, to_mailbox: str, files: Sequence[DeliveryFile | tuple[str, bytes, str]],
             local_id: str) -> DeliveryResult:
        """Deliver each file as one MESH message to ``to_mailbox``.

        Safe to call again with the same ``local_id`` and files: those already
        in our outbox are not sent again, and their message ids are returned.

        :raises ValidationError: the mailbox id, local id or files are malformed.
        :raises UnknownMailbox: ``to_mailbox`` does not exist on the server.
        :raises ServerUnavailable: no answer after every try (safe to send again).
        :raises DeliveryRefused: the server refused us (password, key, rules).
        """
        recipient = to_mailbox.strip().upper()
        given = _as_files(files)
        _check_send(recipient, given, local_id)
        sent: list[str] = []
        attempts = 1
        with self._client() as client:
            for number, file in enumerate(given, start=1):
                file_local_id = f"{local_id}-{number}"

                def deliver(client: _Client = client, file: DeliveryFile = file,
                            file_local_id: str = file_local_id) -> str:
                    earlier = client.find_sent(file_local_id)
                    if earlier is not None:
                        return earlier
                    return client.send_message(
                        recipient, file.content, workflow_id=self.workflow_id,
                        filename=file.filename, local_id=file_local_id,
                        content_type=file.content_type)

                message_id, tries = self._with_retries(
                    deliver, recipient=recipient, local_id=file_local_id, sent=tuple(sent))
                sent.append(message_id)
                attempts = max(attempts, tries)
        return DeliveryResult(tuple(sent), DeliveryState.SENT, attempts)

    def poll_acknowledgement(self, message_id: str) -> DeliveryState:
        """Where one message we sent stands, from the MESH outbox tracking.

        :raises DeliveryError: the message is not in our outbox, or MESH gave a
            status this channel does not know.
        """
        with self._client() as client:
            tracking, _ = self._with_retries(lambda: client.track_message(message_id),
                                             recipient=None, local_id=None, sent=())
        status = str(tracking.get("status") or "").lower()
        if status not in _STATES:
            raise DeliveryError(
                f"MESH reports status '{status}' for message {message_id} sent from mailbox "
                f"{self.mailbox.mailbox_id}; expected one of {', '.join(_STATES)}",
                mailbox=self.mailbox.mailbox_id)
        return _STATES[status]

    def check(self) -> int:
        """Sign in (the MESH handshake) and count the messages waiting in our inbox, reading
        none: what ``practice-rx mesh check`` reports, with no patient data in it."""
        with self._client() as client:
            self._with_retries(client.handshake, recipient=None, local_id=None, sent=())
            count, _ = self._with_retries(lambda: len(list(client.iterate_message_ids())),
                                          recipient=None, local_id=None, sent=())
        return count

    # -- receiving -------------------------------------------------------------------------

    def inbox(self, *, acknowledge: bool = False) -> list[ReceivedMessage]:
        """Every message waiting in our inbox, read in full, oldest first.

        With ``acknowledge`` each is acknowledged once read (MESH then removes
        it and tells the sender it was collected); otherwise it stays until
        :meth:`acknowledge` is called, so a crash while importing loses nothing.
        """
        received = []
        with self._client() as client:
            message_ids, _ = self._with_retries(lambda: list(client.iterate_message_ids()),
                                                recipient=None, local_id=None, sent=())
            for message_id in message_ids:
                message, _ = self._with_retries(lambda mid=message_id: _read(client, mid),
                                                recipient=None, local_id=None, sent=())
                received.append(message)
                if acknowledge:
                    self._with_retries(lambda mid=message_id: client.acknowledge_message(mid),
                                       recipient=None, local_id=None, sent=())
        return received

    def acknowledge(self, message_id: str) -> None:
        """Tell MESH we have the message: it leaves our inbox and the sender sees it collected."""
        with self._client() as client:
            self._with_retries(lambda: client.acknowledge_message(message_id),
                               recipient=None, local_id=None, sent=())

    # -- the parts -------------------------------------------------------------------------

    @contextmanager
    def _client(self) -> Iterator[_Client]:
        box = self.mailbox
        with _Client(box.url, box.mailbox_id, box.password, shared_key=box.shared_key.encode(),
                     cert=box.cert, verify=box.verify, max_retries=0, timeout=self.timeout,
                     application_name="practice-rx") as client:
            yield client

    def _with_retries(self, action: Callable[[], T], *, recipient: str | None,
                      local_id: str | None, sent: tuple[str, ...]) -> tuple[T, int]:
        """Run ``action``, trying again after a missing answer; turn MESH's refusals into errors
        that say what to do."""
        ours = self.mailbox.mailbox_id
        reason = ""
        for attempt, wait in enumerate(self.retry.waits(), start=1):
            if wait:
                time.sleep(wait)
            try:
                return action(), attempt
            except requests.HTTPError as error:
                status = error.response.status_code if error.response is not None else 0
                if status not in _RETRY_STATUSES:
                    raise self._refused(_refusal_reason(status), recipient, local_id,
                                        sent) from error
                reason = f"the server answered HTTP {status}"
            except requests.exceptions.SSLError as error:
                raise self._refused(
                    "the TLS handshake failed (check the client certificate and key, and the CA "
                    "bundle, in the MESH settings)", recipient, local_id, sent) from error
            except requests.ConnectionError as error:
                reason = _connection_reason(error, tls=self.mailbox.url.lower().startswith("https:"))
            except requests.Timeout:
                reason = f"no answer within {self.timeout:g} s"
            except requests.JSONDecodeError:  # a gateway's page, not MESH's answer to the send
                reason = "an answer that was not from MESH"
            except MeshError as error:
                raise self._mesh_error(error, recipient, local_id, sent) from error
        what = f"sending local id {local_id} to mailbox {recipient}" if recipient else "the request"
        raise ServerUnavailable(
            f"MESH server {self.mailbox.url} did not answer mailbox {ours} ({reason}) after "
            f"{self.retry.tries} tries; {what} was not completed. Check the network and that "
            "MESH is up, then send again: files already delivered are not sent twice.",
            mailbox=ours, sent_message_ids=sent)

    def _mesh_error(self, error: MeshError, recipient: str | None, local_id: str | None,
                    sent: tuple[str, ...]) -> DeliveryError:
        details = error.args[1].get("detail") if len(error.args) > 1 else None
        codes = {str(item.get("code")) for item in details or [] if isinstance(item, dict)}
        if recipient and UNREGISTERED_RECIPIENT in codes:
            return UnknownMailbox(
                f"MESH mailbox {recipient} does not exist on {self.mailbox.url} (local id "
                f"{local_id} was not sent). Check the service's MESH mailbox id in the catalogue.",
                mailbox=recipient, sent_message_ids=sent)
        text = str(error.args[0])
        if _SIGN_IN_FAILED in codes or "authentication" in text.lower():
            return self._refused(_refusal_reason(403), recipient, local_id, sent)
        return self._refused(f"{text} (check the message against the MESH rules for workflow "
                             f"{self.workflow_id})", recipient, local_id, sent)

    def _refused(self, reason: str, recipient: str | None, local_id: str | None,
                 sent: tuple[str, ...]) -> DeliveryRefused:
        ours = self.mailbox.mailbox_id
        what = (f"local id {local_id} to mailbox {recipient} was not sent" if recipient
                else "nothing was changed")
        return DeliveryRefused(f"MESH server {self.mailbox.url} refused mailbox {ours}: {reason}; "
                               f"{what}.", mailbox=ours, sent_message_ids=sent)


def _as_files(files: Sequence[DeliveryFile | tuple[str, bytes, str]]) -> list[DeliveryFile]:
    given = []
    for number, file in enumerate(files, start=1):
        try:
            given.append(DeliveryFile(*file))
        except TypeError:
            raise ValidationError.single(
                f"files[{number}]", f"File {number} must be (filename, content, content_type)"
            ) from None
    return given


def _check_send(recipient: str, files: list[DeliveryFile], local_id: str) -> None:
    errors = {}
    if not _MAILBOX_ID.match(recipient):
        errors["to_mailbox"] = (f"The MESH mailbox id must be 1 to 20 letters and digits "
                                f"(e.g. X26ABC1), not '{recipient}'")
    if not _LOCAL_ID.match(local_id):
        errors["local_id"] = ("The local id must be 1 to 200 letters, digits or . _ : - "
                              f"(e.g. PRX-42-1), not '{local_id}'")
    if not files:
        errors["files"] = "At least one file must be given to deliver"
    for number, file in enumerate(files, start=1):
        if not file.filename or not file.content_type or not isinstance(file.content, bytes):
            errors[f"files[{number}]"] = (f"File {number} needs a filename, a content type "
                                          "and its content as bytes")
        elif not file.content:
            errors[f"files[{number}]"] = f"File {number} ({file.filename}) is empty"
        elif len(file.content) > MAX_FILE_BYTES:
            errors[f"files[{number}]"] = (f"File {number} ({file.filename}) is larger than "
                                          f"{MAX_FILE_BYTES // (1024 * 1024)} MB")
    if errors:
        raise ValidationError(errors)


def _read(client: _Client, message_id: str) -> ReceivedMessage:
    message = client.retrieve_message(message_id)
    try:
        return ReceivedMessage(
            message_id=message_id, sender=message.sender or "", filename=message.filename,
            content_type=message.content_type, local_id=message.local_id,
            workflow_id=message.workflow_id, content=message.read())
    finally:
        message.close()


def _refusal_reason(status: int) -> str:
    if status in (401, 403):
        return (f"HTTP {status}, not signed in (check our mailbox id, its password and the "
                "MESH shared key in the settings)")
    if status == 404:
        return "HTTP 404, no such message in this mailbox"
    return f"HTTP {status}"


def _connection_reason(error: requests.ConnectionError, *, tls: bool) -> str:
    text = str(error)
    if "refused" in text.lower():
        return "connection refused"
    if "RemoteDisconnected" in text or "aborted" in text.lower():
        # Under TLS 1.3 a server checks the client certificate after the handshake and
        # refuses a missing or untrusted one by closing the connection: it looks the same.
        return ("the connection closed without an answer, which is also how a MESH server "
                "refuses a missing or untrusted client certificate" if tls
                else "the connection closed without an answer")
    return "no connection"
