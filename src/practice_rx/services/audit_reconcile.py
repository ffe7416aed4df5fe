"""Reconciliation: the records must say what the audit trail last recorded.

The chain proves the trail itself is whole; this proves the tables agree with
it. ``verify`` feeds every audit row, oldest first, to :class:`Reconciler`,
which replays what each service wrote (the ``after`` values) into the state
each patient, referral, status event and chase should be in now, then compares
that with the rows. A difference names the entity and its id, and the field,
never a value (values are patient data).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from practice_rx.storage.models import (
    AuditEvent,
    Patient,
    Referral,
    ReferralChase,
    ReferralEvent,
    ReferralNote,
)

#: a referral event's own time is read from the clock just before its audit row's
#: (the service reads the clock twice, and may wait for the write lock in between)
EVENT_TIME_TOLERANCE = timedelta(minutes=1)
#: audit actions recording a bulk load of synthetic data: ``after`` holds
#: ``patient_ids`` and ``referral_ids`` as [first, last]; those rows are not replayed
BULK_ACTIONS = ("demo_data_added",)
#: columns copied from the answers when a draft is saved, checked against the answers
_DERIVED = {
    "reasons": lambda a: list(a.get("reasons", [])),
    "urgency": lambda a: str(a.get("urgency", "routine")),
    "consent_given": lambda a: a.get("consent_given") is True,
    "consent_to_share": lambda a: a.get("consent_to_share") is True,
}


@dataclass
class _Event:
    from_status: str | None
    to_status: str
    user_id: int | None
    note: str
    audit_at: datetime
    occurred_at: str | None  # ISO, only when the change was dated earlier than recorded
    audit_id: int


@dataclass
class _Referral:
    patient_id: int | None
    referrer_id: int | None
    fields: dict[str, Any] = field(default_factory=dict)
    events: list[_Event] = field(default_factory=list)
    chases: list[tuple[datetime, int | None, Any, Any]] = field(default_factory=list)
    #: note id -> (text, author, note it corrects), from rows that name the note
    notes: dict[int, tuple[str, int | None, Any]] = field(default_factory=dict)


def _columns(model: type) -> frozenset[str]:
    return frozenset(model.__table__.columns.keys())


def _safe(value: Any) -> Any:
    from practice_rx.services.audit import _json_safe

    return _json_safe(value)


class Reconciler:
    """Replays the trail; :meth:`problems` compares the result with the tables."""

    def __init__(self) -> None:
        self.patients: dict[int, dict[str, Any]] = {}
        self.referrals: dict[int, _Referral] = {}
        self.bulk: list[tuple[str, int, int]] = []  # (entity, first id, last id) loaded in bulk

    def feed(self, row: AuditEvent) -> None:
        action, after, entity_id = row.action, row.after or {}, row.entity_id
        if action in BULK_ACTIONS:
            # synthetic rows loaded in bulk, audited as one row naming their id ranges
            for entity in ("patient", "referral"):
                ids = after.get(f"{entity}_ids")
                if isinstance(ids, list) and len(ids) == 2:
                    self.bulk.append((entity, int(ids[0]), int(ids[1])))
        elif action in ("patient_create", "patient_update") and entity_id is not None:
            self.patients.setdefault(entity_id, {}).update(after)
        elif row.entity == "referral" and entity_id is not None:
            self._feed_referral(row, entity_id, after)

    def _feed_referral(self, row: AuditEvent, referral_id: int, after: dict[str, Any]) -> None:
        if row.action == "referral_create":
            state = self.referrals[referral_id] = _Referral(row.patient_id, row.user_id)
            state.fields.update({"response_due_on": None, **after})
            state.events.append(_Event(None, "draft", row.user_id, "Draft started", row.at,
                                       None, row.id))
            return
        state = self.referrals.get(referral_id)
        if state is None:
            return  # a referral from before the trail began: reported as not in the trail
        if row.action == "referral_update":
            state.fields.update(after)
        elif row.action == "referral_status":
            state.fields["status"] = after.get("status", state.fields.get("status"))
            if "response_due_on" in after:
                state.fields["response_due_on"] = after["response_due_on"]
            state.events.append(_Event((row.before or {}).get("status"), after.get("status"),
                                       row.user_id, after.get("note", ""), row.at,
                                       after.get("occurred_at"), row.id))
        elif row.action == "referral_note" and "note_id" in after:
            state.notes[int(after["note_id"])] = (after.get("note"), row.user_id,
                                                  after.get("corrects"))
        elif row.action == "referral_note" and isinstance(state.fields.get("notes"), str):
            # before notes were rows (schema 0005) a note was appended to one text
            state.fields["notes"] = f"{state.fields['notes']}\n{after.get('note', '')}".strip()
        elif row.action == "referral_chase":
            state.chases.append((row.at, row.user_id, after.get("method"), after.get("letter_id")))

    def _bulk(self, entity: str, record_id: int) -> bool:
        return any(e == entity and first <= record_id <= last for e, first, last in self.bulk)

    def problems(self, session: Session) -> Iterator[str]:
        yield from self._patients(session)
        yield from self._referrals(session)

    def _patients(self, session: Session) -> Iterator[str]:
        seen: set[int] = set()
        for patient in session.scalars(select(Patient).order_by(Patient.id)
                                       .execution_options(yield_per=2000)):
            seen.add(patient.id)
            expected = self.patients.get(patient.id)
            if expected is None:
                if not self._bulk("patient", patient.id):
                    yield (f"Patient {patient.id}: not in the audit trail (added to the "
                           "database directly)")
                continue
            for key, value in expected.items():
                if key in _columns(Patient) and _safe(getattr(patient, key)) != value:
                    yield (f"Patient {patient.id}: its {key} is not what the audit trail last "
                           "recorded (changed in the database directly)")
        for patient_id in sorted(set(self.patients) - seen):
            yield f"Patient {patient_id}: in the audit trail but missing from the database"

    def _referrals(self, session: Session) -> Iterator[str]:
        events = _by_referral(session, ReferralEvent)
        chases = _by_referral(session, ReferralChase)
        notes = _by_referral(session, ReferralNote)
        seen: set[int] = set()
        for referral in session.scalars(select(Referral).order_by(Referral.id)
                                        .execution_options(yield_per=2000)):
            seen.add(referral.id)
            expected = self.referrals.get(referral.id)
            if expected is None:
                if not self._bulk("referral", referral.id):
                    yield (f"Referral {referral.id}: not in the audit trail (added to the "
                           "database directly)")
                continue
            yield from _referral_fields(referral, expected)
            yield from _events(referral.id, events.get(referral.id, []), expected.events)
            yield from _chases(referral, chases.get(referral.id, []), expected.chases)
            yield from _notes(referral.id, notes.get(referral.id, []), expected)
        for referral_id in sorted(set(self.referrals) - seen):
            yield f"Referral {referral_id}: in the audit trail but missing from the database"


def _referral_fields(referral: Referral, expected: _Referral) -> Iterator[str]:
    where = f"Referral {referral.id}"
    if expected.patient_id is not None and referral.patient_id != expected.patient_id:
        yield f"{where}: its patient is not the one the audit trail recorded"
    if expected.referrer_id is not None and referral.referrer_id != expected.referrer_id:
        yield f"{where}: its referrer is not the one the audit trail recorded"
    for key, value in expected.fields.items():
        if key in _columns(Referral) and _safe(getattr(referral, key)) != value:
            yield f"{where}: its {key} is not what the audit trail last recorded"
    answers = expected.fields.get("answers")
    if isinstance(answers, dict):
        for key, derive in _DERIVED.items():
            if getattr(referral, key) != derive(answers):
                yield f"{where}: its {key} does not match its recorded answers"


def _event_problem(event: ReferralEvent, wanted: _Event) -> str | None:
    for name in ("from_status", "to_status", "user_id", "note"):
        if getattr(event, name) != getattr(wanted, name):
            return name
    if not (wanted.audit_at - EVENT_TIME_TOLERANCE <= event.at <= wanted.audit_at):
        return "time recorded"
    occurred = wanted.occurred_at
    if (event.occurred_at.isoformat() != occurred) if occurred else event.occurred_at != event.at:
        return "time it happened"
    return None


def _events(referral_id: int, rows: list[ReferralEvent], wanted: list[_Event]) -> Iterator[str]:
    """Walk both lists: a row too few is a deleted event, one too many an added one."""
    where = f"Referral {referral_id}"
    index = 0
    for position, want in enumerate(wanted):
        while True:
            if index < len(rows) and _event_problem(rows[index], want) is None:
                index += 1
                break
            rows_left, wanted_left = len(rows) - index, len(wanted) - position
            if rows_left < wanted_left:
                yield (f"{where}: its change from {want.from_status or 'new'} to "
                       f"{want.to_status} (audit row {want.audit_id}) is missing: the event "
                       "was deleted")
                break
            if rows_left > wanted_left:
                yield f"{where}: event {rows[index].id} is not in the audit trail (added directly)"
                index += 1
                continue
            yield (f"{where}: event {rows[index].id} ({want.from_status or 'new'} to "
                   f"{want.to_status}): its {_event_problem(rows[index], want)} is not what "
                   "the audit trail recorded")
            index += 1
            break
    for extra in rows[index:]:
        yield f"{where}: event {extra.id} is not in the audit trail (added directly)"


def _chases(referral: Referral, rows: list[ReferralChase],
            wanted: list[tuple[datetime, int | None, Any, Any]]) -> Iterator[str]:
    where = f"Referral {referral.id}"
    found = [(c.at, c.user_id, c.method, c.letter_id) for c in rows]
    if found != wanted:
        missing = len(wanted) - len(found)
        yield (f"{where}: {missing} of its chases are missing (deleted)" if missing > 0 and
               all(f in wanted for f in found) else
               f"{where}: its chases are not what the audit trail recorded")
    last = max((at for at, *_ in wanted), default=None)
    if referral.last_chased_at != last:
        yield f"{where}: its last_chased_at is not what the audit trail recorded"


def _notes(referral_id: int, rows: list[Any], expected: _Referral) -> Iterator[str]:
    """Each note row as its audit row recorded it; a note moved from the old single text
    (schema 0005) must be part of that text as the trail last recorded it."""
    where = f"Referral {referral_id}"
    legacy = expected.fields.get("notes")
    found = set()
    for note in rows:
        found.add(note.id)
        wanted = expected.notes.get(note.id)
        if wanted is None:
            if not (isinstance(legacy, str) and note.text and note.text in legacy):
                yield f"{where}: note {note.id} is not in the audit trail (added directly)"
        else:
            got = (note.text, note.author_id, note.corrects_id)
            for name, have, want in zip(("text", "author", "correction"), got, wanted):
                if have != want:
                    yield (f"{where}: note {note.id}: its {name} is not what the audit trail "
                           "recorded")
                    break
    for note_id in sorted(set(expected.notes) - found):
        yield f"{where}: note {note_id} is missing: it was deleted"


def _by_referral(session: Session, model) -> dict[int, list[Any]]:
    """Every row of ``model`` (events, chases, notes), oldest first, grouped by referral."""
    rows: dict[int, list[Any]] = {}
    for row in session.scalars(select(model).order_by(model.id)
                               .execution_options(yield_per=5000)):
        rows.setdefault(row.referral_id, []).append(row)
    return rows
