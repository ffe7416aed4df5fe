"""The tables, as SQLAlchemy 2 typed models.

Codes (statuses, reasons, categories) are stored as stable strings; labels live
in the domain. Records people edit carry a version counter so a second
workstation's stale save fails instead of overwriting (optimistic locking).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    literal_column,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from practice_rx.domain.search_key import search_key

#: The Alembic revision these models describe; a test keeps it equal to the newest migration.
SCHEMA_REVISION = "0013"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class DatabaseMeta(Base):
    """Facts about the database itself, such as ``kind`` = ``demo`` for a demo database."""

    __tablename__ = "database_meta"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Practice(Base):
    """The practice whose details go on letterheads; one row."""

    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    ods_code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    response_days: Mapped[int] = mapped_column(Integer, default=10)
    contact_days: Mapped[int] = mapped_column(Integer, default=10)
    #: a chase list leaves out referrals chased within this many working days
    chase_again_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    #: failed contact attempts in a row after which "not contactable" is offered
    contact_attempts: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    #: registered patients, entered by an admin: the denominator of the referral rate
    list_size: Mapped[int | None] = mapped_column(Integer, default=None)
    #: the practice's own NHS MESH mailbox, which referrals are delivered from
    mesh_mailbox_id: Mapped[str | None] = mapped_column(String(20), default=None)


class UserPractice(Base):
    """A practice a user works for: what they see unless they work across the network."""

    __tablename__ = "user_practice"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), primary_key=True)


class User(Base):
    """Someone who uses PracticeRx; every change is attributed to one."""

    __tablename__ = "user_account"
    __table_args__ = (Index("ix_user_account_sort_name", "display_name", "id"),)  # worklist

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30), default="clinician")
    job_title: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    #: works across the network (a PCN link worker or manager): sees every practice
    all_practices: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Patient(Base):
    """A patient as registered at the practice (synthetic only outside a live practice)."""

    __tablename__ = "patient"
    #: the worklist's sort by patient (0011)
    __table_args__ = (Index("ix_patient_sort_name", "family_name", "given_name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100), index=True)
    #: both names folded (no accents, no case): what name searches match; see
    #: :mod:`practice_rx.domain.search_key`
    search_key: Mapped[str] = mapped_column(String(420), default="", server_default="")
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(20), default="unknown")
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    preferred_contact: Mapped[str] = mapped_column(String(20), default="phone")
    contact_times: Mapped[str] = mapped_column(String(200), default="")
    first_language: Mapped[str] = mapped_column(String(60), default="English")
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    carer_details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    #: where the person is registered; None only before any practice is set up
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"), index=True,
                                                    default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@event.listens_for(Patient, "before_insert")
@event.listens_for(Patient, "before_update")
def _fold_names(_mapper, _connection, patient: Patient) -> None:
    """The search key follows the names on every save through the ORM (bulk loads, such
    as the demo data, set it themselves)."""
    patient.search_key = search_key(patient.given_name, patient.family_name)


class Service(Base):
    """A community service or link-worker service in a catalogue."""

    __tablename__ = "service"
    __table_args__ = (UniqueConstraint("plugin", "external_id", name="uq_service_plugin_id"),
                      Index("ix_service_sort_name", "name", "id"))  # the worklist's sort

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    eligibility: Mapped[str] = mapped_column(Text, default="")
    area: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    opening_times: Mapped[str] = mapped_column(String(300), default="")
    cost: Mapped[str] = mapped_column(String(20), default="free")
    referral_method: Mapped[str] = mapped_column(String(30), default="email")
    response_days: Mapped[int | None] = mapped_column(Integer, default=None)
    is_link_worker: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: when the source (an ORUK directory, say) last changed the service, in UTC; None if
    #: the source does not say
    last_modified: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    #: how a sent referral reaches it: ``post`` or ``email`` (by the practice's staff, as
    #: a letter), ``mesh`` or a plugin's channel name (delivered by PracticeRx)
    delivery_method: Mapped[str] = mapped_column(String(40), default="post",
                                                 server_default="post")
    #: where the channel delivers to: the service's MESH mailbox id, say
    delivery_address: Mapped[str | None] = mapped_column(String(255), default=None)
    #: the MESH workflow the receiver asked for, if not the installation's default
    delivery_workflow_id: Mapped[str | None] = mapped_column(String(64), default=None)


class FormDefinitionRecord(Base):
    """Each form version a referral used, kept so old referrals stay readable and printable."""

    __tablename__ = "form_definition"

    form_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    plugin: Mapped[str] = mapped_column(String(100), default="")
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Referral(Base):
    """A social prescribing referral from its draft to its outcome.

    ``answers`` holds what the form asked; reasons, urgency and consent are
    copied from them into columns so lists can filter on them.
    """

    __tablename__ = "referral"
    __table_args__ = (
        # the overdue filter and its count, the practice scope read from the index (0011)
        Index("ix_referral_status_due", "status", "response_due_on", "practice_id"),
        # one per worklist sort: its column, ties by id, the practice for the scope (0011;
        # on PostgreSQL due and last chased hold their NULLs first, as SQLite does: 0013)
        *(Index(f"ix_referral_sort_{name}", column, "id", "practice_id")
          for name, column in (("created", "created_at"), ("updated", "status_changed_at"),
                               ("urgency", "urgency"), ("status", "status"))),
        *(index for name, column in (("due", "response_due_on"),
                                     ("last_chased", "last_chased_at"))
          for index in (
              Index(f"ix_referral_sort_{name}", column, "id", "practice_id")
              .ddl_if(dialect="sqlite"),
              Index(f"ix_referral_sort_{name}", literal_column(column).asc().nulls_first(),
                    "id", "practice_id").ddl_if(dialect="postgresql"))),
        Index("ix_referral_sort_id", "id", "practice_id"),
        # the joined sorts' second step: a patient's, referrer's or service's referrals
        *(Index(f"ix_referral_sort_{name}", f"{name}_id", "id", "practice_id")
          for name in ("patient", "referrer", "service")),
        Index("uq_referral_sender_identifier", "sender_identifier_system",
              "sender_identifier_value", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    referrer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    previous_referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason_other: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[str] = mapped_column(String(20), default="routine")
    consent_given: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_to_share: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_method: Mapped[str] = mapped_column(String(20), default="")
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    consent_date: Mapped[date | None] = mapped_column(Date)
    form_id: Mapped[str] = mapped_column(String(100), default="")
    form_version: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    status_changed_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    response_due_on: Mapped[date | None] = mapped_column(Date)
    #: when the practice last chased the service (kept with each :class:`ReferralChase`)
    last_chased_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    #: where it came from (:class:`practice_rx.domain.referral_sources.ReferralSource`), and
    #: for an inbound one the referring organisation and person, and how it arrived
    source: Mapped[str] = mapped_column(String(30), default="practice", server_default="practice")
    referrer_organisation: Mapped[str] = mapped_column(String(200), default="", server_default="")
    referrer_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    referrer_contact: Mapped[str] = mapped_column(String(200), default="", server_default="")
    received_by: Mapped[str] = mapped_column(String(20), default="", server_default="")
    #: the link worker it is allocated to (each allocation kept as a ReferralAllocation)
    allocated_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"),
                                                        index=True, default=None)
    next_contact_due_on: Mapped[date | None] = mapped_column(Date, default=None)
    #: the practice the person was registered at when referred; it stays if they move
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"), index=True,
                                                    default=None)
    #: an imported referral's identifier in the sending system (a FHIR ServiceRequest's
    #: identifier system and value), so the same referral is not imported twice
    sender_identifier_system: Mapped[str | None] = mapped_column(String(255), default=None)
    sender_identifier_value: Mapped[str | None] = mapped_column(String(100), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    patient: Mapped[Patient] = relationship(lazy="raise")
    referrer: Mapped[User] = relationship(foreign_keys=[referrer_id], lazy="raise")
    allocated_to: Mapped[User | None] = relationship(foreign_keys=[allocated_to_id],
                                                     lazy="raise")
    service: Mapped[Service | None] = relationship(lazy="raise")
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", order_by="ReferralEvent.id", lazy="raise"
    )
    chases: Mapped[list[ReferralChase]] = relationship(order_by="ReferralChase.id", lazy="raise")
    notes: Mapped[list[ReferralNote]] = relationship(order_by="ReferralNote.id", lazy="raise")


class ReferralEvent(Base):
    """One change of a referral's status: who, from, to and why, and two times.

    ``at`` is when it was recorded; ``occurred_at`` when it happened (a service
    that accepted by phone yesterday), which due dates are counted from.
    """

    __tablename__ = "referral_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    snomed_code: Mapped[str] = mapped_column(String(20), default="")

    referral: Mapped[Referral] = relationship(back_populates="events", lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")


class EventCodeExport(Base):
    """An event's SNOMED CT code was written to a file for the GP record: when and by whom.

    Only ever added (the database refuses UPDATE and DELETE), so "already exported"
    stays true once it was; exporting again adds another row.
    """

    __tablename__ = "event_code_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("referral_event.id"), index=True)
    exported_at: Mapped[datetime] = mapped_column(DateTime)
    exported_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))


class ReferralNote(Base):
    """One note on a referral: who wrote it, when the server recorded it, what it says.

    Notes are only ever added (the database refuses UPDATE and DELETE on this
    table), so what a clinician wrote stays as written; a correction is a new
    note whose ``corrects_id`` names the note it corrects.
    """

    __tablename__ = "referral_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(DateTime)
    text: Mapped[str] = mapped_column(Text)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("referral_note.id"), default=None)

    author: Mapped[User] = relationship(lazy="raise")


class ReferralChase(Base):
    """The practice chased the service about a referral: when, who, how, with which letter."""

    __tablename__ = "referral_chase"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    method: Mapped[str] = mapped_column(String(20), default="letter")
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"), default=None)

    user: Mapped[User] = relationship(lazy="raise")


class Letter(Base):
    """A generated letter, recorded so the exact same PDF can be produced again."""

    __tablename__ = "letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    template_id: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditEvent(Base):
    """One entry of the append-only audit trail: who did what to which record, and when.

    ``hash`` covers the row's content and ``prev_hash``, the hash of the row
    before it, so editing, deleting or reordering rows breaks the chain.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    workstation: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# The link worker's tables live in their own module; importing it here puts them in
# Base.metadata wherever the models are used (migrations, the model check, the services).
from practice_rx.storage import caseload_models, delivery_models, name_words  # noqa: F401, E402
