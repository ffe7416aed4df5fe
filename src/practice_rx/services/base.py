"""What every service shares: the database, the clock, the audit trail and the permission check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.orm import Session

from practice_rx.domain.permissions import Action, check
from practice_rx.errors import ConflictError, NotFoundError, PermissionDenied
from practice_rx.services.practice_scope import SCOPE_KEY, check_record_in_scope, user_scope
from practice_rx.storage.database import Database
from practice_rx.storage.models import Base, User

if TYPE_CHECKING:
    from practice_rx.services.audit import AuditWriter

Model = TypeVar("Model", bound=Base)


class ServiceBase:
    def __init__(self, db: Database, clock: Callable[[], datetime], audit: AuditWriter) -> None:
        self.db = db
        self.clock = clock
        self.audit = audit

    def today(self) -> date:
        return self.clock().date()

    @staticmethod
    def authorize(session: Session, user_id: int, action: Action) -> User:
        """The acting user, if active and their role allows ``action``; else PermissionDenied."""
        user = session.get(User, user_id)
        check_active_role(user.role if user is not None and user.active else None, action)
        session.info[SCOPE_KEY] = user_scope(session, user_id)
        return user


def check_active_role(role: str | None, action: Action) -> None:
    """``role`` is None for a disabled or unknown account, which may do nothing."""
    if role is None:
        raise PermissionDenied("Not allowed: this account is disabled or does not exist")
    check(role, action)


def get_or_raise(session: Session, model: type[Model], record_id: int, what: str) -> Model:
    record = session.get(model, record_id)
    if record is None:
        raise NotFoundError(f"{what} {record_id} does not exist")
    check_record_in_scope(session, record)
    return record


def load_for_change(
    session: Session, model: type[Model], record_id: int, expected_version: int, what: str
) -> Model:
    """Load a versioned record to change it, refusing when it changed since the user loaded it."""
    record = get_or_raise(session, model, record_id, what)
    current = getattr(record, "version")
    if current != expected_version:
        raise ConflictError(
            f"{what} {record_id} was changed on another workstation since you opened it "
            f"(you had version {expected_version}, it is now version {current}). "
            "Nothing was overwritten: reload it to see the change, then make yours again."
        )
    return record
