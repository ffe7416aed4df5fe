"""The whole report: every figure for one period, read in one transaction.

:func:`build_report` takes a :class:`Database`, not a user: the service wrapper that
checks ``VIEW_REPORTS`` and narrows the period's practices to the user's calls it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import date

from practice_rx.domain.calendar import utcnow
from practice_rx.reports import caseloads, funnel, outcomes, referral_counts, waits
from practice_rx.reports.period import ReportPeriod
from practice_rx.reports.progress import referral_progress
from practice_rx.reports.referral_rate import referral_rate
from practice_rx.reports.services_ranking import service_ranking
from practice_rx.reports.tables import Table
from practice_rx.storage.database import Database


@dataclass(frozen=True)
class Report:
    period: ReportPeriod
    today: date
    by_month: Table
    by_source: Table
    by_reason: Table
    by_service: Table
    by_category: Table
    referral_rate: Table
    funnel: Table
    waits: Table
    overdue: Table
    outcomes: Table
    most_referred: Table
    most_rejecting: Table
    caseloads: Table

    def tables(self) -> tuple[Table, ...]:
        """The figures in the order a report prints them."""
        return tuple(getattr(self, field.name) for field in fields(self)
                     if isinstance(getattr(self, field.name), Table))


def build_report(db: Database, period: ReportPeriod, *, today: date | None = None,
                 bank_holidays: Collection[date] | None = None, top_services: int = 10
                 ) -> Report:
    """Every figure for ``period``; ``today`` (default: the UTC date now) dates the
    overdue counts and caseloads, which describe now rather than the period.
    ``bank_holidays`` are not working days in the waits (None: England and Wales's)."""
    today = today or utcnow().date()
    backend = db.backend
    with db.connect() as connection:
        month_source = referral_counts.month_source_counts(connection, period)
        services = referral_counts.service_counts(connection, period)
        progress = referral_progress(connection, period, backend)
        most_referred, most_rejecting = service_ranking(services, top_services)
        return Report(
            period=period, today=today,
            by_month=referral_counts.by_month(month_source, period),
            by_source=referral_counts.by_source(month_source),
            by_reason=referral_counts.by_reason(connection, period, backend),
            by_service=referral_counts.by_service(services),
            by_category=referral_counts.by_category(services),
            referral_rate=referral_rate(connection, period),
            funnel=funnel.status_funnel(progress),
            waits=waits.working_day_waits(progress, bank_holidays),
            overdue=waits.overdue_now(connection, today, period),
            outcomes=outcomes.outcome_change(connection, period, backend),
            most_referred=most_referred, most_rejecting=most_rejecting,
            caseloads=caseloads.caseloads(connection, period),
        )
