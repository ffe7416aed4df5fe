"""How quickly people were seen: working days from sent to accepted and to first contact,
and how many referrals are overdue today.

The database pivots each referral's events to its first sent, accepted and contacted
times and counts the referrals per pair of days; working days and percentiles are then
worked out here, exactly, over those pairs (a few hundred distinct days, not a row per
referral).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from sqlalchemy import Connection, Date, and_, case, cast, func, select

from practice_rx.domain.statuses import Status
from practice_rx.reports.period import ReportPeriod, referrals_in_scope
from practice_rx.reports.tables import Column, Table
from practice_rx.reports.working_days import median, nearest_rank, working_days
from practice_rx.storage.models import Referral, ReferralEvent

#: (key, label, from the first of these statuses, to this one)
INTERVALS = (
    ("sent_to_accepted", "Sent to accepted", (Status.SENT,), Status.ACCEPTED),
    ("to_first_contact", "Accepted (or sent) to first contact",
     (Status.ACCEPTED, Status.SENT), Status.CONTACTED),
)


def working_day_waits(connection: Connection, period: ReportPeriod, backend: str,
                      bank_holidays: Collection[date] = ()) -> Table:
    """Referrals sent in the period that reached the step; when each happened is the
    event's ``occurred_at`` (when it happened, not when it was typed in)."""
    first = {status: func.min(case((ReferralEvent.to_status == status.value,
                                    ReferralEvent.occurred_at)))
             for status in (Status.SENT, Status.ACCEPTED, Status.CONTACTED)}
    times = (select(*(value.label(status.value) for status, value in first.items()))
             .select_from(ReferralEvent).join(Referral, Referral.id == ReferralEvent.referral_id)
             .where(referrals_in_scope(period),
                    ReferralEvent.to_status.in_([status.value for status in first]))
             .group_by(ReferralEvent.referral_id).subquery())
    rows = []
    for key, label, starts, end in INTERVALS:
        columns = [times.c[status.value] for status in starts]
        start_at = func.coalesce(*columns) if len(columns) > 1 else columns[0]
        start_day, end_day = _day(start_at, backend), _day(times.c[end.value], backend)
        pairs = connection.execute(
            select(start_day, end_day, func.count()).where(
                and_(times.c[end.value].is_not(None), start_at.is_not(None)))
            .group_by(start_day, end_day)).all()
        waits = list(_expand(pairs, bank_holidays))
        rows.append((key, label, len(waits), median(waits), nearest_rank(waits, 90)))
    return Table("working_day_waits", "Working days to acceptance and to first contact",
                 (Column("interval", "Code"), Column("label", "Interval"),
                  Column("referrals", "Referrals", "count"),
                  Column("median", "Median (working days)", "derived"),
                  Column("p90", "90th percentile (working days)", "derived")), tuple(rows),
                 note="90th percentile by nearest rank; weekends and the bank holidays given "
                      "are not working days.")


def overdue_now(connection: Connection, today: date) -> Table:
    """Awaiting a response past its due date today, as the worklist's chase list counts
    them (whenever they were sent)."""
    counted = dict(connection.execute(
        select(Referral.status, func.count())
        .where(Referral.status.in_([Status.SENT.value, Status.ACCEPTED.value]),
               Referral.response_due_on < today)
        .group_by(Referral.status)).all())
    rows = ((Status.SENT.value, "Sent, not acknowledged in time", counted.get("sent", 0)),
            (Status.ACCEPTED.value, "Accepted, no contact in time", counted.get("accepted", 0)))
    return Table("overdue_now", f"Overdue on {today.isoformat()}",
                 (Column("status", "Code"), Column("label", "Overdue"),
                  Column("referrals", "Referrals", "count")), rows)


def _day(value, backend: str):
    """A timestamp's calendar day: SQLite's CAST AS DATE would keep only the year."""
    return cast(value, Date) if backend == "postgresql" else func.date(value)


def _expand(pairs: Iterable[tuple[object, object, int]],
            bank_holidays: Collection[date]) -> Iterable[int]:
    holidays = frozenset(bank_holidays)
    for start, end, count in pairs:
        days = working_days(_as_date(start), _as_date(end), holidays)
        yield from (days,) * count


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
