"""The services receiving most referrals, and those rejecting most: the signal that a
group is full or struggling."""

from __future__ import annotations

from sqlalchemy import Connection, case, func, select

from practice_rx.domain.statuses import Status
from practice_rx.reports.period import ReportPeriod, referrals_in_scope
from practice_rx.reports.tables import Column, Table
from practice_rx.storage.models import Referral, Service

COLUMNS = (Column("service_id", "Service id"), Column("service", "Service"),
           Column("referrals", "Referrals", "count"),
           Column("rejected", "Rejected", "count"),
           Column("rejection_rate", "Rejected (%)", "derived"))


def service_ranking(connection: Connection, period: ReportPeriod,
                    top: int = 10) -> tuple[Table, Table]:
    """Referrals sent in the period to each service and how many it rejected (a rejected
    referral stays rejected: the status is final)."""
    rejected = func.count(case((Referral.status == Status.REJECTED.value, Referral.id)))
    counted = connection.execute(
        select(Service.id, Service.name, func.count(Referral.id), rejected)
        .join(Referral, Referral.service_id == Service.id)
        .where(referrals_in_scope(period))
        .group_by(Service.id, Service.name)).all()
    rows = [(service_id, name, sent, rejects, round(100 * rejects / sent, 1))
            for service_id, name, sent, rejects in counted]
    most = sorted(rows, key=lambda row: (-row[2], row[1], row[0]))[:top]
    rejecting = sorted((row for row in rows if row[3]),
                       key=lambda row: (-row[3], -row[4], row[1], row[0]))[:top]
    return (Table("services_most_referred", f"The {top} services receiving most referrals",
                  COLUMNS, tuple(most)),
            Table("services_most_rejecting", f"The {top} services rejecting most referrals",
                  COLUMNS, tuple(rejecting)))
