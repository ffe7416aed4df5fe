"""The link worker's tables: allocation, contacts, the care and support plan, connections to
community services, outcome measures and the closing of a case.

What a link worker records is kept as written: contacts, allocations, plan
versions, measure results and connection moves are only ever added (the
database refuses UPDATE and DELETE on them, as on notes), so the history a GP
or an auditor reads is the one that happened.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice_rx.storage.models import Base, User

#: Tables whose rows are never changed or removed once written.
APPEND_ONLY_TABLES = ("referral_allocation", "contact", "care_plan_version",
                      "plan_connection_event", "measure_result")


class ReferralAllocation(Base):
    """A referral given to a link worker (the first allocation, or a reallocation)."""

    __tablename__ = "referral_allocation"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    link_worker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(DateTime)
    by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class Contact(Base):
    """One contact, or attempt at one, with the person.

    ``occurred_at`` is when it happened, ``recorded_at`` when it was written down;
    ``next_contact_on`` is the next contact's date agreed then (the referral keeps
    the latest as ``next_contact_due_on``).
    """

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    contact_type: Mapped[str] = mapped_column(String(20))
    made: Mapped[bool] = mapped_column(Boolean)
    minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    next_contact_on: Mapped[date | None] = mapped_column(Date, default=None)

    recorded_by: Mapped[User] = relationship(lazy="raise")


class CarePlanVersion(Base):
    """One version of the personalised care and support plan, kept for good.

    Follows NHS England's five criteria: who the person wants involved, what
    matters to them (in their own words), the outcomes agreed, the actions
    (``actions``: who, what, by when, done) and when it will be reviewed.
    ``agreed_with`` and ``agreed_on`` say who agreed this version and when; a
    version saved before it was agreed has them empty. ``sections`` holds the
    answers of sections plugins add.
    """

    __tablename__ = "care_plan_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    who_involved: Mapped[str] = mapped_column(Text, default="")
    what_matters: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    review_on: Mapped[date | None] = mapped_column(Date, default=None)
    agreed_with: Mapped[str] = mapped_column(String(200), default="")
    agreed_on: Mapped[date | None] = mapped_column(Date, default=None)
    sections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    recorded_by: Mapped[User] = relationship(lazy="raise")


class PlanConnection(Base):
    """An onward referral from the plan to a community service in the catalogue."""

    __tablename__ = "plan_connection"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(20), default="suggested")
    status_changed_at: Mapped[datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class PlanConnectionEvent(Base):
    """One move of a connection's status: who, when, from, to and why."""

    __tablename__ = "plan_connection_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("plan_connection.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class MeasureDefinitionRecord(Base):
    """Each outcome measure version in use, kept so old scores stay readable."""

    __tablename__ = "measure_definition"

    measure_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    plugin: Mapped[str] = mapped_column(String(100), default="")
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)


class MeasureResult(Base):
    """One completed questionnaire: the answers as given and the scores they made."""

    __tablename__ = "measure_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    measure_id: Mapped[str] = mapped_column(String(64))
    measure_version: Mapped[int] = mapped_column(Integer)
    occasion: Mapped[str] = mapped_column(String(20))
    answered_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)


class CaseClosure(Base):
    """How a completed case ended: the goals met, and why not where they were not."""

    __tablename__ = "case_closure"

    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(DateTime)
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    goals_met: Mapped[str] = mapped_column(String(20))
    why_not: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
