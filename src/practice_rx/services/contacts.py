"""A link worker's contacts with a person: recorded once, never changed, counted.

The first contact made on an accepted referral moves it to "contacted" in the
same transaction, through the referral service's own status change (its event,
its rules, its plugins told after the commit), so the worklist and the
caseload never disagree about whether the person has been reached. "Not
contactable" is never chosen for the link worker: after the practice's agreed
number of failed attempts in a row the service says it may be offered, and the
link worker chooses it (an ordinary status change).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from practice_rx.domain.contacts import (
    DEFAULT_ATTEMPTS_BEFORE_NOT_CONTACTABLE,
    MAX_CONTACT_MINUTES,
    ContactType,
    failed_attempts_since_last_contact,
)
from practice_rx.domain.identifiers import format_moment
from practice_rx.domain.permissions import Action, allowed
from practice_rx.domain.statuses import Status
from practice_rx.domain.text import text_problem
from practice_rx.errors import ValidationError
from practice_rx.services.allocation import ALLOCATABLE
from practice_rx.services.base import ServiceBase, get_or_raise, load_for_change
from practice_rx.services.practice import practice_of
from practice_rx.services.referrals import ReferralService, check_note_text
from practice_rx.storage.caseload_models import Contact
from practice_rx.storage.models import Referral, ReferralEvent, User


@dataclass(frozen=True)
class ContactDetails:
    """One contact as the link worker records it.

    ``occurred_at`` (UTC) is when it happened; None is now. ``minutes`` and a
    ``note`` are required when the contact was made; an attempt has no length and
    its note is optional. ``next_contact_on`` is required: an open case always has
    its next contact due (hazard: a person forgotten between contacts).
    """

    contact_type: str
    made: bool
    next_contact_on: date | None
    minutes: int | None = None
    note: str = ""
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class AttemptsState:
    """Failed attempts in a row since the last contact made, against the agreed number."""

    failed_attempts: int
    attempts_agreed: int

    @property
    def may_offer_not_contactable(self) -> bool:
        return self.failed_attempts >= self.attempts_agreed


@dataclass(frozen=True)
class ContactRecorded:
    referral: Referral
    contact_id: int
    #: the first contact made moved the referral from accepted to contacted
    moved_to_contacted: bool
    attempts: AttemptsState

    @property
    def may_offer_not_contactable(self) -> bool:
        return self.attempts.may_offer_not_contactable


@dataclass(frozen=True)
class ContactRow:
    """A contact as listed. ``note`` is None for a role that sees dates, not what was said."""

    id: int
    occurred_at: datetime
    recorded_at: datetime
    recorded_by_name: str
    contact_type: str
    made: bool
    minutes: int | None
    next_contact_on: date | None
    note: str | None


class ContactService(ServiceBase):
    def __init__(self, db, clock, audit, referrals: ReferralService) -> None:
        super().__init__(db, clock, audit)
        self.referrals = referrals

    def record(self, user_id: int, referral_id: int, expected_version: int,
               details: ContactDetails) -> ContactRecorded:
        """Record a contact on an allocated, open case; every problem at once, nothing saved."""
        now = self.clock()
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.RECORD_CASEWORK)
            referral = load_for_change(session, Referral, referral_id, expected_version, "Referral")
            self._check_case(referral)
            values = self._clean(session, referral, details, now)
            contact = Contact(referral_id=referral.id, recorded_at=now, recorded_by_id=user_id,
                              **values)
            session.add(contact)
            before = {"next_contact_due_on": referral.next_contact_due_on}
            referral.next_contact_due_on = values["next_contact_on"]
            referral.updated_at = now
            session.flush()
            self.audit.record(
                session, at=now, user_id=user_id, action="contact_record", entity="referral",
                entity_id=referral.id, patient_id=referral.patient_id, before=before,
                after={"contact_id": contact.id, **values,
                       "next_contact_due_on": referral.next_contact_due_on})
            change = None
            if details.made and referral.status == Status.ACCEPTED:
                label = ContactType(values["contact_type"]).label.lower()
                referral, change = self.referrals.move_in(
                    session, user_id, referral.id, referral.version, Status.CONTACTED,
                    f"First contact made ({label})", occurred_at=values["occurred_at"])
            attempts = self._attempts(session, referral.id)
        if change is not None:
            self.referrals.hooks.status_changed(change)
        return ContactRecorded(referral, contact.id, change is not None, attempts)

    def attempts(self, user_id: int, referral_id: int) -> AttemptsState:
        """Whether "not contactable" may be offered on this case now."""
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.VIEW_CASELOAD)
            get_or_raise(session, Referral, referral_id, "Referral")
            return self._attempts(session, referral_id)

    def list(self, user_id: int, referral_id: int) -> list[ContactRow]:
        """A case's contacts, oldest first. VIEW_CASEWORK sees the notes (and reading them is
        audited); VIEW_CASELOAD sees when, how and whether made, with every note None."""
        with self.db.transaction() as session:
            notes = self._can_read_notes(session, user_id)
            if not notes:
                self.authorize(session, user_id, Action.VIEW_CASELOAD)
            referral = get_or_raise(session, Referral, referral_id, "Referral")
            rows = session.execute(
                select(Contact.id, Contact.occurred_at, Contact.recorded_at, User.display_name,
                       Contact.contact_type, Contact.made, Contact.minutes,
                       Contact.next_contact_on, Contact.note)
                .join(User, User.id == Contact.recorded_by_id)
                .where(Contact.referral_id == referral_id)
                .order_by(Contact.occurred_at, Contact.id)).all()
            if notes and rows:
                self.audit.record(session, at=self.clock(), user_id=user_id,
                                  action="contacts_view", entity="referral",
                                  entity_id=referral.id, patient_id=referral.patient_id,
                                  before={}, after={})
        return [ContactRow(*row[:8], note=row[8] if notes else None) for row in rows]

    # -- rules -------------------------------------------------------------------------

    @staticmethod
    def _can_read_notes(session: Session, user_id: int) -> bool:
        user = session.get(User, user_id)
        return user is not None and user.active and allowed(user.role, Action.VIEW_CASEWORK)

    @staticmethod
    def _check_case(referral: Referral) -> None:
        status = Status(referral.status)
        if status not in ALLOCATABLE:
            raise ValidationError.single(
                "status", f"Contact: this referral is {status.label.lower()}; contacts are "
                "recorded on an accepted case that is still open")
        if referral.allocated_to_id is None:
            raise ValidationError.single(
                "allocated_to_id", "Contact: allocate this referral to a link worker first")

    def _clean(self, session: Session, referral: Referral, details: ContactDetails,
               now: datetime) -> dict[str, object]:
        errors: dict[str, str] = {}
        if details.contact_type not in ContactType._value2member_map_:
            errors["contact_type"] = "Type of contact: choose how the contact was made"
        occurred = details.occurred_at or now
        accepted = session.scalar(
            select(func.max(ReferralEvent.occurred_at)).where(
                ReferralEvent.referral_id == referral.id,
                ReferralEvent.to_status == Status.ACCEPTED))
        if occurred > now:
            errors["occurred_at"] = ("When it happened: cannot be in the future; leave it as "
                                     "now or choose an earlier time")
        elif accepted is not None and occurred < accepted:
            errors["occurred_at"] = ("When it happened: cannot be before the referral was "
                                     f"accepted ({format_moment(accepted)}); choose that time "
                                     "or later")
        minutes = details.minutes
        if details.made:
            if not isinstance(minutes, int) or isinstance(minutes, bool) \
                    or not 1 <= minutes <= MAX_CONTACT_MINUTES:
                errors["minutes"] = (f"Length: enter the minutes it took, from 1 to "
                                     f"{MAX_CONTACT_MINUTES}")
        elif minutes is not None:
            errors["minutes"] = "Length: leave empty for an attempt that did not reach the person"
        note = details.note
        if details.made:
            try:
                note = check_note_text(note, "note", "Note")
            except ValidationError as error:
                errors.update(error.errors)
        elif problem := text_problem(note):
            errors["note"] = f"Note: {problem}"
        else:
            note = note.strip()
        today = now.date()
        if details.next_contact_on is None:
            errors["next_contact_on"] = "Next contact: enter the date of the next contact"
        elif not isinstance(details.next_contact_on, date) or details.next_contact_on < today:
            errors["next_contact_on"] = "Next contact: choose today or a later date"
        if errors:
            raise ValidationError(errors)
        return {"occurred_at": occurred, "contact_type": details.contact_type,
                "made": bool(details.made), "minutes": minutes if details.made else None,
                "note": note, "next_contact_on": details.next_contact_on}

    @staticmethod
    def _attempts(session: Session, referral_id: int) -> AttemptsState:
        made = session.scalars(select(Contact.made).where(Contact.referral_id == referral_id)
                               .order_by(Contact.occurred_at, Contact.id)).all()
        practice = practice_of(session, session.get(Referral, referral_id).practice_id)
        agreed = practice.contact_attempts if practice and practice.contact_attempts \
            else DEFAULT_ATTEMPTS_BEFORE_NOT_CONTACTABLE
        return AttemptsState(failed_attempts_since_last_contact(made), agreed)
