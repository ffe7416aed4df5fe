"""The receptionist's worklist: referrals filtered, sorted and paged in the database.

Rows are plain tuples of what the list shows. A page's ids are chosen first, from an
index that matches the sort (migration 0011), and a page past the middle is read from
the far end in the reversed sort, so the first, middle and last pages of a
1,000,000-referral network cost about what a small practice's do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, Connection, Select, func, literal_column, or_, select

from practice_rx.domain.calendar import working_days_between
from practice_rx.domain.permissions import Action
from practice_rx.domain.statuses import AWAITING_RESPONSE, Status, is_overdue
from practice_rx.services.base import ServiceBase, check_active_role
from practice_rx.services.patients import matching_patient_ids
from practice_rx.services.practice_scope import (
    Scope,
    scope_condition,
    scope_count_terms,
    user_scope,
)
from practice_rx.storage.models import Patient, Referral, Service, User

SortKey = Literal["created", "patient", "nhs_number", "service", "referrer", "status", "due",
                  "updated", "urgency", "last_chased", "id"]


@dataclass(frozen=True)
class WorklistFilter:
    """What the receptionist narrowed the list to; empty means everything."""

    statuses: frozenset[str] = frozenset()
    overdue_only: bool = False
    service_id: int | None = None
    referrer_id: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    #: names, the start of an NHS number, or a referral number
    text: str = ""
    #: the practices to show (empty: every practice the user works for)
    practice_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class WorklistRow:
    id: int
    patient_name: str
    nhs_number: str
    date_of_birth: date
    service_name: str
    referrer_name: str
    status: str
    urgency: str
    created_at: datetime
    status_changed_at: datetime
    response_due_on: date | None
    version: int
    overdue: bool
    #: when the practice last chased the service about it (None: never)
    last_chased_at: datetime | None = None
    #: working days past its due date (0 unless overdue)
    working_days_overdue: int = 0
    #: the practice that referred (None before any practice was set up)
    practice_id: int | None = None


@dataclass(frozen=True)
class WorklistPage:
    rows: list[WorklistRow]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class WorklistQuery:
    filter: WorklistFilter = field(default_factory=WorklistFilter)
    sort: SortKey = "created"
    descending: bool = True
    page: int = 0
    page_size: int = 50


_SORT_COLUMNS = {
    "created": (Referral.created_at,),
    # a joined sort ends with the joined row's id, so the page is a walk of that table's
    # index and, for each of its rows, of the referrals' (patient_id|…, id) index (0011)
    "patient": (Patient.family_name, Patient.given_name, Patient.id),
    "nhs_number": (Patient.nhs_number,),
    "service": (Service.name, Service.id),
    "referrer": (User.display_name, User.id),
    "status": (Referral.status,),
    "due": (Referral.response_due_on,),
    "updated": (Referral.status_changed_at,),
    "urgency": (Referral.urgency,),
    "last_chased": (Referral.last_chased_at,),
    "id": (),
}


def overdue_condition(today: date):
    """Awaiting a response and past its due date: the chase list."""
    return (Referral.status.in_(list(AWAITING_RESPONSE))) & (Referral.response_due_on < today)


#: the joins a sort needs before the page's ids are chosen (the service sort's are its own)
_SORT_JOINS = {"patient": "patient", "nhs_number": "patient", "referrer": "referrer"}


def _order(sort: SortKey, descending: bool, nulls: bool = True) -> list:
    """The sort, ties broken by id; reversed exactly when ``descending`` flips. Without
    ``nulls``, for rows known to have the sort's value, as its index is ordered."""
    order = [column.desc() if descending else column.asc() for column in _SORT_COLUMNS[sort]]
    if nulls and sort in ("due", "last_chased", "service"):
        # no due date sorts as the earliest, never chased as the oldest chase, and no
        # service before any service, on both backends (PostgreSQL's NULLs are otherwise
        # the largest value, SQLite's the smallest; its due and last-chased indexes hold
        # them first, 0013)
        order = [o.nulls_last() if descending else o.nulls_first() for o in order]
    order.append(Referral.id.desc() if descending else Referral.id.asc())
    return order


def _window(page: int, page_size: int, total: int) -> tuple[int, int, bool]:
    """LIMIT, OFFSET and whether to read backwards for a page of ``total`` rows."""
    offset = page * page_size
    if offset >= total:
        return page_size, offset, False
    return _run_window(offset, min(page_size, total - offset), total)


def _run_window(start: int, count: int, size: int) -> tuple[int, int, bool]:
    """Rows ``start`` to ``start + count`` of ``size`` as LIMIT, OFFSET and whether to read
    backwards: past the middle they are read from the far end in the reversed sort, so
    the last page costs what the first does."""
    if start <= size // 2:
        return count, start, False
    return count, size - start - count, True


