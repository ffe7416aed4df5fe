"""Referrals sent in the period by month, source, reason, service and service category."""

from __future__ import annotations

from sqlalchemy import Connection, extract, func, select, true

from practice_rx.domain.categories import SERVICE_CATEGORIES
from practice_rx.domain.reasons import REFERRAL_REASONS
from practice_rx.domain.referral_sources import SOURCE_LABELS, ReferralSource
from practice_rx.reports.json_rows import list_elements
from practice_rx.reports.period import ReportPeriod, referrals_in_scope
from practice_rx.reports.tables import Column, Table
from practice_rx.storage.models import Referral, Service

REFERRALS = Column("referrals", "Referrals", "count")
NO_SERVICE = "(no service)"


def by_month(connection: Connection, period: ReportPeriod) -> Table:
    """Each month of the period, empty months included, by the date the referral was sent."""
    year, month = extract("year", Referral.sent_at), extract("month", Referral.sent_at)
    counted = {(int(y), int(m)): n for y, m, n in connection.execute(
        select(year, month, func.count()).where(referrals_in_scope(period))
        .group_by(year, month))}
    rows = [(f"{y:04d}-{m:02d}", counted.get((y, m), 0)) for y, m in _months(period)]
    return Table("referrals_by_month", "Referrals by month sent",
                 (Column("month", "Month"), REFERRALS), tuple(rows))


def by_source(connection: Connection, period: ReportPeriod) -> Table:
    """Every source, zeros included, so the table's shape does not depend on the data."""
    counted = dict(connection.execute(
        select(Referral.source, func.count()).where(referrals_in_scope(period))
        .group_by(Referral.source)).all())
    rows = [(source.value, SOURCE_LABELS[source], counted.pop(source.value, 0))
            for source in ReferralSource]
    rows += [(code, code, count) for code, count in sorted(counted.items())]  # unknown codes
    return Table("referrals_by_source", "Referrals by source",
                 (Column("source", "Code"), Column("label", "Source"), REFERRALS), tuple(rows))


def by_reason(connection: Connection, period: ReportPeriod, backend: str) -> Table:
    """A referral counts once under each reason it gives, so the rows add up to more than
    the referrals; a referral with no reason is counted under "(none given)"."""
    reason = list_elements(Referral.reasons, backend)
    counted = dict(connection.execute(
        select(reason.c.value, func.count()).select_from(Referral).join(reason, true())
        .where(referrals_in_scope(period)).group_by(reason.c.value)).all())
    without = connection.execute(
        select(func.count()).select_from(Referral).where(
            referrals_in_scope(period),
            ~select(reason.c.value).select_from(reason).exists())).scalar_one()
    rows = [(code, label, counted.pop(code, 0)) for code, label in REFERRAL_REASONS.items()]
    rows += [(code, code, count) for code, count in sorted(counted.items())]
    rows.append(("", "(none given)", without))
    return Table("referrals_by_reason", "Referrals by reason (a referral may give several)",
                 (Column("reason", "Code"), Column("label", "Reason"), REFERRALS), tuple(rows))


def by_service(connection: Connection, period: ReportPeriod) -> Table:
    """Services that received at least one referral, most first."""
    statement = (
        select(Service.id, Service.name, Service.category, func.count(Referral.id))
        .select_from(Referral).outerjoin(Service, Service.id == Referral.service_id)
        .where(referrals_in_scope(period))
        .group_by(Service.id, Service.name, Service.category)
        .order_by(func.count(Referral.id).desc(), Service.name)
    )
    rows = tuple((service_id, name or NO_SERVICE, category or "", count)
                 for service_id, name, category, count in connection.execute(statement))
    return Table("referrals_by_service", "Referrals by service",
                 (Column("service_id", "Service id"), Column("service", "Service"),
                  Column("category", "Category"), REFERRALS), rows)


def by_category(connection: Connection, period: ReportPeriod) -> Table:
    """Every catalogue category, zeros included, by the category of the service sent to."""
    counted = dict(connection.execute(
        select(Service.category, func.count(Referral.id)).select_from(Referral)
        .outerjoin(Service, Service.id == Referral.service_id)
        .where(referrals_in_scope(period)).group_by(Service.category)).all())
    unassigned = counted.pop(None, 0)
    rows = [(code, label, counted.pop(code, 0)) for code, label in SERVICE_CATEGORIES.items()]
    rows += [(code, code, count) for code, count in sorted(counted.items())]
    if unassigned:
        rows.append(("", NO_SERVICE, unassigned))
    return Table("referrals_by_category", "Referrals by service category",
                 (Column("category", "Code"), Column("label", "Category"), REFERRALS),
                 tuple(rows))


def _months(period: ReportPeriod) -> list[tuple[int, int]]:
    year, month = period.from_date.year, period.from_date.month
    months = []
    while (year, month) <= (period.to_date.year, period.to_date.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
