"""Which referrals a report counts: those sent in the period.

Every figure narrows the referral table with :func:`referrals_in_scope`, so a later
``practices`` filter is one more field here and one more condition there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement

from practice_rx.storage.models import Referral


@dataclass(frozen=True)
class ReportPeriod:
    """From ``from_date`` to ``to_date``, both days included."""

    from_date: date
    to_date: date

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


def referrals_in_scope(period: ReportPeriod) -> ColumnElement[bool]:
    """Sent in the period (a draft never sent is not a referral yet)."""
    return (Referral.sent_at >= period.starts_at) & (Referral.sent_at < period.ends_before)
