"""Which referrals a report counts: those sent in the period, at the practices chosen.

Every figure narrows the referral table with :func:`referrals_in_scope` (or, for the
figures about today, :func:`at_practices`), so the period and the practices are
applied alike everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, true

from practice_rx.storage.models import Referral


@dataclass(frozen=True)
class ReportPeriod:
    """From ``from_date`` to ``to_date``, both days included, at ``practice_ids``
    (None: every practice; the service narrows it to the user's)."""

    from_date: date
    to_date: date
    practice_ids: frozenset[int] | None = None

    def __post_init__(self) -> None:
        if self.to_date < self.from_date:
            raise ValueError(f"the period ends ({self.to_date}) before it starts "
                             f"({self.from_date})")

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.from_date, time.min)

    @property
    def ends_before(self) -> datetime:
        """Midnight after the last day: timestamps are compared ``< ends_before``."""
        return datetime.combine(self.to_date + timedelta(days=1), time.min)


def at_practices(period: ReportPeriod) -> ColumnElement[bool]:
    """Raised at one of the period's practices."""
    if period.practice_ids is None:
        return true()
    return Referral.practice_id.in_(sorted(period.practice_ids))


def referrals_in_scope(period: ReportPeriod) -> ColumnElement[bool]:
    """Sent in the period (a draft never sent is not a referral yet) at its practices."""
    return ((Referral.sent_at >= period.starts_at) & (Referral.sent_at < period.ends_before)
            & at_practices(period))
