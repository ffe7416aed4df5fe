"""Delivering a sent referral to its service over MESH or a plugin's channel.

Nothing is lost and nothing sent twice (docs/mesh.md):

1. the delivery and the exact bytes of its files (the FHIR bundle and the
   referral letter) are recorded ``pending`` and committed before anything goes;
2. the channel is called outside any transaction, with the delivery's stable
   local id ``PRX-{referral}-{delivery}``;
3. the outcome is recorded: ``sent`` with a message id per file; a server that
   did not answer leaves it ``pending`` with the error; a refusal (unknown
   mailbox, wrong password) makes it ``failed``.

A crash between 2 and 3 leaves a ``pending`` row; :meth:`DeliveryService.send_again`
sends the same bytes under the same local id, and the channel finds what went
already in its outbox. A delivery never changes the referral: a sent referral
stays sent whatever happens to its delivery, and a failed one is listed by
:meth:`DeliveryService.pending_or_failed` to be chased.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from practice_rx.delivery import (
    DeliveryChannel,
    DeliveryError,
    DeliveryFile,
    DeliveryResult,
    DeliveryState,
    ServerUnavailable,
)
from practice_rx.domain.delivery_methods import MESH_MAILBOX_ID
from practice_rx.domain.letter_kinds import LetterKind
from practice_rx.domain.permissions import Action
from practice_rx.domain.statuses import Status
from practice_rx.errors import NotFoundError, PracticeRxError, ValidationError
from practice_rx.services.audit import AuditWriter
from practice_rx.services.base import ServiceBase, get_or_raise, load_for_change
from practice_rx.services.practice import practice_of
from practice_rx.services.practice_scope import SCOPE_KEY, scope_condition
from practice_rx.storage.database import Database
from practice_rx.storage.delivery_models import ReferralDelivery, ReferralDeliveryFile
from practice_rx.storage.models import Referral, Service, User

if TYPE_CHECKING:
    from practice_rx.letters.service import LetterService
    from practice_rx.services.fhir_exchange import FhirService

log = logging.getLogger(__name__)

#: delivery methods the practice's staff carry out themselves (a letter posted or emailed)
BY_HAND = {"post": "by post", "email": "by email"}
PENDING, SENT, ACKNOWLEDGED, FAILED = "pending", "sent", "acknowledged", "failed"
BUNDLE_FILENAME = "referral.json"
LETTER_FILENAME = "referral-letter.pdf"
CHANNEL_LABELS = {"mesh": "MESH"}


@dataclass(frozen=True)
class DeliveryFileRow:
    """One file of a delivery as recorded (without its content)."""

    position: int
    filename: str
    content_type: str
    size: int
    sha256: str
    message_id: str | None
    state: str


@dataclass(frozen=True)
class DeliveryRow:
    """One delivery, for the referral's timeline and the worklist of deliveries to chase."""

    id: int
    referral_id: int
    channel: str
    to_address: str
    local_id: str
    state: str
    attempts: int
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    acknowledged_at: datetime | None
    failed_at: datetime | None
    last_polled_at: datetime | None
    version: int
    #: who delivered it (the display name)
    created_by: str
    files: tuple[DeliveryFileRow, ...]

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)

    @property
    def can_send_again(self) -> bool:
        return self.state in (PENDING, FAILED)

    def summary(self) -> str:
        """One line saying where it stands, free of patient identifiers."""
        files = f"{len(self.files)} file{'s' if len(self.files) != 1 else ''}"
        where = f"over {self.channel_label} to {self.to_address}"
        if self.state == SENT:
            return f"Delivered {where} ({files})"
        if self.state == ACKNOWLEDGED:
            return f"Acknowledged: collected {where} ({files})"
        if self.state == FAILED:
            return f"Failed: {self.error or 'not delivered'}"
        if self.error:
            return f"Not delivered yet {where}: {self.error}"
        return f"Delivering {where} ({files})"


@dataclass(frozen=True)
class DeliveryReport:
    """What one call did: the delivery as it now stands (None when there was nothing to
    deliver) and a sentence for the status bar."""

    delivery: DeliveryRow | None
    message: str


