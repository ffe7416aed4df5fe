"""Chasing services about overdue referrals: who to chase, and a record of each chase.

The chase list is every overdue referral in the worklist as filtered, the
longest overdue first. Referrals chased within the practice's
``chase_again_days`` working days are listed but not chosen by default, so
one click never chases a referral chased a minute ago. Making the letters
checks each chosen referral again: one answered or chased by someone else
since the list was shown is left out, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from practice_rx.domain.calendar import working_days_between
from practice_rx.domain.letter_kinds import LetterKind
from practice_rx.domain.permissions import Action
from practice_rx.domain.statuses import Status, is_overdue
from practice_rx.services.audit import AuditWriter
from practice_rx.services.base import ServiceBase
from practice_rx.services.practice_scope import SCOPE_KEY, in_scope
from practice_rx.services.worklist import (
    WorklistFilter,
    WorklistQuery,
    WorklistRow,
    WorklistService,
)
from practice_rx.storage.database import Database
from practice_rx.storage.models import Practice, Referral, ReferralChase

if TYPE_CHECKING:
    from practice_rx.letters.service import BatchItem, LetterService

#: at most this many referrals in one chase list (narrow the worklist for more)
CHASE_LIMIT = 500
DEFAULT_CHASE_AGAIN_DAYS = 5


@dataclass(frozen=True)
class ChaseCandidate:
    """One overdue referral, and whether it was chased too recently to chase again now."""

    row: WorklistRow
    recently_chased: bool

    @property
    def chosen_by_default(self) -> bool:
        return not self.recently_chased


@dataclass(frozen=True)
class ChaseList:
    candidates: list[ChaseCandidate]
    #: how many overdue referrals matched (more than listed when over the limit)
    total: int
    #: the first practice's "chase again after" window, for the list's caption; each
    #: candidate is marked by its own practice's window
    chase_again_days: int
    #: when the list was read; making letters skips referrals chased after it
    listed_at: datetime

    @property
    def chosen_by_default(self) -> list[int]:
        return [c.row.id for c in self.candidates if c.chosen_by_default]


def chased_recently(last_chased_at: datetime | None, today: date, days: int) -> bool:
    """Chased within the last ``days`` working days (today counts as 0 days ago)."""
    return last_chased_at is not None and working_days_between(last_chased_at.date(),
                                                               today) < days


def record_chase(session: Session, audit: AuditWriter, referral_id: int, patient_id: int,
                 user_id: int, at: datetime, *, method: str = "letter",
                 letter_id: int | None = None) -> ReferralChase:
    """A chase row, the referral's "last chased" and an audit entry, in the caller's transaction.

    ``last_chased_at`` is set with a plain UPDATE, so chasing does not bump the
    referral's version: a colleague's open status change is not refused for it.
    """
    chase = ReferralChase(referral_id=referral_id, at=at, user_id=user_id, method=method,
                          letter_id=letter_id)
    session.add(chase)
    session.execute(update(Referral).where(Referral.id == referral_id)
                    .values(last_chased_at=at).execution_options(synchronize_session=False))
    session.flush()
    audit.record(session, at=at, user_id=user_id, action="referral_chase", entity="referral",
                 entity_id=referral_id, patient_id=patient_id,
                 after={"method": method, "letter_id": letter_id})
    return chase


class ChaseService(ServiceBase):
    def __init__(self, db: Database, clock: Callable[[], datetime], audit: AuditWriter,
                 worklist: WorklistService, letters: Callable[[], LetterService]) -> None:
        super().__init__(db, clock, audit)
        self.worklist = worklist
        self._letters = letters

    def candidates(self, user_id: int, filter: WorklistFilter = WorklistFilter(),
                   limit: int = CHASE_LIMIT) -> ChaseList:
        """The overdue referrals in ``filter``, longest overdue first, each marked if recent."""
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.PRINT_LETTERS)
            windows = dict(session.execute(select(Practice.id, Practice.chase_again_days)).all())
        first = windows[min(windows)] if windows else DEFAULT_CHASE_AGAIN_DAYS
        listed_at = self.clock()
        page = self.worklist.page(user_id, WorklistQuery(
            replace(filter, overdue_only=True), sort="due", descending=False, page_size=limit))
        today = listed_at.date()
        return ChaseList(
            [ChaseCandidate(row, chased_recently(row.last_chased_at, today,
                                                 windows.get(row.practice_id, first)))
             for row in page.rows],
            page.total, first, listed_at)

    def make_letters(self, user_id: int, referral_ids: Sequence[int], listed_at: datetime,
                     progress: Callable[[int, int], None] | None = None,
                     cancelled: Callable[[], bool] | None = None) -> list[BatchItem]:
        """Chaser letters for the chosen referrals still overdue and not chased since listing.

        Each letter made is recorded as a chase (see :func:`record_chase`); the
        rest come back as items with the reason they were left out.
        """
        from practice_rx.letters.service import BatchItem

        today = self.today()
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.PRINT_LETTERS)
            scope = session.info[SCOPE_KEY]
            rows = {row.id: row for row in session.execute(
                select(Referral.id, Referral.status, Referral.response_due_on,
                       Referral.last_chased_at, Referral.practice_id)
                .where(Referral.id.in_(list(referral_ids))))}
        skipped: dict[int, str] = {}
        for referral_id in referral_ids:
            row = rows.get(referral_id)
            if row is None:
                skipped[referral_id] = f"Referral {referral_id} does not exist"
            elif not in_scope(scope, row.practice_id):
                skipped[referral_id] = ("not allowed: it belongs to a practice your account "
                                        "is not linked to")
            elif not is_overdue(row.status, row.response_due_on, today):
                skipped[referral_id] = (f"no longer overdue (now {Status(row.status).label}); "
                                        "not chased")
            elif row.last_chased_at is not None and row.last_chased_at > listed_at:
                skipped[referral_id] = "chased by someone else since the list was shown"
        to_make = [i for i in referral_ids if i not in skipped]
        made = {item.referral_id: item for item in self._letters().batch(
            user_id, to_make, LetterKind.CHASER, progress=progress, cancelled=cancelled)}
        return [made[i] if i in made else BatchItem(i, error=skipped[i])
                for i in referral_ids if i in made or i in skipped]
