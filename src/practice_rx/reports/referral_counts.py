"""Referrals sent in the period by month, source, reason, service and service category.

Three passes over the referrals: month by source, reasons, and per service (with its
rejections, for :mod:`.services_ranking` too). Each is grouped in the database into at
most a few hundred rows, which the tables below add up.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, case, extract, func, select, true

from practice_rx.domain.categories import SERVICE_CATEGORIES
from practice_rx.domain.reasons import REFERRAL_REASONS
from practice_rx.domain.referral_sources import SOURCE_LABELS, ReferralSource
from practice_rx.domain.statuses import Status
from practice_rx.reports.json_rows import list_elements
from practice_rx.reports.period import ReportPeriod, referrals_in_scope
from practice_rx.reports.tables import Column, Table
from practice_rx.storage.models import Referral, Service

REFERRALS = Column("referrals", "Referrals", "count")
NO_SERVICE = "(no service)"


@dataclass(frozen=True)
class ServiceCount:
    service_id: int | None
    name: str
    category: str
    referrals: int
    rejected: int  # a rejected referral stays rejected: the status is final


def month_source_counts(connection: Connection, period: ReportPeriod
                        ) -> dict[tuple[int, int, str], int]:
    """Referrals per (year, month sent, source)."""
    year, month = extract("year", Referral.sent_at), extract("month", Referral.sent_at)
    return {(int(y), int(m), source): n for y, m, source, n in connection.execute(
        select(year, month, Referral.source, func.count()).where(referrals_in_scope(period))
        .group_by(year, month, Referral.source))}


def service_counts(connection: Connection, period: ReportPeriod) -> list[ServiceCount]:
    rejected = func.count(case((Referral.status == Status.REJECTED.value, Referral.id)))
    statement = (
        select(Referral.service_id, Service.name, Service.category, func.count(), rejected)
        .select_from(Referral).outerjoin(Service, Service.id == Referral.service_id)
        .where(referrals_in_scope(period))
        .group_by(Referral.service_id, Service.name, Service.category))
    return [ServiceCount(service_id, name or NO_SERVICE, category or "", n, rejects)
            for service_id, name, category, n, rejects in connection.execute(statement)]


def by_month(counts: dict[tuple[int, int, str], int], period: ReportPeriod) -> Table:
    """Each month of the period, empty months included, by the date the referral was sent."""
    months: Counter[tuple[int, int]] = Counter()
    for (year, month, _source), n in counts.items():
        months[(year, month)] += n
    rows = [(f"{y:04d}-{m:02d}", months.get((y, m), 0)) for y, m in _months(period)]
    return Table("referrals_by_month", "Referrals by month sent",
                 (Column("month", "Month"), REFERRALS), tuple(rows))


def by_source(counts: dict[tuple[int, int, str], int]) -> Table:
    """Every source, zeros included, so the table's shape does not depend on the data."""
    sources: Counter[str] = Counter()
    for (_year, _month, source), n in counts.items():
        sources[source] += n
    rows = [(source.value, SOURCE_LABELS[source], sources.pop(source.value, 0))
            for source in ReferralSource]
    rows += [(code, code, count) for code, count in sorted(sources.items())]  # unknown codes
    return Table("referrals_by_source", "Referrals by source",
                 (Column("source", "Code"), Column("label", "Source"), REFERRALS), tuple(rows))


def by_reason(connection: Connection, period: ReportPeriod, backend: str) -> Table:
    """A referral counts once under each reason it gives, so the rows add up to more than
    the referrals; one with no reason (an empty list) counts under "(none given)"."""
    reason = list_elements(Referral.reasons, backend)
    counted = dict(connection.execute(
        select(reason.c.value, func.count()).select_from(Referral)
        .outerjoin(reason, true()).where(referrals_in_scope(period))
        .group_by(reason.c.value)).all())
    without = counted.pop(None, 0)
    rows = [(code, label, counted.pop(code, 0)) for code, label in REFERRAL_REASONS.items()]
    rows += [(code, code, count) for code, count in sorted(counted.items())]
    rows.append(("", "(none given)", without))
    return Table("referrals_by_reason", "Referrals by reason (a referral may give several)",
                 (Column("reason", "Code"), Column("label", "Reason"), REFERRALS), tuple(rows))


def by_service(services: list[ServiceCount]) -> Table:
    """Services that received at least one referral, most first."""
    ordered = sorted(services, key=lambda s: (-s.referrals, s.name, s.service_id or 0))
    return Table("referrals_by_service", "Referrals by service",
                 (Column("service_id", "Service id"), Column("service", "Service"),
                  Column("category", "Category"), REFERRALS),
                 tuple((s.service_id, s.name, s.category, s.referrals) for s in ordered))


def by_category(services: list[ServiceCount]) -> Table:
    """Every catalogue category, zeros included, by the category of the service sent to."""
    counted: Counter[str] = Counter()
    for service in services:
        counted[service.category] += service.referrals
    unassigned = counted.pop("", 0)
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
