"""The services receiving most referrals, and those rejecting most: the signal that a
group is full or struggling."""

from __future__ import annotations

from practice_rx.reports.referral_counts import ServiceCount
from practice_rx.reports.tables import Column, Table

COLUMNS = (Column("service_id", "Service id"), Column("service", "Service"),
           Column("referrals", "Referrals", "count"),
           Column("rejected", "Rejected", "count"),
           Column("rejection_rate", "Rejected (%)", "derived"))


def service_ranking(services: list[ServiceCount], top: int = 10) -> tuple[Table, Table]:
    """Referrals sent in the period to each service and how many it rejected; the rate is
    rejected as a share of those referrals."""
    rows = [(s.service_id, s.name, s.referrals, s.rejected,
             round(100 * s.rejected / s.referrals, 1))
            for s in services if s.service_id is not None]
    most = sorted(rows, key=lambda row: (-row[2], row[1], row[0]))[:top]
    rejecting = sorted((row for row in rows if row[3]),
                       key=lambda row: (-row[3], -row[4], row[1], row[0]))[:top]
    return (Table("services_most_referred", f"The {top} services receiving most referrals",
                  COLUMNS, tuple(most)),
            Table("services_most_rejecting", f"The {top} services rejecting most referrals",
                  COLUMNS, tuple(rejecting)))
