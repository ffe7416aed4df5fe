"""The tamper-evident audit trail: append-only rows chained by SHA-256.

Each row is written in the same transaction as the change it records. Its hash
covers its content and the previous row's hash, so ``verify`` finds the first
row that was edited, deleted or moved. Writers take a lock first (SQLite's
write lock; a PostgreSQL advisory lock), so the chain never forks when two
workstations save at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from practice_rx.domain.permissions import Action
from practice_rx.services.base import ServiceBase
from practice_rx.storage.models import AuditEvent

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


def row_hash(event: AuditEvent) -> str:
    content = {
        "at": event.at.isoformat(), "user_id": event.user_id, "workstation": event.workstation,
        "action": event.action, "entity": event.entity, "entity_id": event.entity_id,
        "patient_id": event.patient_id, "before": event.before, "after": event.after,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


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

    def record(self, session: Session, *, at: datetime, user_id: int | None, action: str,
               entity: str, entity_id: int | None = None, patient_id: int | None = None,
               before: Mapping[str, Any] | None = None,
               after: Mapping[str, Any] | None = None) -> AuditEvent:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK})
        previous = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
        event = AuditEvent(
            at=at, user_id=user_id, workstation=self.workstation, action=action, entity=entity,
            entity_id=entity_id, patient_id=patient_id, before=_json_safe(dict(before or {})),
            after=_json_safe(dict(after or {})), prev_hash=previous or GENESIS,
        )
        event.hash = row_hash(event)
        session.add(event)
        session.flush()
        return event


def utc_start_of(day: date) -> datetime:
    """Midnight at the start of a local day (this workstation's time zone), in stored UTC."""
    return datetime.combine(day, time.min).astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class AuditFilter:
    user_id: int | None = None
    patient_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


class AuditService(ServiceBase):
    def verify(self) -> str | None:
        """None when the chain is whole; otherwise the first row that was changed or moved."""
        previous = GENESIS
        with self.db.reading() as session:
            for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)
                                         .execution_options(yield_per=1000)):
                if event.prev_hash != previous:
                    return (f"Audit row {event.id}: the row before it was deleted, changed or "
                            "moved (the chain is broken here)")
                if row_hash(event) != event.hash:
                    return f"Audit row {event.id}: its content was changed after it was written"
                previous = event.hash
        return None

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
