"""The tamper-evident audit trail: append-only rows chained by a keyed hash.

Each row is written in the same transaction as the change it records. Its hash
(HMAC-SHA256 with the practice's audit key, kept outside the database: see
:mod:`audit_key`) covers its content and the previous row's hash, so ``verify``
finds the first row that was edited, deleted or moved, and a chain recomputed
without the key does not verify. Rows from before keying carry a plain SHA-256
and still verify, but only before the first keyed row. After each commit that
appended rows the chain's head goes to an anchor file outside the database
(:mod:`audit_anchor`), so cutting rows off the end is found too; and the tables
are reconciled with what the trail recorded (:mod:`audit_reconcile`).

Writers take a lock first (SQLite's write lock; a PostgreSQL advisory lock), so
the chain never forks when two workstations save at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from practice_rx.domain.permissions import Action
from practice_rx.services.audit_anchor import Anchor, anchor_path, database_identity, \
    read_anchor, write_anchor
from practice_rx.services.audit_key import AuditKey, AuditKeyError, create_key, key_file_path, \
    key_id_of, load_key
from practice_rx.services.base import ServiceBase
from practice_rx.storage.models import AuditEvent

log = logging.getLogger(__name__)

GENESIS = "0" * 64
_AUDIT_LOCK = 727_001  # an arbitrary, fixed advisory-lock key for the audit chain


def _json_safe(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(v) for v in value]
    return value


def canonical(event: AuditEvent) -> bytes:
    """The bytes a row's hash covers: every column but ``id`` and ``hash``."""
    content = {
        "at": event.at.isoformat(), "user_id": event.user_id, "workstation": event.workstation,
        "action": event.action, "entity": event.entity, "entity_id": event.entity_id,
        "patient_id": event.patient_id, "before": event.before, "after": event.after,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def row_hash(event: AuditEvent) -> str:
    """The plain SHA-256 of rows written before the trail was keyed (and of a forger's chain)."""
    return hashlib.sha256(canonical(event)).hexdigest()


def _missing_key(path: Path, key_id: str) -> AuditKeyError:
    return AuditKeyError(
        f"This database's audit trail is sealed with audit key {key_id}, but there is no key "
        f"file at {path}. Copy the practice's audit key file there (or point "
        "PRACTICE_RX_AUDIT_KEY_FILE at it); nothing was saved.")


def _wrong_key(key: AuditKey, key_id: str) -> AuditKeyError:
    return AuditKeyError(
        f"The audit key at {key.path} (key {key.key_id}) is not the key this database's audit "
        f"trail is sealed with (key {key_id}). Use the practice's audit key file; nothing was "
        "saved.")


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """Only what differs, as JSON-safe before and after values."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return ({key: _json_safe(before.get(key)) for key in keys},
            {key: _json_safe(after.get(key)) for key in keys})


def values_of(record: Any, keys: Iterable[str]) -> dict[str, Any]:
    return {key: getattr(record, key) for key in keys}


@dataclass(frozen=True)
class AuditWriter:
    """Appends rows for one workstation; shared by every service."""

    workstation: str
    #: the audit key file; None: PRACTICE_RX_AUDIT_KEY_FILE, the settings file, the config folder
    key_file: Path | None = None
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def key_path(self) -> Path:
        if "path" not in self._cache:
            self._cache["path"] = self.key_file or key_file_path()
        return self._cache["path"]

    def _key(self, previous: str | None) -> AuditKey:
        """The key to seal with, made on first use unless the trail is already keyed."""
        key = self._cache.get("key")
        sealed_with = key_id_of(previous) if previous else None
        if key is None:
            path = self.key_path()
            key = load_key(path)
            if key is None:
                if sealed_with is not None:
                    raise _missing_key(path, sealed_with)
                key = create_key(path)
            self._cache["key"] = key
        if sealed_with is not None and sealed_with != key.key_id:
            raise _wrong_key(key, sealed_with)
        return key

    def record(self, session: Session, *, at: datetime, user_id: int | None, action: str,
               entity: str, entity_id: int | None = None, patient_id: int | None = None,
               before: Mapping[str, Any] | None = None,
               after: Mapping[str, Any] | None = None) -> AuditEvent:
        return self.record_many(session, at=at, user_id=user_id, rows=[AuditRow(
            action, entity, entity_id, patient_id, before, after)])[0]

    def record_many(self, session: Session, *, at: datetime, user_id: int | None,
                    rows: Iterable[AuditRow]) -> list[AuditEvent]:
        """One user's rows appended in order, chained as ``record`` would one by one.

        The lock is taken and the chain's head read once, and the rows are inserted in one
        flush: an export of thousands of files pays for one round trip, not one each.
        """
        rows = list(rows)
        if not rows:
            return []
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK})
        previous = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
        key = self._key(previous)
        events = []
        for row in rows:
            event = AuditEvent(
                at=at, user_id=user_id, workstation=self.workstation, action=row.action,
                entity=row.entity, entity_id=row.entity_id, patient_id=row.patient_id,
                before=_json_safe(dict(row.before or {})),
                after=_json_safe(dict(row.after or {})), prev_hash=previous or GENESIS)
            event.hash = previous = key.seal(canonical(event))
            events.append(event)
        session.add_all(events)
        session.flush()
        session.info["audit_head"] = (self.key_path(), session.get_bind().url, events[-1].id,
                                      events[-1].hash)
        return events


@dataclass(frozen=True)
class AuditRow:
    """What one audit row says, for :meth:`AuditWriter.record_many`."""

    action: str
    entity: str
    entity_id: int | None = None
    patient_id: int | None = None
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None


@sa_event.listens_for(Session, "after_commit")
def _anchor_after_commit(session: Session) -> None:
    """Move the anchor to the newest row this commit appended (a file replace, no fsync)."""
    head = session.info.pop("audit_head", None)
    if head is None:
        return
    key_path, url, last_id, last_hash = head
    try:
        write_anchor(anchor_path(key_path, url), Anchor(last_id, last_hash,
                     written_at=datetime.now(UTC).isoformat(timespec="seconds")),
                     database_identity(url))
    except OSError as error:  # the change is committed; the next commit or verify will tell
        log.warning("Could not update the audit anchor beside %s: %s", key_path,
                    error.__class__.__name__)


@sa_event.listens_for(Session, "after_rollback")
def _forget_head(session: Session) -> None:
    session.info.pop("audit_head", None)


def utc_start_of(day: date) -> datetime:
    """Midnight at the start of a local day (this workstation's time zone), in stored UTC."""
    return datetime.combine(day, time.min).astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class AuditFilter:
    user_id: int | None = None
    patient_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class AuditReport:
    """What ``verify`` found: the problems (empty when the trail is proven) and some counts."""

    problems: list[str] = field(default_factory=list)
    rows: int = 0
    unkeyed_rows: int = 0
    last_id: int | None = None
    last_hash: str | None = None
    anchor: Anchor | None = None
    anchor_path: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_row(event: AuditEvent, previous: str, key: AuditKey | None, key_path: Path,
               keyed_before: bool) -> str | None:
    if event.prev_hash != previous:
        return (f"Audit row {event.id}: the row before it was deleted, changed or "
                "moved (the chain is broken here)")
    sealed_with = key_id_of(event.hash)
    if sealed_with is None:
        if keyed_before:
            return (f"Audit row {event.id}: not sealed with the audit key although the rows "
                    "before it are (the chain was recomputed without the key)")
        if row_hash(event) != event.hash:
            return f"Audit row {event.id}: its content was changed after it was written"
        return None
    if key is None:
        return (f"Audit row {event.id}: sealed with audit key {sealed_with}, but there is no "
                f"audit key file at {key_path}, so the trail cannot be checked")
    if sealed_with != key.key_id:
        return (f"Audit row {event.id}: sealed with audit key {sealed_with}, not with this "
                f"workstation's key {key.key_id} ({key_path})")
    if not key.matches(canonical(event), event.hash):
        return f"Audit row {event.id}: its content was changed after it was written"
    return None


def _check_anchor(report: AuditReport, count_to_anchor: int, anchored: AuditEvent | None
                  ) -> list[str]:
    anchor = report.anchor
    if anchor is None:
        if report.rows > report.unkeyed_rows:
            return [f"No anchor for this database at {report.anchor_path}: the end of the trail "
                    "cannot be checked (run 'practice-rx audit anchor' on the workstation whose "
                    "key folder this is)"]
        return []
    if anchor.last_id < 1:  # read_anchor's -1, or an id no row can have
        return [f"The audit anchor {report.anchor_path} is unreadable: restore it from backup"]
    when = f" ({anchor.written_at})" if anchor.written_at else ""
    if anchored is None:
        ends = f"ends at row {report.last_id}" if report.rows else "has no rows"
        return [f"The audit trail {ends}, but the anchor recorded row {anchor.last_id}{when}: "
                "rows were deleted from its end"]
    if anchored.hash != anchor.last_hash:
        return [f"Audit row {anchor.last_id}: not the row the anchor recorded{when} (the trail "
                "was rewritten)"]
    if anchor.count is not None and anchor.count != count_to_anchor:
        return [f"The audit trail has {count_to_anchor} rows up to row {anchor.last_id}, but the "
                f"anchor recorded {anchor.count}{when}: rows were deleted"]
    return []


class AuditService(ServiceBase):
    def verify(self) -> str | None:
        """None when the trail is proven; otherwise its first problem (a row or an entity)."""
        report = self.check()
        return report.problems[0] if report.problems else None

    def check(self, reconcile: bool = True) -> AuditReport:
        """Walk the chain, check its head against the anchor, then reconcile the tables.

        Read-only: no key, anchor or database file is created.
        """
        from practice_rx.services.audit_reconcile import Reconciler

        key_path = self.audit.key_path()
        key = load_key(key_path)
        report = AuditReport(anchor_path=anchor_path(key_path, self.db.engine.url))
        report.anchor = read_anchor(report.anchor_path)
        anchor_id = report.anchor.last_id if report.anchor else None
        reconciler = Reconciler()
        previous, keyed, broken = GENESIS, False, None
        count_to_anchor, anchored = 0, None
        with self.db.reading() as session:
            for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)
                                         .execution_options(yield_per=1000)):
                report.rows += 1
                report.last_id, report.last_hash = event.id, event.hash
                if anchor_id is not None and event.id <= anchor_id:
                    count_to_anchor += 1
                    if event.id == anchor_id:
                        anchored = event
                if broken is None:
                    broken = _check_row(event, previous, key, key_path, keyed)
                    keyed = keyed or key_id_of(event.hash) is not None
                    reconciler.feed(event)
                if key_id_of(event.hash) is None:
                    report.unkeyed_rows += 1
                previous = event.hash
                session.expunge(event)
            if broken:
                report.problems.append(broken)
            report.problems += _check_anchor(report, count_to_anchor, anchored)
            if reconcile and broken is None:
                report.problems += list(reconciler.problems(session))
        return report

    def anchor(self, accept_current: bool = False) -> Anchor:
        """Write the anchor from the trail as it is now (with its row count).

        Refused while the trail has a problem, unless ``accept_current`` (after a
        restore from backup, say); replacing an anchor is itself audited.
        """
        from practice_rx.errors import ValidationError

        report = self.check(reconcile=False)
        if report.problems and not accept_current:
            raise ValidationError.single("anchor", "Not anchored: " + report.problems[0])
        if report.last_id is None:
            raise ValidationError.single("anchor", "Not anchored: the audit trail has no rows")
        old = report.anchor
        if report.problems:
            with self.db.transaction() as session:
                self.audit.record(session, at=self.clock(), user_id=None, action="audit_anchor",
                                  entity="audit", before={"problem": report.problems[0], **(
                                      {"last_id": old.last_id, "count": old.count} if old
                                      else {})}, after={"last_id": report.last_id})
            fresh = self.check(reconcile=False)
            report.last_id, report.last_hash = fresh.last_id, fresh.last_hash
        with self.db.reading() as session:
            count = session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.id <= report.last_id))
        anchor = Anchor(report.last_id, report.last_hash or "", count,
                        datetime.now(UTC).isoformat(timespec="seconds"))
        write_anchor(report.anchor_path, anchor, database_identity(self.db.engine.url),
                     force=True)
        return anchor

    def list(self, user_id: int, filter: AuditFilter = AuditFilter(),
             limit: int = 500) -> list[AuditEvent]:
        """The newest entries first, for an admin's audit view."""
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.VIEW_AUDIT)
            query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
            if filter.user_id is not None:
                query = query.where(AuditEvent.user_id == filter.user_id)
            if filter.patient_id is not None:
                query = query.where(AuditEvent.patient_id == filter.patient_id)
            if filter.date_from is not None:
                query = query.where(AuditEvent.at >= utc_start_of(filter.date_from))
            if filter.date_to is not None:
                query = query.where(AuditEvent.at < utc_start_of(filter.date_to + timedelta(1)))
            return list(session.scalars(query))
