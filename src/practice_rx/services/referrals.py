"""Raising a referral, sending it, and moving it through its lifecycle.

Every status change writes a :class:`ReferralEvent` in the same transaction,
attributed to a user and a time. Response due dates are set here, so the
worklist can ask the database "what must we chase today" with an index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from practice_rx.domain.calendar import DEFAULT_RESPONSE_DAYS, add_working_days
from practice_rx.domain.identifiers import format_moment
from practice_rx.domain.permissions import STATUS_ACTIONS, Action
from practice_rx.domain.statuses import EVENT_CODES, Status, check_transition
from practice_rx.domain.text import text_problem
from practice_rx.errors import (
    NotFoundError,
    PermissionDenied,
    TransitionError,
    ValidationError,
)
from practice_rx.forms import clean_answers
from practice_rx.plugin_api import ReferralSnapshot, StatusChange
from practice_rx.services.audit import AuditWriter, changed, values_of
from practice_rx.services.base import ServiceBase, get_or_raise, load_for_change
from practice_rx.services.care_plans import require_agreed_plan
from practice_rx.services.forms import load_form
from practice_rx.services.practice import practice_of
from practice_rx.services.practice_scope import check_record_in_scope
from practice_rx.services.referral_source import (
    SOURCE_FIELDS,
    SourceDetails,
    draft_action,
    source_of,
)
from practice_rx.services.sender_identifier import (
    SenderIdentifier,
    duplicate,
    existing,
    is_duplicate,
    refuse_if_imported,
)
from practice_rx.storage.caseload_models import Contact
from practice_rx.storage.database import Database
from practice_rx.storage.models import (
    Patient,
    Referral,
    ReferralChase,
    ReferralEvent,
    ReferralNote,
    Service,
    User,
)
from practice_rx.storage.server_time import server_utc_now


def check_note_text(note: object, field: str = "note", label: str = "Note") -> str:
    """A note's text, trimmed: not empty, storable, no longer than a long text may be."""
    problem = text_problem(note)
    if problem is None and not note.strip():
        problem = "enter the text of the note"
    if problem:
        raise ValidationError.single(field, f"{label}: {problem}")
    return note.strip()


AUDITED_FIELDS = ("status", "service_id", "form_id", "form_version", "answers", *SOURCE_FIELDS)
#: set once, when an imported referral is created (never changed, so not in AUDITED_FIELDS)
SENDER_FIELDS = ("sender_identifier_system", "sender_identifier_value")


@dataclass
class DraftChanges:
    """What may be changed on a draft; ``None`` leaves a value as it is.

    ``answers`` replace the draft's answers as a whole, checked against its form
    (incomplete is fine until it is sent). Notes are not here: they are only
    ever added, with :meth:`ReferralService.add_note`. ``source`` says where an inbound
    referral came from (see :mod:`practice_rx.services.referral_source`); it decides
    which role may write and send the draft.
    """

    service_id: int | None = None
    answers: Mapping[str, Any] | None = None
    source: SourceDetails | None = None


class ReferralHooks(Protocol):
    """What the service asks of plugins; the plugin host implements it, isolating each one."""

    def validate_referral(self, referral: ReferralSnapshot) -> dict[str, str]: ...

    def status_changed(self, change: StatusChange) -> None: ...


class NoHooks:
    """No plugins: nothing more to check, nobody to tell."""

    def validate_referral(self, referral: ReferralSnapshot) -> dict[str, str]:
        return {}

    def status_changed(self, change: StatusChange) -> None:
        return None


def snapshot(referral: Referral, service: Service | None) -> ReferralSnapshot:
    """The plugin's view of a referral: codes and answers, no patient identifiers."""
    return ReferralSnapshot(
        referral_id=referral.id,
        patient_id=referral.patient_id,
        status=referral.status,
        form_id=referral.form_id,
        form_version=referral.form_version,
        answers=dict(referral.answers),
        reasons=tuple(referral.reasons),
        urgency=referral.urgency,
        service_plugin=service.plugin if service else "",
        service_external_id=service.external_id if service else "",
        service_name=service.name if service else "",
        source=referral.source,
        received_by=referral.received_by,
    )