#: what a page shows, built once: a statement's construction is much of a page's own cost
_PAGE_COLUMNS = (
    select(
        Referral.id,
        Patient.given_name,
        Patient.family_name,
        Patient.nhs_number,
        Patient.date_of_birth,
        Service.name,
        User.display_name,
        Referral.status,
        Referral.urgency,
        Referral.created_at,
        Referral.status_changed_at,
        Referral.response_due_on,
        Referral.version,
        Referral.last_chased_at,
        Referral.practice_id,
    )
    .join(Patient, Patient.id == Referral.patient_id)
    .outerjoin(Service, Service.id == Referral.service_id)
    .join(User, User.id == Referral.referrer_id)
)


def _walks_sort_index(connection: Connection, query: WorklistQuery, total: int,
                      walked: int) -> bool:
    """SQLite: whether a name search's page is cheaper read from the sort's index in order,
    testing each referral, than by sorting every match.

    SQLite's planner always reads a name search's matches by patient and sorts them all:
    25,000 matches of a million cost about 110 ms whichever page. Reading the sort's
    index instead costs a row lookup for each referral passed on the way to the page's
    last row, about the page's end times the referrals per match, which is less for
    the first and last few pages of a common name (about 40 ms) and more for a rare one.
    PostgreSQL weighs this itself from its statistics.
    """
    if connection.dialect.name != "sqlite" or not query.filter.text.strip() \
            or query.sort in _SORT_JOINS or not total:
        return False
    referrals = connection.execute(select(func.max(Referral.id))).scalar_one() or 0
    return walked * referrals <= total * total