class DeliveryService(ServiceBase):
    """Delivers referrals through the channels the plugins registered (``mesh`` built in).

    ``letters`` and ``fhir`` make the letter and the FHIR bundle; both are callables so
    reportlab and fhir.resources are loaded only when something is delivered.
    """

    def __init__(self, db: Database, clock: Callable[[], datetime], audit: AuditWriter,
                 channels: Mapping[str, DeliveryChannel], letters: Callable[[], LetterService],
                 fhir: Callable[[], FhirService]) -> None:
        super().__init__(db, clock, audit)
        self.channels = dict(channels)
        self.letters = letters
        self.fhir = fhir

    # -- delivering --------------------------------------------------------------------

    def deliver(self, user_id: int, referral_id: int) -> DeliveryReport:
        """Deliver a sent referral to its service, if the service takes it electronically.

        Refused while an earlier delivery of the referral is pending, sent or
        acknowledged (send that one again instead): a referral is never delivered
        twice by accident. After a failed one a new delivery may go (e.g. to the
        mailbox the catalogue now has).
        """
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.DELIVER_REFERRALS)
            referral = get_or_raise(session, Referral, referral_id, "Referral")
            service = session.get(Service, referral.service_id) if referral.service_id else None
            method = service.delivery_method if service is not None else "post"
            if service is None:
                return DeliveryReport(None, f"Nothing to deliver: referral {referral_id} has "
                                      "no service")
            if method in BY_HAND:
                return DeliveryReport(None, f"Nothing to deliver electronically: "
                                      f"{service.name} takes referrals {BY_HAND[method]}")
            if referral.status != Status.SENT:
                raise ValidationError.single(
                    "referral", f"Referral: referral {referral_id} is {referral.status}; only "
                    "a sent referral is delivered to its service")
            address = _address(service)
            self._refuse_second(session, referral_id)
        files = self._files(user_id, referral_id)
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.DELIVER_REFERRALS)
            referral = get_or_raise(session, Referral, referral_id, "Referral")
            # Two desks delivering at once: the second waits here, then finds the first's.
            session.execute(select(Referral.id).where(Referral.id == referral_id)
                            .with_for_update())
            self._refuse_second(session, referral_id)
            delivery = self._record_pending(session, user_id, referral, method, address, files)
            delivery_id = delivery.id
        return self._attempt(user_id, delivery_id)

    def send_again(self, user_id: int, delivery_id: int, expected_version: int) -> DeliveryReport:
        """Send a pending or failed delivery again: the same row, local id and bytes.

        What was delivered already is found in the channel's outbox and not sent
        twice. The version check stops two desks sending it at once.
        """
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.DELIVER_REFERRALS)
            delivery = load_for_change(session, ReferralDelivery, delivery_id, expected_version,
                                       "Delivery")
            referral = get_or_raise(session, Referral, delivery.referral_id, "Referral")
            if delivery.state not in (PENDING, FAILED):
                raise ValidationError.single(
                    "delivery", f"Delivery: {delivery.local_id} is {delivery.state} already; "
                    "only a pending or failed delivery is sent again")
            before = {"state": delivery.state, "attempts": delivery.attempts}
            delivery.attempts += 1
            session.flush()
            self._audit(session, user_id, delivery, referral, "referral_delivery_send_again",
                        before, {"state": delivery.state, "attempts": delivery.attempts})
        return self._attempt(user_id, delivery_id)

    def poll(self, user_id: int) -> list[DeliveryReport]:
        """Ask each channel where every sent delivery the user can see stands."""
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.DELIVER_REFERRALS)
            ids = list(session.scalars(
                select(ReferralDelivery.id).join(Referral,
                                                 Referral.id == ReferralDelivery.referral_id)
                .where(ReferralDelivery.state == SENT,
                       scope_condition(Referral.practice_id, session.info[SCOPE_KEY]))
                .order_by(ReferralDelivery.id)))
        return [self.poll_one(user_id, delivery_id) for delivery_id in ids]

    def poll_one(self, user_id: int, delivery_id: int) -> DeliveryReport:
        """One sent delivery's acknowledgements: ``acknowledged`` when every file is,
        ``failed`` when the channel gave up on any; a poll that cannot be answered
        changes nothing but the time it was tried."""
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.DELIVER_REFERRALS)
            delivery = self._load(session, delivery_id)
            if delivery.state != SENT:
                row = _row(session, delivery)
                return DeliveryReport(row, row.summary())
            channel, problem = self._channel(session, delivery)
            message_ids = [file.message_id for file in delivery.files]
        states: list[DeliveryState] = []
        if channel is not None:
            try:
                states = [channel.poll_acknowledgement(mid) for mid in message_ids if mid]
            except DeliveryError as error:
                problem = str(error)
            except Exception as error:  # a channel's bug: the delivery stays as it was
                log.warning("delivery poll: channel %s raised %s", delivery.channel,
                            type(error).__name__)
                problem = f"the '{delivery.channel}' channel failed ({type(error).__name__})"
        with self.db.transaction() as session:
            delivery = self._load(session, delivery_id)
            referral = session.get(Referral, delivery.referral_id)
            now = self.clock()
            delivery.last_polled_at = now
            if problem is None and states and delivery.state == SENT:
                self._record_poll(session, user_id, delivery, referral, states, now)
            session.flush()
            row = _row(session, delivery)
        message = row.summary() if problem is None else f"Not checked: {problem}"
        return DeliveryReport(row, message)

    # -- reading -----------------------------------------------------------------------

    def for_referral(self, user_id: int, referral_id: int) -> list[DeliveryRow]:
        """A referral's deliveries, oldest first, for its timeline."""
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.VIEW_REFERRALS)
            get_or_raise(session, Referral, referral_id, "Referral")
            return [_row(session, d) for d in session.scalars(
                select(ReferralDelivery).where(ReferralDelivery.referral_id == referral_id)
                .options(selectinload(ReferralDelivery.files)).order_by(ReferralDelivery.id))]

    def pending_or_failed(self, user_id: int) -> list[DeliveryRow]:
        """Every delivery not yet made or given up on, in the user's practices: to chase."""
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.VIEW_REFERRALS)
            return [_row(session, d) for d in session.scalars(
                select(ReferralDelivery).join(Referral,
                                              Referral.id == ReferralDelivery.referral_id)
                .where(ReferralDelivery.state.in_((PENDING, FAILED)),
                       scope_condition(Referral.practice_id, session.info[SCOPE_KEY]))
                .options(selectinload(ReferralDelivery.files)).order_by(ReferralDelivery.id))]

    # -- the parts ---------------------------------------------------------------------

    def _files(self, user_id: int, referral_id: int) -> list[DeliveryFile]:
        """The bundle and the letter, made now and kept: a retry sends these bytes."""
        from practice_rx.services.fhir_exchange import bundle_bytes

        bundle = self.fhir().bundles(user_id, [referral_id])[referral_id]
        letter = self.letters().generate(user_id, referral_id, LetterKind.REFERRAL)
        return [DeliveryFile(BUNDLE_FILENAME, bundle_bytes(bundle), "application/fhir+json"),
                DeliveryFile(LETTER_FILENAME, letter.pdf, "application/pdf")]

    @staticmethod
    def _refuse_second(session: Session, referral_id: int) -> None:
        earlier = session.scalar(select(ReferralDelivery).where(
            ReferralDelivery.referral_id == referral_id,
            ReferralDelivery.state != FAILED).order_by(ReferralDelivery.id).limit(1))
        if earlier is not None:
            raise ValidationError.single(
                "delivery", f"Delivery: referral {referral_id} has a delivery already "
                f"({earlier.local_id}, {earlier.state}); send that one again rather than "
                "delivering the referral twice")

    def _record_pending(self, session: Session, user_id: int, referral: Referral, method: str,
                        address: str, files: Sequence[DeliveryFile]) -> ReferralDelivery:
        now = self.clock()
        delivery = ReferralDelivery(
            referral_id=referral.id, channel=method, to_address=address,
            local_id=f"PRX-{referral.id}-new-{now.timestamp():.6f}", state=PENDING, attempts=1,
            created_at=now, created_by_id=user_id)
        session.add(delivery)
        session.flush()
        delivery.local_id = f"PRX-{referral.id}-{delivery.id}"
        session.add_all(ReferralDeliveryFile(
            delivery_id=delivery.id, position=number, filename=file.filename,
            content_type=file.content_type, size=len(file.content),
            sha256=hashlib.sha256(file.content).hexdigest(), content=file.content,
            state=PENDING) for number, file in enumerate(files, start=1))
        session.flush()
        self._audit(session, user_id, delivery, referral, "referral_delivery_pending", {}, {
            "state": PENDING, "channel": method, "to_address": address,
            "local_id": delivery.local_id,
            "files": [{"filename": f.filename, "size": len(f.content),
                       "sha256": hashlib.sha256(f.content).hexdigest()} for f in files]})
        return delivery

    def _attempt(self, user_id: int, delivery_id: int) -> DeliveryReport:
        """Send the recorded files (outside any transaction), then record what happened."""
        with self.db.reading() as session:
            delivery = self._load(session, delivery_id)
            channel, problem = self._channel(session, delivery)
            files = [DeliveryFile(f.filename, f.content, f.content_type) for f in delivery.files]
            to_address, local_id = delivery.to_address, delivery.local_id
        result: DeliveryResult | None = None
        error: PracticeRxError | None = None
        if channel is None:
            error = DeliveryError(problem or "no channel", mailbox=to_address)
        else:
            try:
                result = channel.send(to_address, files, local_id)
            except PracticeRxError as failure:  # DeliveryError, or a malformed send refused
                error = failure
            except Exception as failure:  # a channel's bug: failed, and the referral unchanged
                log.warning("delivery %s: channel %s raised %s", local_id, channel.name,
                            type(failure).__name__)
                error = DeliveryError(
                    f"The '{channel.name}' delivery channel failed unexpectedly "
                    f"({type(failure).__name__}); whether anything was delivered is not known. "
                    "Send again once it is fixed.", mailbox=to_address)
        return self._record_outcome(user_id, delivery_id, result, error)

    def _record_outcome(self, user_id: int, delivery_id: int, result: DeliveryResult | None,
                        error: PracticeRxError | None) -> DeliveryReport:
        with self.db.transaction() as session:
            delivery = self._load(session, delivery_id)
            referral = session.get(Referral, delivery.referral_id)
            now = self.clock()
            before = {"state": delivery.state, "error": delivery.error}
            sent_ids = result.message_ids if result is not None else getattr(
                error, "sent_message_ids", ())
            for file, message_id in zip(delivery.files, sent_ids, strict=False):
                file.message_id, file.state = message_id, SENT
            if result is not None:
                delivery.state, delivery.error, delivery.sent_at = SENT, None, now
                delivery.failed_at = None
                action = "referral_delivery_sent"
            elif isinstance(error, ServerUnavailable):
                delivery.state, delivery.error = PENDING, str(error)
                action = "referral_delivery_pending"
            else:
                delivery.state, delivery.error, delivery.failed_at = FAILED, str(error), now
                action = "referral_delivery_failed"
            session.flush()
            self._audit(session, user_id, delivery, referral, action, before, {
                "state": delivery.state, "error": delivery.error, "attempts": delivery.attempts,
                "message_ids": [f.message_id for f in delivery.files]})
            row = _row(session, delivery)
        return DeliveryReport(row, row.summary())

    def _record_poll(self, session: Session, user_id: int, delivery: ReferralDelivery,
                     referral: Referral | None, states: list[DeliveryState],
                     now: datetime) -> None:
        before = {"state": delivery.state}
        for file, state in zip(delivery.files, states, strict=False):
            file.state = state.value
        if DeliveryState.FAILED in states:
            delivery.state, delivery.failed_at = FAILED, now
            delivery.error = (f"{CHANNEL_LABELS.get(delivery.channel, delivery.channel)} "
                              f"could not deliver {delivery.local_id} to {delivery.to_address} "
                              "(not collected, or refused by the receiving system); check "
                              "with the service, then deliver again")
        elif all(state is DeliveryState.ACKNOWLEDGED for state in states):
            delivery.state, delivery.acknowledged_at = ACKNOWLEDGED, now
        else:
            return
        session.flush()
        self._audit(session, user_id, delivery, referral, f"referral_delivery_{delivery.state}",
                    before, {"state": delivery.state, "error": delivery.error})

    def _channel(self, session: Session, delivery: ReferralDelivery
                 ) -> tuple[DeliveryChannel | None, str | None]:
        """The channel to use for this delivery (bound to the practice's address and the
        service's workflow), or None and why not."""
        channel = self.channels.get(delivery.channel)
        if channel is None:
            return None, (f"No delivery channel '{delivery.channel}' is installed (its plugin "
                          f"may be switched off), so {delivery.local_id} cannot go to "
                          f"{delivery.to_address}; switch it on, then send again.")
        bind = getattr(channel, "bind", None)
        if not callable(bind):
            return channel, None
        referral = session.get(Referral, delivery.referral_id)
        practice = practice_of(session, referral.practice_id if referral else None)
        service = session.get(Service, referral.service_id) if referral and \
            referral.service_id else None
        try:
            return bind(practice.mesh_mailbox_id if practice else None,
                        service.delivery_workflow_id if service else None), None
        except DeliveryError as error:
            return None, str(error)

    @staticmethod
    def _load(session: Session, delivery_id: int) -> ReferralDelivery:
        delivery = session.scalar(select(ReferralDelivery).where(
            ReferralDelivery.id == delivery_id).options(selectinload(ReferralDelivery.files)))
        if delivery is None:
            raise NotFoundError(f"Delivery {delivery_id} does not exist")
        get_or_raise(session, Referral, delivery.referral_id, "Referral")
        return delivery

    def _audit(self, session: Session, user_id: int, delivery: ReferralDelivery,
               referral: Referral | None, action: str, before: dict, after: dict) -> None:
        self.audit.record(session, at=self.clock(), user_id=user_id, action=action,
                          entity="referral_delivery", entity_id=delivery.id,
                          patient_id=referral.patient_id if referral else None,
                          before=before, after={"referral_id": delivery.referral_id, **after})


