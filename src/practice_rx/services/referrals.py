"""Raising a referral, sending it, and moving it through its lifecycle.

Every status change writes a :class:`ReferralEvent` in the same transaction,
attributed to a user and a time. Response due dates are set here, so the
worklist can ask the database "what must we chase today" with an index.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from practice_rx.domain.calendar import DEFAULT_RESPONSE_DAYS, add_working_days
from practice_rx.domain.reasons import clean_reasons
from practice_rx.domain.statuses import EVENT_CODES, Status, check_transition
from practice_rx.errors import NotFoundError, TransitionError, ValidationError
from practice_rx.services.base import ServiceBase, get_or_raise, load_for_change
from practice_rx.services.practice import load_practice
from practice_rx.storage.models import Patient, Referral, ReferralEvent, Service, User

URGENCIES = ("routine", "soon")
CONSENT_METHODS = ("in_person", "phone", "video")


@dataclass
class DraftChanges:
    """What may be changed on a draft; ``None`` leaves a value as it is."""

    service_id: int | None = None
    reasons: Iterable[str] | None = None
    reason_other: str | None = None
    urgency: str | None = None
    form_id: str | None = None
    form_version: int | None = None
    answers: Mapping[str, Any] | None = None
    notes: str | None = None


class ReferralService(ServiceBase):
    def create_draft(
        self,
        user_id: int,
        patient_id: int,
        changes: DraftChanges | None = None,
        previous_referral_id: int | None = None,
    ) -> Referral:
        """A new draft for a patient; nothing is sent until :meth:`send`."""
        now = self.clock()
        with self.db.transaction() as session:
            get_or_raise(session, Patient, patient_id, "Patient")
            get_or_raise(session, User, user_id, "User")
            if previous_referral_id is not None:
                get_or_raise(session, Referral, previous_referral_id, "Referral")
            referral = Referral(
                patient_id=patient_id,
                referrer_id=user_id,
                previous_referral_id=previous_referral_id,
                created_at=now,
                updated_at=now,
                status=Status.DRAFT,
                status_changed_at=now,
                reasons=[],
                answers={},
            )
            self._apply(session, referral, changes or DraftChanges())
            session.add(referral)
            session.flush()
            session.add(self._event(referral, None, Status.DRAFT, user_id, now, "Draft started"))
            return referral

    def update_draft(
        self, user_id: int, referral_id: int, expected_version: int, changes: DraftChanges
    ) -> Referral:
        with self.db.transaction() as session:
            referral = load_for_change(session, Referral, referral_id, expected_version, "Referral")
            changed = {f.name for f in fields(changes) if getattr(changes, f.name) is not None}
            if referral.status != Status.DRAFT and changed - {"notes"}:
                raise TransitionError(
                    referral.status, referral.status,
                    "only a draft's service, reasons and answers can be changed; add a note instead",
                )
            self._apply(session, referral, changes)
            referral.updated_at = self.clock()
            return referral

    def record_consent(
        self,
        user_id: int,
        referral_id: int,
        expected_version: int,
        *,
        agrees_to_referral: bool,
        agrees_to_sharing: bool,
        method: str,
        given_at: datetime | None = None,
    ) -> Referral:
        """Record the patient's consent: to the referral, and to sharing their information."""
        if method not in CONSENT_METHODS:
            raise ValidationError.single(
                "consent_method", f"How consent was given: choose one of {', '.join(CONSENT_METHODS)}"
            )
        now = self.clock()
        given_at = given_at or now
        if given_at > now:
            raise ValidationError.single("consent_at", "When consent was given: cannot be in the future")
        with self.db.transaction() as session:
            referral = load_for_change(session, Referral, referral_id, expected_version, "Referral")
            if referral.status != Status.DRAFT:
                raise TransitionError(referral.status, referral.status,
                                      "consent is recorded before the referral is sent")
            referral.consent_given = agrees_to_referral
            referral.consent_to_share = agrees_to_sharing
            referral.consent_method = method
            referral.consent_at = given_at
            referral.consent_recorded_by_id = user_id
            referral.updated_at = now
            return referral

    def send(self, user_id: int, referral_id: int, expected_version: int, note: str = "") -> Referral:
        return self.change_status(user_id, referral_id, expected_version, Status.SENT, note)

    def change_status(
        self, user_id: int, referral_id: int, expected_version: int, target: Status | str,
        note: str = "",
    ) -> Referral:
        """Move a referral to ``target`` if its lifecycle allows it, writing the event."""
        now = self.clock()
        with self.db.transaction() as session:
            get_or_raise(session, User, user_id, "User")
            referral = load_for_change(session, Referral, referral_id, expected_version, "Referral")
            current = Status(referral.status)
            target_status = check_transition(current, target, note)
            if target_status == Status.SENT:
                self._check_ready_to_send(referral)
                referral.sent_at = now
                referral.response_due_on = add_working_days(
                    now.date(), self._response_days(session, referral)
                )
            elif target_status == Status.ACCEPTED:
                practice = load_practice(session)
                days = practice.contact_days if practice else DEFAULT_RESPONSE_DAYS
                referral.response_due_on = add_working_days(now.date(), days)
            else:
                referral.response_due_on = None
            referral.status = target_status
            referral.status_changed_at = now
            referral.updated_at = now
            session.add(self._event(referral, current, target_status, user_id, now, note))
            return referral

    def add_note(self, user_id: int, referral_id: int, expected_version: int, note: str) -> Referral:
        """Append a dated note; notes can be added in any status."""
        if not note.strip():
            raise ValidationError.single("note", "Note: enter the text of the note")
        now = self.clock()
        with self.db.transaction() as session:
            referral = load_for_change(session, Referral, referral_id, expected_version, "Referral")
            user = get_or_raise(session, User, user_id, "User")
            stamp = f"[{now:%d %b %Y %H:%M} {user.display_name}] {note.strip()}"
            referral.notes = f"{referral.notes}\n{stamp}".strip()
            referral.updated_at = now
            return referral

    def get(self, referral_id: int) -> Referral:
        """A referral with its patient, service, referrer and events, ready to show."""
        query = (
            select(Referral)
            .where(Referral.id == referral_id)
            .options(
                selectinload(Referral.patient),
                selectinload(Referral.service),
                selectinload(Referral.referrer),
                selectinload(Referral.events).selectinload(ReferralEvent.user),
            )
        )
        with self.db.reading() as session:
            referral = session.scalar(query)
            if referral is None:
                raise NotFoundError(f"Referral {referral_id} does not exist")
            return referral

    # -- rules -------------------------------------------------------------------------

    def _apply(self, session: Session, referral: Referral, changes: DraftChanges) -> None:
        errors: dict[str, str] = {}
        if changes.service_id is not None:
            service = session.get(Service, changes.service_id)
            if service is None or not service.active:
                errors["service_id"] = "Service: choose a service that is in the catalogue"
            else:
                referral.service_id = service.id
        if changes.reasons is not None:
            try:
                referral.reasons = clean_reasons(changes.reasons)
            except ValidationError as error:
                errors.update(error.errors)
        if changes.reason_other is not None:
            referral.reason_other = changes.reason_other.strip()
        if changes.urgency is not None:
            if changes.urgency not in URGENCIES:
                errors["urgency"] = f"Urgency: choose one of {', '.join(URGENCIES)}"
            else:
                referral.urgency = changes.urgency
        if changes.form_id is not None:
            referral.form_id = changes.form_id
        if changes.form_version is not None:
            referral.form_version = changes.form_version
        if changes.answers is not None:
            referral.answers = dict(changes.answers)
        if changes.notes is not None:
            referral.notes = changes.notes
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _check_ready_to_send(referral: Referral) -> None:
        errors: dict[str, str] = {}
        if not referral.consent_given:
            errors["consent_given"] = (
                "Consent: record that the patient agrees to the referral before sending it"
            )
        if not referral.consent_to_share:
            errors["consent_to_share"] = (
                "Consent to share: record that the patient agrees to their information "
                "being shared with the service before sending it"
            )
        if referral.service_id is None:
            errors["service_id"] = "Service: choose the service to refer to"
        if not referral.reasons:
            errors["reasons"] = "Reasons: choose at least one reason for the referral"
        elif "other" in referral.reasons and not referral.reason_other:
            errors["reason_other"] = "Other reason: describe the reason, as 'other' is chosen"
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _response_days(session: Session, referral: Referral) -> int:
        service = session.get(Service, referral.service_id)
        if service is not None and service.response_days:
            return service.response_days
        practice = load_practice(session)
        return practice.response_days if practice else DEFAULT_RESPONSE_DAYS

    @staticmethod
    def _event(
        referral: Referral, current: Status | None, target: Status, user_id: int,
        at: datetime, note: str,
    ) -> ReferralEvent:
        return ReferralEvent(
            referral_id=referral.id,
            from_status=current,
            to_status=target,
            at=at,
            user_id=user_id,
            note=note.strip(),
            snomed_code=EVENT_CODES.get(target, ""),
        )
