"""Caseload sizes per link worker: the open cases allocated to each today."""

from __future__ import annotations

from sqlalchemy import Connection, and_, func, or_, select

from practice_rx.domain.statuses import Status
from practice_rx.reports.tables import Column, Table
from practice_rx.storage.models import Referral, User

OPEN_CASE = (Status.ACCEPTED.value, Status.CONTACTED.value, Status.IN_PROGRESS.value)


def caseloads(connection: Connection) -> Table:
    """Every link worker (none left out for having no cases), and anyone else with an open
    case allocated to them. A staff figure: not for a commissioner."""
    statement = (
        select(User.id, User.display_name, func.count(Referral.id))
        .outerjoin(Referral, and_(Referral.allocated_to_id == User.id,
                                  Referral.status.in_(OPEN_CASE)))
        .where(or_(User.role == "link_worker", Referral.id.is_not(None)))
        .group_by(User.id, User.display_name)
        .order_by(func.count(Referral.id).desc(), User.display_name))
    return Table("caseloads", "Open cases per link worker",
                 (Column("user_id", "User id"), Column("link_worker", "Link worker"),
                  Column("open_cases", "Open cases", "count")),
                 tuple(tuple(row) for row in connection.execute(statement)),
                 for_commissioner=False)
