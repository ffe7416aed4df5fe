"""How quickly people were seen: working days from sent to accepted and to first contact,
and how many referrals are overdue today.

The database counts the referrals per pair of days (:mod:`.progress`); working days and
percentiles are then worked out here, exactly, over those pairs (a few thousand
distinct pairs, not a row per referral).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from sqlalchemy import Connection, func, select

from practice_rx.domain.statuses import Status
from practice_rx.reports.period import ReportPeriod, at_practices
from practice_rx.reports.progress import INTERVALS, Progress
from practice_rx.reports.tables import Column, Table
from practice_rx.reports.working_days import median, nearest_rank, working_days
from practice_rx.storage.models import Referral


def working_day_waits(progress: Progress, bank_holidays: Collection[date] = ()) -> Table:
    """Referrals sent in the period that reached the step."""
    holidays = frozenset(bank_holidays)
    rows = []
    for key, label, _starts, _end in INTERVALS:
        waits = list(_expand(progress.day_pairs[key], holidays))
        rows.append((key, label, len(waits), median(waits), nearest_rank(waits, 90)))
    return Table("working_day_waits", "Working days to acceptance and to first contact",
                 (Column("interval", "Code"), Column("label", "Interval"),
                  Column("referrals", "Referrals", "count"),
                  Column("median", "Median (working days)", "derived"),
                  Column("p90", "90th percentile (working days)", "derived")), tuple(rows),
                 note="90th percentile by nearest rank; weekends and the bank holidays given "
                      "are not working days.")


def overdue_now(connection: Connection, today: date, period: ReportPeriod) -> Table:
    """Awaiting a response past its due date today, as the worklist's chase list counts
    them (whenever they were sent), at the period's practices."""
    counted = dict(connection.execute(
        select(Referral.status, func.count())
        .where(Referral.status.in_([Status.SENT.value, Status.ACCEPTED.value]),
               Referral.response_due_on < today, at_practices(period))
        .group_by(Referral.status)).all())
    rows = ((Status.SENT.value, "Sent, not acknowledged in time", counted.get("sent", 0)),
            (Status.ACCEPTED.value, "Accepted, no contact in time", counted.get("accepted", 0)))
    return Table("overdue_now", f"Overdue on {today.isoformat()}",
                 (Column("status", "Code"), Column("label", "Overdue"),
                  Column("referrals", "Referrals", "count")), rows)


def _expand(pairs: Iterable[tuple[date, date, int]], holidays: frozenset[date]
            ) -> Iterable[int]:
    for start, end, count in pairs:
        yield from (working_days(start, end, holidays),) * count