class WorklistService(ServiceBase):
    def page(self, user_id: int, query: WorklistQuery) -> WorklistPage:
        today = self.today()
        # Core rows, not ORM objects: the list shows columns, and this is its hot path.
        with self.db.connect() as connection:
            if connection.dialect.name == "postgresql":
                # the total and the page from one snapshot, as SQLite's transaction gives
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            scope = self._authorize(connection, user_id)
            total = self._count(connection, query.filter, today, scope)
            # The page's ids first, from the sort's own index, then the columns for those
            # rows only: OFFSET skips index entries, not joined rows.
            ids = self._page_ids(connection, query, today, scope, total)
            statement = _PAGE_COLUMNS.where(Referral.id.in_(ids)).order_by(
                *_order(query.sort, query.descending))
            result = connection.execute(statement).all()
        rows = [
            WorklistRow(
                id=row[0],
                patient_name=f"{row[2].upper()}, {row[1]}",
                nhs_number=row[3],
                date_of_birth=row[4],
                service_name=row[5] or "",
                referrer_name=row[6],
                status=row[7],
                urgency=row[8],
                created_at=row[9],
                status_changed_at=row[10],
                response_due_on=row[11],
                version=row[12],
                overdue=is_overdue(row[7], row[11], today),
                last_chased_at=row[13],
                working_days_overdue=(working_days_between(row[11], today)
                                      if is_overdue(row[7], row[11], today) else 0),
                practice_id=row[14],
            )
            for row in result
        ]
        return WorklistPage(rows, total, query.page, query.page_size)

    def _page_ids(self, connection: Connection, query: WorklistQuery, today: date,
                  scope: Scope, total: int) -> Select | list[int]:
        """The page's ids, as a subquery, or for the service sort as a list: referrals
        with no service cannot be reached from the service's name index, so they are
        read apart, as the run of rows they make (first ascending, last descending)."""
        if query.sort != "service":
            limit, offset, backwards = _window(query.page, query.page_size, total)
            ids = self._filtered(select(Referral.id), query.filter, today, scope, walk_sort=(
                _walks_sort_index(connection, query, total, offset + limit)))
            return self._sort_joined(ids, query.sort).order_by(
                *_order(query.sort, query.descending != backwards)).limit(limit).offset(offset)
        ids = self._filtered(select(Referral.id), query.filter, today, scope)
        unassigned = ids.where(Referral.service_id.is_(None))
        named = ids.join(Service, Service.id == Referral.service_id)
        unassigned_count = self._count(connection, query.filter, today, scope,
                                       Referral.service_id.is_(None))
        step = -1 if query.descending else 1
        start, wanted, found = query.page * query.page_size, query.page_size, []
        for statement, size, sort in ((unassigned, unassigned_count, "id"),
                                      (named, total - unassigned_count, "service"))[::step]:
            if start >= size:
                start -= size
                continue
            count = min(wanted, size - start)
            limit, offset, backwards = _run_window(start, count, size)
            read = connection.execute(statement.order_by(
                *_order(sort, query.descending != backwards, nulls=False))
                .limit(limit).offset(offset))
            found += list(read.scalars())[::-1 if backwards else 1]
            start, wanted = 0, wanted - count
            if not wanted:
                break
        return found

    def status_counts(self, user_id: int,
                      filter: WorklistFilter = WorklistFilter()) -> dict[str, int]:
        """How many referrals are in each status (and overdue), ignoring the status filter."""
        today = self.today()
        base = WorklistFilter(**{**filter.__dict__, "statuses": frozenset(), "overdue_only": False})
        with self.db.connect() as connection:
            scope = self._authorize(connection, user_id)
            counts = {status.value: 0 for status in Status}
            counts["overdue"] = 0
            for sign, part in scope_count_terms(connection, Referral.practice_id, scope):
                statement = self._filtered(select(Referral.status, func.count())
                                           .group_by(Referral.status), base, today, None)
                if part is not None:
                    statement = statement.where(part)
                for status, count in connection.execute(statement):
                    counts[status] = counts.get(status, 0) + sign * count
                overdue_statement = self._filtered(
                    select(func.count()).select_from(Referral).where(overdue_condition(today)),
                    base, today, None)
                if part is not None:
                    overdue_statement = overdue_statement.where(part)
                counts["overdue"] += sign * connection.execute(overdue_statement).scalar_one()
        return counts

    @staticmethod
    def _authorize(connection: Connection, user_id: int) -> Scope:
        """The practices the user sees, once their role may see referrals at all."""
        role = connection.execute(
            select(User.role).where(User.id == user_id, User.active.is_(True))).scalar()
        check_active_role(role, Action.VIEW_REFERRALS)
        return user_scope(connection, user_id)

    def _count(self, connection: Connection, filter: WorklistFilter, today: date,
               scope: Scope, *conditions: ColumnElement[bool]) -> int:
        """The exact number matching, counted in the scope's parts (each from an index)."""
        counts = [sign * self._filtered(select(func.count()).select_from(Referral), filter,
                                        today, None).where(
            *(c for c in (part, *conditions) if c is not None)).scalar_subquery()
                  for sign, part in scope_count_terms(connection, Referral.practice_id, scope)]
        return connection.execute(select(sum(counts[1:], counts[0]))).scalar_one()

    @staticmethod
    def _sort_joined(statement: Select, sort: SortKey) -> Select:
        """Only the join the sort reads (the columns' joins come after the page is chosen)."""
        join = _SORT_JOINS.get(sort)
        if join == "patient":
            return statement.join(Patient, Patient.id == Referral.patient_id)
        if join == "referrer":
            return statement.join(User, User.id == Referral.referrer_id)
        return statement

    @staticmethod
    def _filtered(statement: Select, filter: WorklistFilter, today: date,
                  scope: Scope, *, walk_sort: bool = False) -> Select:
        """``filter`` within the practices the user sees (``scope``); ``walk_sort``: the
        name search tests each referral read from the sort's index (see
        :func:`_walks_sort_index`)."""
        if scope is not None:  # None: every practice (and no ``WHERE 1 = 1`` to plan)
            statement = statement.where(scope_condition(Referral.practice_id, scope))
        if filter.practice_ids:
            statement = statement.where(Referral.practice_id.in_(sorted(filter.practice_ids)))
        if filter.statuses:
            statement = statement.where(Referral.status.in_(sorted(filter.statuses)))
        if filter.overdue_only:
            statement = statement.where(overdue_condition(today))
        if filter.service_id is not None:
            statement = statement.where(Referral.service_id == filter.service_id)
        if filter.referrer_id is not None:
            statement = statement.where(Referral.referrer_id == filter.referrer_id)
        if filter.created_from is not None:
            statement = statement.where(
                Referral.created_at >= datetime.combine(filter.created_from, datetime.min.time())
            )
        if filter.created_to is not None:
            statement = statement.where(
                Referral.created_at
                < datetime.combine(filter.created_to + timedelta(days=1), datetime.min.time())
            )
        if filter.text.strip():
            patient = Referral.patient_id + literal_column("0") if walk_sort \
                else Referral.patient_id  # an expression: no index by patient is used
            matching = patient.in_(matching_patient_ids(filter.text))
            compact = filter.text.strip().lstrip("#")
            if compact.isdigit() and len(compact) < 10:  # a referral's number, as on letters
                matching = or_(matching, Referral.id == int(compact))
            statement = statement.where(matching)
        return statement