def _address(service: Service) -> str:
    """The service's delivery address, checked for its method."""
    address = (service.delivery_address or "").strip()
    if service.delivery_method == "mesh":
        address = address.upper()
        if not MESH_MAILBOX_ID.fullmatch(address):
            raise ValidationError.single(
                "delivery_address", f"Delivery address: the service '{service.name}' takes "
                "referrals over MESH but has no valid MESH mailbox id (1 to 20 letters and "
                f"digits), so nothing was delivered; set it in the catalogue, then deliver")
    elif not address:
        raise ValidationError.single(
            "delivery_address", f"Delivery address: the service '{service.name}' takes "
            f"referrals by {service.delivery_method} but has no address; set it in the "
            "catalogue, then deliver")
    return address


def _row(session: Session, delivery: ReferralDelivery) -> DeliveryRow:
    user = session.get(User, delivery.created_by_id)
    return DeliveryRow(
        id=delivery.id, referral_id=delivery.referral_id, channel=delivery.channel,
        to_address=delivery.to_address, local_id=delivery.local_id, state=delivery.state,
        attempts=delivery.attempts, error=delivery.error, created_at=delivery.created_at,
        sent_at=delivery.sent_at, acknowledged_at=delivery.acknowledged_at,
        failed_at=delivery.failed_at, last_polled_at=delivery.last_polled_at,
        version=delivery.version, created_by=user.display_name if user else "",
        files=tuple(DeliveryFileRow(f.position, f.filename, f.content_type, f.size, f.sha256,
                                    f.message_id, f.state) for f in delivery.files))