class ReferralService(ServiceBase):
    def __init__(self, db: Database, clock: Callable[[], datetime], audit: AuditWriter,
                 hooks: ReferralHooks | None = None) -> None:
        super().__init__(db, clock, audit)
        self.hooks = hooks or NoHooks()

    def create_draft(
        self,
        user_id: int,
        patient_id: int,
        form: tuple[str, int],
        changes: DraftChanges | None = None,
        previous_referral_id: int | None = None,
        sender_identifier: SenderIdentifier | None = None,
    ) -> Referral:
        """A new draft for a patient on ``form`` (id, version); nothing is sent until :meth:`send`.

        A practice draft needs WRITE_REFERRALS; an inbound one (``changes.source`` not the
        practice) needs ENTER_INBOUND_REFERRALS. ``sender_identifier`` (an imported
        referral's own identifier) is refused if a referral already has it.
        """
        try:
            return self._create_draft(user_id, patient_id, form, changes or DraftChanges(),
                                      previous_referral_id, sender_identifier)
        except IntegrityError as error:  # a concurrent import saved it first
            if sender_identifier is None or not is_duplicate(error):
                raise
            with self.db.reading() as session:
                found = existing(session, sender_identifier)
            if found is None:
                raise
            raise duplicate(found) from None

    def _create_draft(self, user_id: int, patient_id: int, form: tuple[str, int],
                      changes: DraftChanges, previous_referral_id: int | None,
                      sender_identifier: SenderIdentifier | None) -> Referral:
        now = self.clock()
        source = changes.source.clean()["source"] if changes.source else "practice"
        with self.db.transaction() as session:
            self.authorize(session, user_id, draft_action(source))
            patient = get_or_raise(session, Patient, patient_id, "Patient")
            load_form(session, *form)
            if previous_referral_id is not None:
                get_or_raise(session, Referral, previous_referral_id, "Referral")
            refuse_if_imported(session, sender_identifier)
            referral = Referral(
                patient_id=patient_id,
                practice_id=patient.practice_id,
                referrer_id=user_id,
                previous_referral_id=previous_referral_id,
                created_at=now,
                updated_at=now,
                status=Status.DRAFT,
                status_changed_at=now,
                form_id=form[0],
                form_version=form[1],
                reasons=[],
                answers={},
                sender_identifier_system=sender_identifier and sender_identifier.system,
                sender_identifier_value=sender_identifier and sender_identifier.value,
            )
            self._apply(session, referral, changes, user_id)
            session.add(referral)
            session.flush()
            session.add(self._event(referral, None, Status.DRAFT, user_id, now, "Draft started"))
            _, after = changed({}, values_of(referral, (*AUDITED_FIELDS, *SENDER_FIELDS)))
            self._audit(session, referral, user_id, "referral_create", {}, after)
            return referral

    def update_draft(
        self, user_id: int, referral_id: int, expected_version: int, changes: DraftChanges
    ) -> Referral:
        """Change a draft; the role needed follows its source (and the new source, if given)."""
        given = {f.name for f in fields(changes) if getattr(changes, f.name) is not None}
        new_source = changes.source.clean()["source"] if changes.source else None
        with self.db.transaction() as session:
            self.authorize(session, user_id,
                           draft_action(source_of(session.get(Referral, referral_id))))
            if new_source is not None:
                self.authorize(session, user_id, draft_action(new_source))
            referral = load_for_change(session, Referral, referral_id, expected_version, "Referral")
            if referral.status != Status.DRAFT and given:
                raise TransitionError(
                    referral.status, referral.status,
                    "only a draft's service, reasons and answers can be changed; add a note instead",
                )
            before = values_of(referral, AUDITED_FIELDS)
            self._apply(session, referral, changes, user_id)
            referral.updated_at = self.clock()
            self._audit(session, referral, user_id, "referral_update",
                        *changed(before, values_of(referral, AUDITED_FIELDS)))
            return referral

    def send(self, user_id: int, referral_id: int, expected_version: int, note: str = "",
             on_behalf: bool = False, occurred_at: datetime | None = None) -> Referral:
        """Send a draft; another's draft only with ``on_behalf`` (recorded).

        An inbound referral is sent to the link worker service as it is entered, dated
        when it was received (``occurred_at``, which may be before the draft was started).
        """
        return self.change_status(user_id, referral_id, expected_version, Status.SENT, note,
                                  occurred_at=occurred_at, on_behalf=on_behalf)

    def change_status(
        self, user_id: int, referral_id: int, expected_version: int, target: Status | str,
        note: str = "", occurred_at: datetime | None = None, on_behalf: bool = False,
    ) -> Referral:
        """Move a referral to ``target`` if its lifecycle allows it, writing the event.

        ``occurred_at`` (UTC) is when it happened, if earlier than now: not in the
        future, not before the referral's previous event. Due dates count from it;
        the event keeps both times.
        """
        with self.db.transaction() as session:
            referral, change = self.move_in(session, user_id, referral_id, expected_version,
                                            target, note, occurred_at, on_behalf)
        self.hooks.status_changed(change)
        return referral

    def move_in(
        self, session: Session, user_id: int, referral_id: int, expected_version: int,
        target: Status | str, note: str = "", occurred_at: datetime | None = None,
        on_behalf: bool = False,
    ) -> tuple[Referral, StatusChange]:
        """:meth:`change_status` inside a transaction the caller holds (a contact that moves
        the referral on is saved with its move, or neither is). The caller tells the plugins,
        with ``self.hooks.status_changed(change)``, once the transaction has committed."""
        if note and (problem := text_problem(note)):
            raise ValidationError.single("note", f"Note: {problem}")
        now = self.clock()
        if target in Status._value2member_map_:
            user = self.authorize(session, user_id, self._status_action(
                session, referral_id, Status(target)))
        referral = load_for_change(session, Referral, referral_id, expected_version, "Referral")
        current = Status(referral.status)
        target_status = check_transition(current, target, note)
        if target_status == Status.IN_PROGRESS:
            require_agreed_plan(session, referral)  # allocated cases: the plan is agreed first
        if referral.allocated_to_id is not None:
            self._check_casework_move(session, referral, target_status)
        happened = self._occurred(session, referral, occurred_at, now)
        before = values_of(referral, ("status", "response_due_on"))
        if target_status == Status.SENT:
            note = self._check_sender(session, referral, user, note, on_behalf)
            self._check_ready_to_send(session, referral)
            referral.sent_at = happened
            referral.response_due_on = add_working_days(
                happened.date(), self._response_days(session, referral)
            )
        elif target_status == Status.ACCEPTED:
            practice = practice_of(session, referral.practice_id)
            days = practice.contact_days if practice else DEFAULT_RESPONSE_DAYS
            referral.response_due_on = add_working_days(happened.date(), days)
        else:
            referral.response_due_on = None
        referral.status = target_status
        referral.status_changed_at = happened
        referral.updated_at = now
        event = self._event(referral, current, target_status, user_id, now, note, happened)
        session.add(event)
        after = values_of(referral, ("status", "response_due_on"))
        extra = {"note": event.note}
        if happened != now:
            extra["occurred_at"] = happened
        self._audit(session, referral, user_id, "referral_status",
                    *changed(before, {**after, **extra}))
        change = StatusChange(
            referral=snapshot(referral, session.get(Service, referral.service_id)
                              if referral.service_id else None),
            from_status=current, to_status=target_status, user_id=user_id, at=happened,
            note=event.note, snomed_code=event.snomed_code,
        )
        return referral, change

    @staticmethod
    def _status_action(session: Session, referral_id: int, target: Status) -> Action:
        """Sending an inbound referral is entering it; every other move is the matrix's."""
        if target == Status.SENT:
            return draft_action(source_of(session.get(Referral, referral_id)), sending=True)
        return STATUS_ACTIONS.get(target, Action.WRITE_REFERRALS)

    def add_note(self, user_id: int, referral_id: int, expected_version: int, note: str,
                 corrects: int | None = None) -> Referral:
        """Add a note, in any status, stamped with its author and the database's time.

        Notes are never changed: ``corrects`` names an earlier note of this
        referral that the new one corrects, and both stay on the record.
        """
        text = check_note_text(note)
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.ADD_NOTES)
            referral = load_for_change(session, Referral, referral_id, expected_version, "Referral")
            if corrects is not None:
                corrected = session.get(ReferralNote, corrects)
                if corrected is None or corrected.referral_id != referral.id:
                    raise ValidationError.single(
                        "corrects", "Correction: choose a note of this referral to correct")
            row = ReferralNote(referral_id=referral.id, author_id=user_id, at=server_utc_now(),
                               text=text, corrects_id=corrects)
            session.add(row)
            referral.updated_at = self.clock()
            flag_modified(referral, "updated_at")  # a new version even on a frozen clock, so a
            session.flush()                        # second desk's stale save still conflicts
            after: dict[str, Any] = {"note_id": row.id, "note": text}
            if corrects is not None:
                after["corrects"] = corrects
            self._audit(session, referral, user_id, "referral_note", {}, after)
            return referral

    def get(self, user_id: int, referral_id: int) -> Referral:
        """A referral with its patient, service, referrer and events, ready to show.

        Opening a referral is audited, like opening a patient's record.
        """
        query = (
            select(Referral)
            .where(Referral.id == referral_id)
            .options(
                selectinload(Referral.patient),
                selectinload(Referral.service),
                selectinload(Referral.referrer),
                selectinload(Referral.allocated_to),
                selectinload(Referral.events).selectinload(ReferralEvent.user),
                selectinload(Referral.chases).selectinload(ReferralChase.user),
                selectinload(Referral.notes).selectinload(ReferralNote.author),
            )
        )
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.VIEW_REFERRALS)
            referral = session.scalar(query)
            if referral is None:
                raise NotFoundError(f"Referral {referral_id} does not exist")
            check_record_in_scope(session, referral)
            self._audit(session, referral, user_id, "referral_view", {}, {})
            return referral

    # -- rules -------------------------------------------------------------------------

    def _apply(
        self, session: Session, referral: Referral, changes: DraftChanges, user_id: int
    ) -> None:
        errors: dict[str, str] = {}
        if changes.service_id is not None:
            service = session.get(Service, changes.service_id)
            if service is None or not service.active:
                errors["service_id"] = "Service: choose a service that is in the catalogue"
            else:
                referral.service_id = service.id
        if changes.source is not None:  # already checked by the caller, before any change
            for key, value in changes.source.clean().items():
                setattr(referral, key, value)
        if changes.answers is not None:
            form = load_form(session, referral.form_id, referral.form_version)
            try:
                answers = clean_answers(form, changes.answers, complete=False, today=self.today())
            except ValidationError as error:
                errors.update(error.errors)
            else:
                self._copy_core_answers(referral, answers, user_id)
        if not errors and (changes.answers is not None or changes.source is not None):
            self._referrer_from_source(session, referral)
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _referrer_from_source(session: Session, referral: Referral) -> None:
        """An inbound referral's form names who really referred (the agency's person, or the
        person themself), not whoever typed it in, so its letters reply to them."""
        source = source_of(referral)
        if not source.inbound:
            return
        form = load_form(session, referral.form_id, referral.form_version)
        asked = {field.key: field for field in form.fields()}
        values = {
            "referrer_name": referral.referrer_name or "Self-referral",
            "referrer_role": source.label,
            "referrer_organisation": referral.referrer_organisation or source.label,
        }
        answers = dict(referral.answers or {})
        for key, value in values.items():
            if key in asked:  # within the form's own limit, or the send would be refused
                answers[key] = value[:asked[key].max_length or None]
        referral.answers = answers

    @staticmethod
    def _copy_core_answers(referral: Referral, answers: dict[str, Any], user_id: int) -> None:
        """Keep the answers, and the columns lists filter on, in step."""
        consent_given = answers.get("consent_given") is True
        if consent_given and not referral.consent_given:
            referral.consent_recorded_by_id = user_id
        referral.answers = answers
        referral.reasons = list(answers.get("reasons", []))
        referral.reason_other = str(answers.get("reasons_other", ""))
        referral.urgency = str(answers.get("urgency", "routine"))
        referral.consent_given = consent_given
        referral.consent_to_share = answers.get("consent_to_share") is True
        referral.consent_method = str(answers.get("consent_method", ""))
        consent_date = answers.get("consent_date")
        referral.consent_date = date.fromisoformat(consent_date) if consent_date else None

    def _check_ready_to_send(self, session: Session, referral: Referral) -> None:
        """A complete form (which includes consent) and a service; every problem at once."""
        errors: dict[str, str] = {}
        form = load_form(session, referral.form_id, referral.form_version)
        try:
            clean_answers(form, referral.answers, complete=True, today=self.today())
        except ValidationError as error:
            errors.update(error.errors)
        if referral.service_id is None:
            errors["service_id"] = "Service: choose the service to refer to"
        if not referral.consent_given:
            errors.setdefault("consent_given", "Consent: the patient must agree to the referral")
        if not referral.consent_to_share:
            errors.setdefault(
                "consent_to_share", "Consent: the patient must agree to sharing their information"
            )
        if not errors:
            service = session.get(Service, referral.service_id)
            errors.update(self.hooks.validate_referral(snapshot(referral, service)))
        if errors:
            raise ValidationError(errors)

    def _audit(self, session: Session, referral: Referral, user_id: int, action: str,
               before: dict[str, Any], after: dict[str, Any]) -> None:
        self.audit.record(session, at=self.clock(), user_id=user_id, action=action,
                          entity="referral", entity_id=referral.id,
                          patient_id=referral.patient_id, before=before, after=after)

    @staticmethod
    def _response_days(session: Session, referral: Referral) -> int:
        service = session.get(Service, referral.service_id)
        if service is not None and service.response_days:
            return service.response_days
        practice = practice_of(session, referral.practice_id)
        return practice.response_days if practice else DEFAULT_RESPONSE_DAYS

    @staticmethod
    def _occurred(session: Session, referral: Referral, occurred_at: datetime | None,
                  now: datetime) -> datetime:
        """When the change happened: now, or a time between the previous event and now."""
        if occurred_at is None:
            return now
        if occurred_at > now:
            raise ValidationError.single(
                "occurred_at", "When it happened: cannot be in the future; leave it as now "
                "or choose an earlier time")
        events = select(func.max(ReferralEvent.occurred_at)).where(
            ReferralEvent.referral_id == referral.id)
        if source_of(referral).inbound:
            # an inbound referral's draft is when it was entered, not when it was received
            events = events.where(ReferralEvent.from_status.is_not(None))
        previous = session.scalar(events)
        if previous is not None and occurred_at < previous:
            raise ValidationError.single(
                "occurred_at", "When it happened: cannot be before the referral's previous "
                f"change ({format_moment(previous)}); choose that time or later")
        return occurred_at

    @staticmethod
    def _check_casework_move(session: Session, referral: Referral, target: Status) -> None:
        """A link worker's case records what happened, not only the status: it is contacted
        by a contact recorded with it, and completed by closing it with its outcome."""
        if target == Status.COMPLETED:
            raise ValidationError.single(
                "status", "Completed: a link worker's case is completed by closing it "
                "(Close case…), which records its outcome for the message back to the GP")
        if target == Status.CONTACTED and session.scalar(
                select(func.count()).select_from(Contact).where(
                    Contact.referral_id == referral.id, Contact.made.is_(True))) == 0:
            raise ValidationError.single(
                "status", "Contacted: record the contact with the person (Record contact…), "
                "which moves a link worker's case to contacted")

    @staticmethod
    def _check_sender(session: Session, referral: Referral, user, note: str,
                      on_behalf: bool) -> str:
        """A draft is sent by its author, or on their behalf when the sender says so."""
        if referral.referrer_id == user.id:
            return note
        author = session.get(User, referral.referrer_id)
        if not on_behalf:
            raise PermissionDenied(
                f"Not sent: this draft was written by {author.display_name}; confirm that you "
                "are sending it on their behalf")
        said = f"Sent by {user.display_name} on behalf of {author.display_name}"
        return f"{said}. {note.strip()}" if note.strip() else said

    @staticmethod
    def _event(
        referral: Referral, current: Status | None, target: Status, user_id: int,
        at: datetime, note: str, occurred_at: datetime | None = None,
    ) -> ReferralEvent:
        return ReferralEvent(
            referral_id=referral.id,
            from_status=current,
            to_status=target,
            at=at,
            occurred_at=occurred_at or at,
            user_id=user_id,
            note=note.strip(),
            snomed_code=EVENT_CODES.get(target, ""),
        )
