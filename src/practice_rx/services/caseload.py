"""A link worker's caseload: the open cases allocated to them, what is due, in the database.

Like the worklist, one Core query reads a page of plain rows (contacts counted,
the latest plan's review date, which outcome measures are missing) and another
counts them, so a worker with 250 people and a practice with 100,000 referrals
page alike on SQLite and PostgreSQL. Dates and counts only: never what was said.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from sqlalchemy import Connection, Select, and_, case, exists, func, or_, select

from practice_rx.domain.casework import MeasureOccasion
from practice_rx.domain.permissions import Action, Role
from practice_rx.domain.statuses import Status
from practice_rx.errors import PermissionDenied, ValidationError
from practice_rx.services.allocation import ALLOCATABLE
from practice_rx.services.base import ServiceBase, check_active_role
from practice_rx.services.patients import patient_matches
from practice_rx.services.practice_scope import Scope, scope_condition, user_scope
from practice_rx.storage.caseload_models import CarePlanVersion, Contact, MeasureResult
from practice_rx.storage.models import Patient, Referral, User

CaseloadSort = Literal["patient", "nhs_number", "status", "referred", "contacts", "last_contact",
                       "next_contact", "review", "measures", "link_worker", "id"]

#: The statuses a caseload holds: accepted and not yet closed.
OPEN_STATUSES = tuple(sorted(ALLOCATABLE))


@dataclass(frozen=True)
class CaseloadFilter:
    """What the caseload is narrowed to.

    ``link_worker_id`` None is the signed-in link worker's own caseload, or, for an
    admin or receptionist, every link worker's; a link worker sees only their own.
    ``due_only`` keeps the cases with something due today or overdue: the next
    contact, the plan's review, or an outcome measure.
    """

    link_worker_id: int | None = None
    statuses: frozenset[str] = frozenset()
    due_only: bool = False
    #: names, the start of an NHS number, or a referral number
    text: str = ""
    #: the practices to show (empty: every practice the user works for)
    practice_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class CaseloadQuery:
    filter: CaseloadFilter = field(default_factory=CaseloadFilter)
    sort: CaseloadSort = "next_contact"
    descending: bool = False
    page: int = 0
    page_size: int = 50


@dataclass(frozen=True)
class CaseloadRow:
    id: int
    patient_id: int
    patient_name: str
    nhs_number: str
    date_of_birth: date
    status: str
    link_worker_id: int
    link_worker_name: str
    sent_at: datetime | None
    #: calendar days since the referral was sent (an inbound one: since it was received)
    days_since_referral: int | None
    contacts_made: int
    last_contact_at: datetime | None
    #: the next contact agreed at the last contact; for an accepted case with no contact
    #: yet, its first contact's due date (so nobody newly allocated is without a date)
    next_contact_due_on: date | None
    review_on: date | None
    baseline_due: bool
    follow_up_due: bool
    version: int

    @property
    def measures_due(self) -> tuple[str, ...]:
        """Which outcome measures are missing: "baseline", "follow_up"."""
        return tuple(name for name, due in (("baseline", self.baseline_due),
                                            ("follow_up", self.follow_up_due)) if due)


@dataclass(frozen=True)
class CaseloadPage:
    rows: list[CaseloadRow]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _expressions(today: date) -> dict[str, object]:
    """The per-case columns computed in the database, each usable to filter and sort."""
    made = and_(Contact.referral_id == Referral.id, Contact.made.is_(True))
    contacts_made = select(func.count()).where(made).scalar_subquery()
    last_contact = select(func.max(Contact.occurred_at)).where(made).scalar_subquery()
    review_on = (select(CarePlanVersion.review_on)
                 .where(CarePlanVersion.referral_id == Referral.id)
                 .order_by(CarePlanVersion.number.desc(), CarePlanVersion.id.desc())
                 .limit(1).scalar_subquery())
    has_baseline = exists().where(MeasureResult.referral_id == Referral.id,
                                  MeasureResult.occasion == MeasureOccasion.BASELINE)
    has_follow_up = exists().where(
        MeasureResult.referral_id == Referral.id,
        MeasureResult.occasion.in_([MeasureOccasion.REVIEW, MeasureOccasion.CLOSING]))
    any_made = exists().where(made)
    baseline_due = and_(any_made, ~has_baseline)
    follow_up_due = and_(review_on.is_not(None), review_on < today, ~has_follow_up)
    # an accepted case not yet contacted is due its first contact (the practice's window)
    next_contact = func.coalesce(Referral.next_contact_due_on, case(
        (and_(Referral.status == Status.ACCEPTED, ~exists().where(
            Contact.referral_id == Referral.id)), Referral.response_due_on), else_=None))
    return {
        "next_contact": next_contact,
        "contacts_made": contacts_made,
        "last_contact": last_contact,
        "review_on": review_on,
        "baseline_due": baseline_due,
        "follow_up_due": follow_up_due,
        # baseline missing weighs more than a follow-up: it cannot be taken again later
        "measures_rank": case((baseline_due, 2), else_=0) + case((follow_up_due, 1), else_=0),
    }


class CaseloadService(ServiceBase):
    def page(self, user_id: int, query: CaseloadQuery) -> CaseloadPage:
        """One page of the caseload and how many cases match in all. VIEW_CASELOAD."""
        if query.page < 0 or not 1 <= query.page_size <= 500:
            raise ValidationError.single("page", "Page: choose a page from the first")
        today = self.today()
        exprs = _expressions(today)
        worker = User.__table__.alias("worker")
        columns = select(
            Referral.id, Referral.patient_id, Patient.given_name, Patient.family_name,
            Patient.nhs_number, Patient.date_of_birth, Referral.status,
            Referral.allocated_to_id, worker.c.display_name, Referral.sent_at,
            exprs["contacts_made"], exprs["last_contact"], exprs["next_contact"],
            exprs["review_on"], exprs["baseline_due"], exprs["follow_up_due"], Referral.version,
        ).join(worker, worker.c.id == Referral.allocated_to_id)
        with self.db.connect() as connection:
            worker_id = self._authorize(connection, user_id, query.filter.link_worker_id)
            scope = user_scope(connection, user_id)
            statement = self._filtered(columns, query.filter, worker_id, exprs, today, scope)
            statement = statement.order_by(*self._order(query, exprs, worker))
            statement = statement.limit(query.page_size).offset(query.page * query.page_size)
            result = connection.execute(statement).all()
            total = connection.execute(self._filtered(
                select(func.count()).select_from(Referral).join(
                    Patient, Patient.id == Referral.patient_id),
                query.filter, worker_id, exprs, today, scope, join_patient=False)).scalar_one()
        rows = [
            CaseloadRow(
                id=row[0], patient_id=row[1], patient_name=f"{row[3].upper()}, {row[2]}",
                nhs_number=row[4], date_of_birth=row[5], status=row[6], link_worker_id=row[7],
                link_worker_name=row[8], sent_at=row[9],
                days_since_referral=(today - row[9].date()).days if row[9] else None,
                contacts_made=row[10], last_contact_at=row[11], next_contact_due_on=row[12],
                review_on=row[13], baseline_due=bool(row[14]), follow_up_due=bool(row[15]),
                version=row[16],
            )
            for row in result
        ]
        return CaseloadPage(rows, total, query.page, query.page_size)

    @staticmethod
    def _authorize(connection: Connection, user_id: int, wanted: int | None) -> int | None:
        """Whose caseload to show: a link worker's own only; others any, or all (None)."""
        role = connection.execute(
            select(User.role).where(User.id == user_id, User.active.is_(True))).scalar()
        check_active_role(role, Action.VIEW_CASELOAD)
        if role == Role.LINK_WORKER:
            if wanted not in (None, user_id):
                raise PermissionDenied(
                    "Not allowed: a link worker sees their own caseload; ask an admin to "
                    "reallocate the cases you cover")
            return user_id
        return wanted

    @staticmethod
    def _filtered(statement: Select, filter: CaseloadFilter, worker_id: int | None,
                  exprs: dict, today: date, scope: Scope, join_patient: bool = True) -> Select:
        """``filter`` within the practices the user sees (``scope``)."""
        if join_patient:
            statement = statement.join(Patient, Patient.id == Referral.patient_id)
        statement = statement.where(scope_condition(Referral.practice_id, scope))
        if filter.practice_ids:
            statement = statement.where(Referral.practice_id.in_(sorted(filter.practice_ids)))
        statement = statement.where(Referral.allocated_to_id.is_not(None),
                                    Referral.status.in_(list(OPEN_STATUSES)))
        if worker_id is not None:
            statement = statement.where(Referral.allocated_to_id == worker_id)
        if filter.statuses:
            statement = statement.where(Referral.status.in_(sorted(filter.statuses)))
        if filter.due_only:
            review_on = exprs["review_on"]
            statement = statement.where(or_(
                exprs["next_contact"] <= today,
                and_(review_on.is_not(None), review_on <= today),
                exprs["baseline_due"], exprs["follow_up_due"]))
        if filter.text.strip():
            matching = patient_matches(filter.text)
            compact = filter.text.strip().lstrip("#")
            if compact.isdigit() and len(compact) < 10:  # a referral's number, as on letters
                matching = or_(matching, Referral.id == int(compact))
            statement = statement.where(matching)
        return statement

    @staticmethod
    def _order(query: CaseloadQuery, exprs: dict, worker) -> list:
        """The sort, the same on both backends: a missing date sorts as 'nothing due' (last
        when ascending), a missing last contact as 'never' (first when ascending)."""
        later_if_missing = {"next_contact": exprs["next_contact"],
                            "review": exprs["review_on"]}
        earlier_if_missing = {"last_contact": exprs["last_contact"], "referred": Referral.sent_at}
        plain = {"patient": (Patient.family_name, Patient.given_name),
                 "nhs_number": (Patient.nhs_number,), "status": (Referral.status,),
                 "contacts": (exprs["contacts_made"],), "measures": (exprs["measures_rank"],),
                 "link_worker": (worker.c.display_name,), "id": ()}
        direction = (lambda c: c.desc()) if query.descending else (lambda c: c.asc())
        if query.sort in later_if_missing:
            ordered = direction(later_if_missing[query.sort])
            order = [ordered.nulls_first() if query.descending else ordered.nulls_last()]
        elif query.sort in earlier_if_missing:
            ordered = direction(earlier_if_missing[query.sort])
            order = [ordered.nulls_last() if query.descending else ordered.nulls_first()]
        elif query.sort in plain:
            order = [direction(column) for column in plain[query.sort]]
        else:
            raise ValidationError.single("sort", "Sort: choose a column of the caseload")
        order.append(direction(Referral.id))
        return order

