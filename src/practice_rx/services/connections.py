"""Connections: the plan's onward referrals to community services, each followed to its end.

A connection has a status of its own (suggested, referred, attending…) that moves
only as :data:`CONNECTION_MOVES` allows; every move is a
:class:`PlanConnectionEvent` (append-only) and an audit row, and a connection
changed on another desk since it was shown is refused, not overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from practice_rx.domain.casework import CONNECTION_MOVES, ConnectionStatus
from practice_rx.domain.permissions import Action
from practice_rx.domain.text import text_problem
from practice_rx.errors import ValidationError
from practice_rx.services.base import ServiceBase, get_or_raise, load_for_change
from practice_rx.services.care_plans import check_open_case, load_open_case, touch
from practice_rx.storage.caseload_models import PlanConnection, PlanConnectionEvent
from practice_rx.storage.models import Referral, Service

#: A connection starts as talked about, or as already referred (the person went themself).
STARTING_STATUSES = (ConnectionStatus.SUGGESTED, ConnectionStatus.REFERRED)


@dataclass(frozen=True)
class ConnectionRow:
    """One connection as lists show it; ``moves`` are the statuses it may go to next."""

    id: int
    version: int
    service_id: int
    service_name: str
    status: str
    status_label: str
    status_changed_at: datetime
    moves: tuple[ConnectionStatus, ...]

    @property
    def connected(self) -> bool:
        return ConnectionStatus(self.status).connected


def connection_rows(session: Session, referral_id: int) -> list[ConnectionRow]:
    """A case's connections, oldest first, with each service's name."""
    rows = session.execute(
        select(PlanConnection, Service.name)
        .join(Service, Service.id == PlanConnection.service_id)
        .where(PlanConnection.referral_id == referral_id)
        .order_by(PlanConnection.created_at, PlanConnection.id)).all()
    return [_row(connection, name) for connection, name in rows]


def _row(connection: PlanConnection, service_name: str) -> ConnectionRow:
    status = ConnectionStatus(connection.status)
    return ConnectionRow(
        id=connection.id, version=connection.version, service_id=connection.service_id,
        service_name=service_name, status=status.value, status_label=status.label,
        status_changed_at=connection.status_changed_at,
        moves=tuple(move for move in ConnectionStatus if move in CONNECTION_MOVES[status]))


def _note(note: str) -> str:
    if problem := text_problem(note):
        raise ValidationError.single("note", f"Note: {problem}")
    return note.strip()


class ConnectionService(ServiceBase):
    def connect(self, user_id: int, referral_id: int, expected_version: int, service_id: int,
                status: ConnectionStatus | str = ConnectionStatus.SUGGESTED,
                note: str = "") -> ConnectionRow:
        """Connect the person to an active catalogue service, starting suggested or referred.

        A service the person is already connected to, and not finished with, is
        refused: follow that connection instead of starting a second.
        """
        note = _note(note)
        if status not in {s.value for s in STARTING_STATUSES}:
            raise ValidationError.single(
                "status", "Status: a connection starts as suggested or referred")
        now = self.clock()
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.RECORD_CASEWORK)
            referral = load_open_case(session, referral_id, expected_version)
            service = session.get(Service, service_id)
            if service is None or not service.active:
                raise ValidationError.single(
                    "service_id", "Service: choose a service that is in the catalogue")
            for existing in connection_rows(session, referral.id):
                if existing.service_id == service.id and existing.moves:
                    raise ValidationError.single(
                        "service_id", f"Service: already connected ({existing.status_label}); "
                        "move that connection's status instead")
            connection = PlanConnection(
                referral_id=referral.id, service_id=service.id, created_at=now,
                created_by_id=user_id, status=ConnectionStatus(status).value,
                status_changed_at=now)
            session.add(connection)
            session.flush()
            session.add(PlanConnectionEvent(connection_id=connection.id, from_status=None,
                                            to_status=connection.status, at=now,
                                            user_id=user_id, note=note))
            touch(referral, now)
            self._audit(session, user_id, referral, "plan_connection_added",
                        {}, {"connection_id": connection.id, "service_id": service.id,
                             "status": connection.status, "note": note})
            return _row(connection, service.name)

    def move(self, user_id: int, connection_id: int, expected_version: int,
             target: ConnectionStatus | str, note: str = "") -> ConnectionRow:
        """Move a connection's status if :data:`CONNECTION_MOVES` allows it."""
        note = _note(note)
        now = self.clock()
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.RECORD_CASEWORK)
            connection = load_for_change(session, PlanConnection, connection_id,
                                         expected_version, "Connection")
            referral = get_or_raise(session, Referral, connection.referral_id, "Referral")
            check_open_case(referral)
            current = ConnectionStatus(connection.status)
            allowed = CONNECTION_MOVES[current]
            if target not in {s.value for s in allowed}:
                choices = ", ".join(s.label.lower() for s in ConnectionStatus if s in allowed)
                detail = (f"from {current.label.lower()} it may move to: {choices}" if choices
                          else f"{current.label.lower()} is final; connect again for a new start")
                raise ValidationError.single("status", f"Status: {detail}")
            connection.status = ConnectionStatus(target).value
            connection.status_changed_at = now
            session.add(PlanConnectionEvent(connection_id=connection.id,
                                            from_status=current.value,
                                            to_status=connection.status, at=now,
                                            user_id=user_id, note=note))
            session.flush()
            self._audit(session, user_id, referral, "plan_connection_moved",
                        {"status": current.value},
                        {"connection_id": connection.id, "status": connection.status,
                         "note": note})
            return _row(connection, session.get(Service, connection.service_id).name)

    def list(self, user_id: int, referral_id: int) -> list[ConnectionRow]:
        """A case's connections, for the plan's summary and the link worker's panel."""
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.VIEW_CASE_SUMMARY)
            referral = get_or_raise(session, Referral, referral_id, "Referral")
            rows = connection_rows(session, referral.id)
            self._audit(session, user_id, referral, "plan_connections_view", {}, {})
            return rows

    def _audit(self, session: Session, user_id: int, referral: Referral, action: str,
               before: dict, after: dict) -> None:
        self.audit.record(session, at=self.clock(), user_id=user_id, action=action,
                          entity="referral", entity_id=referral.id,
                          patient_id=referral.patient_id, before=before, after=after)
