"""Caseload sizes per link worker: the open cases allocated to each today."""

from __future__ import annotations

from sqlalchemy import Connection, func, or_, select

from practice_rx.domain.statuses import Status
from practice_rx.reports.period import ReportPeriod, at_practices
from practice_rx.reports.tables import Column, Table
from practice_rx.storage.models import Referral, User

OPEN_CASE = (Status.ACCEPTED.value, Status.CONTACTED.value, Status.IN_PROGRESS.value)


def caseloads(connection: Connection, period: ReportPeriod) -> Table:
    """Every link worker (none left out for having no cases), and anyone else with an open
    case allocated to them, counting the cases of the period's practices (whenever sent).
    A staff figure: not for a commissioner."""
    open_cases = (select(Referral.allocated_to_id.label("user_id"), func.count().label("n"))
                  .where(Referral.status.in_(OPEN_CASE), Referral.allocated_to_id.is_not(None),
                         at_practices(period))
                  .group_by(Referral.allocated_to_id).subquery("open_cases"))
    count = func.coalesce(open_cases.c.n, 0)
    statement = (
        select(User.id, User.display_name, count)
        .outerjoin(open_cases, open_cases.c.user_id == User.id)
        .where(or_(User.role == "link_worker", open_cases.c.n.is_not(None)))
        .order_by(count.desc(), User.display_name, User.id))
    return Table("caseloads", "Open cases per link worker",
                 (Column("user_id", "User id"), Column("link_worker", "Link worker"),
                  Column("open_cases", "Open cases", "count")),
                 tuple(tuple(row) for row in connection.execute(statement)),
                 for_commissioner=False)
