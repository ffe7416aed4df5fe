"""One pass over the status events of the referrals sent in the period, for the funnel
and the waits together.

Each referral's events are pivoted once (a common table expression used several
times, so both backends materialise it) into the first time it reached sent, accepted
and contacted and whether it ever reached each funnel status. The statement then
returns the funnel's counts and, per interval, the number of referrals per pair of
days; the events table is read once instead of three times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, Date, case, cast, func, literal, null, select, union_all

from practice_rx.domain.statuses import Status
from practice_rx.reports.period import ReportPeriod, referrals_in_scope
from practice_rx.storage.models import Referral, ReferralEvent

FUNNEL_STATUSES = (Status.SENT, Status.ACCEPTED, Status.CONTACTED, Status.IN_PROGRESS,
                   Status.COMPLETED, Status.REJECTED, Status.DECLINED, Status.NOT_CONTACTABLE,
                   Status.CANCELLED)
TIMED = (Status.SENT, Status.ACCEPTED, Status.CONTACTED)
#: (key, label, from the first of these statuses reached, to this one)
INTERVALS = (
    ("sent_to_accepted", "Sent to accepted", (Status.SENT,), Status.ACCEPTED),
    ("to_first_contact", "Accepted (or sent) to first contact",
     (Status.ACCEPTED, Status.SENT), Status.CONTACTED),
)


@dataclass
class Progress:
    #: referrals that ever reached each status
    reached: dict[str, int] = field(default_factory=dict)
    #: per interval key: (start day, end day, referrals)
    day_pairs: dict[str, list[tuple[date, date, int]]] = field(default_factory=dict)


def referral_progress(connection: Connection, period: ReportPeriod, backend: str) -> Progress:
    """When an event happened is its ``occurred_at`` (not when it was typed in)."""
    event = ReferralEvent
    pivot = select(
        *(func.min(case((event.to_status == status.value, event.occurred_at)))
          .label(f"at_{status.value}") for status in TIMED),
        *(func.max(case((event.to_status == status.value, 1)))
          .label(f"reached_{status.value}") for status in FUNNEL_STATUSES),
    ).join(Referral, Referral.id == event.referral_id).where(
        referrals_in_scope(period),
        event.to_status.in_([status.value for status in FUNNEL_STATUSES]),
    ).group_by(event.referral_id).cte("progress")
    branches = []
    for key, _label, starts, end in INTERVALS:
        columns = [pivot.c[f"at_{status.value}"] for status in starts]
        start_at = func.coalesce(*columns) if len(columns) > 1 else columns[0]
        end_at = pivot.c[f"at_{end.value}"]
        start_day, end_day = _day(start_at, backend), _day(end_at, backend)
        branches.append(select(literal(key).label("part"), start_day.label("start_day"),
                               end_day.label("end_day"), func.count().label("n"))
                        .where(start_at.is_not(None), end_at.is_not(None))
                        .group_by(start_day, end_day))
    for status in FUNNEL_STATUSES:
        branches.append(select(literal(f"reached:{status.value}"), null(), null(),
                               func.count(pivot.c[f"reached_{status.value}"])))
    progress = Progress(day_pairs={key: [] for key, *_ in INTERVALS})
    for part, start_day, end_day, count in connection.execute(union_all(*branches)):
        if part.startswith("reached:"):
            progress.reached[part.removeprefix("reached:")] = count
        else:
            progress.day_pairs[part].append((_as_date(start_day), _as_date(end_day), count))
    return progress


def _day(value, backend: str):
    """A timestamp's calendar day: SQLite's CAST AS DATE would keep only the year."""
    return cast(value, Date) if backend == "postgresql" else func.date(value)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
