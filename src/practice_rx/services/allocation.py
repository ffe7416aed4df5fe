"""Giving an accepted referral to a link worker, and moving it to another.

Each allocation is a row of its own (never changed), so who held a case and
when stays on the record; ``Referral.allocated_to_id`` is the current one,
which the caseload reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from practice_rx.domain.permissions import Action, Role
from practice_rx.domain.statuses import Status
from practice_rx.domain.text import text_problem
from practice_rx.errors import ValidationError
from practice_rx.services.base import ServiceBase, get_or_raise, load_for_change
from practice_rx.storage.caseload_models import ReferralAllocation
from practice_rx.storage.models import Referral, User

#: A referral is allocated once the link worker service has accepted it, and while it is open.
ALLOCATABLE = frozenset({Status.ACCEPTED, Status.CONTACTED, Status.IN_PROGRESS})


@dataclass(frozen=True)
class LinkWorker:
    """A link worker a case may be given to."""

    id: int
    name: str


@dataclass(frozen=True)
class AllocationRow:
    """One allocation of a referral, oldest first in :meth:`AllocationService.history`."""

    id: int
    link_worker_id: int
    link_worker_name: str
    at: datetime
    by_user_id: int
    by_user_name: str
    note: str


class AllocationService(ServiceBase):
    def allocate(self, user_id: int, referral_id: int, expected_version: int,
                 link_worker_id: int, note: str = "") -> Referral:
        """Allocate an accepted, open referral to an active link worker (or reallocate it)."""
        if problem := text_problem(note):
            raise ValidationError.single("note", f"Note: {problem}")
        now = self.clock()
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.ALLOCATE_REFERRALS)
            referral = load_for_change(session, Referral, referral_id, expected_version, "Referral")
            status = Status(referral.status)
            if status not in ALLOCATABLE:
                raise ValidationError.single(
                    "status", f"Allocation: this referral is {status.label.lower()}; only a "
                    "referral the link worker service has accepted, and not yet closed, can be "
                    "allocated")
            worker = session.get(User, link_worker_id)
            if worker is None or not worker.active or worker.role != Role.LINK_WORKER:
                raise ValidationError.single(
                    "link_worker_id", "Link worker: choose an active link worker")
            if referral.allocated_to_id == worker.id:
                raise ValidationError.single(
                    "link_worker_id", f"Link worker: already allocated to {worker.display_name}; "
                    "nothing was changed")
            before = {"allocated_to_id": referral.allocated_to_id}
            row = ReferralAllocation(referral_id=referral.id, link_worker_id=worker.id, at=now,
                                     by_user_id=user_id, note=note.strip())
            session.add(row)
            referral.allocated_to_id = worker.id
            referral.updated_at = now
            session.flush()
            self.audit.record(session, at=now, user_id=user_id, action="referral_allocate",
                              entity="referral", entity_id=referral.id,
                              patient_id=referral.patient_id, before=before,
                              after={"allocated_to_id": worker.id, "allocation_id": row.id,
                                     "note": row.note})
            return referral

    def link_workers(self, user_id: int) -> list[LinkWorker]:
        """The active link workers, by name: whom a case may be given to, or whose caseload
        may be shown."""
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.VIEW_CASELOAD)
            rows = session.execute(
                select(User.id, User.display_name)
                .where(User.role == Role.LINK_WORKER, User.active.is_(True))
                .order_by(User.display_name, User.id)).all()
        return [LinkWorker(id, name) for id, name in rows]

    def history(self, user_id: int, referral_id: int) -> list[AllocationRow]:
        """Every allocation of a referral, oldest first."""
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.VIEW_CASELOAD)
            get_or_raise(session, Referral, referral_id, "Referral")
            worker, by = User.__table__.alias("worker"), User.__table__.alias("by_user")
            rows = session.execute(
                select(ReferralAllocation.id, ReferralAllocation.link_worker_id,
                       worker.c.display_name, ReferralAllocation.at,
                       ReferralAllocation.by_user_id, by.c.display_name, ReferralAllocation.note)
                .join(worker, worker.c.id == ReferralAllocation.link_worker_id)
                .join(by, by.c.id == ReferralAllocation.by_user_id)
                .where(ReferralAllocation.referral_id == referral_id)
                .order_by(ReferralAllocation.at, ReferralAllocation.id)).all()
        return [AllocationRow(*row) for row in rows]
