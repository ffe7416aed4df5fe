"""Demo data goes only into demo databases.

Demo data brings accounts whose password is published (on the login screen and in
the README), so it must never land in a practice's database. A database is a demo
database when its ``database_meta`` says ``kind = demo``; demo data may go into one
of those, or into a new database (no users, no patients), which is then marked.
Anything else, and any database holding a user or a patient that is not demo data,
is refused before anything is written.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, inspect, select

from practice_rx.domain.demo_accounts import DEMO_PASSWORD
from practice_rx.errors import PracticeRxError, ValidationError
from practice_rx.storage.models import DatabaseMeta, Patient, User

KIND_KEY = "kind"
DEMO_KIND = "demo"
SYNTHETIC_NHS_PREFIX = "999"  # the NHS test range: never a real patient
DEMO_USERNAMES = ("admin", "dr.patel", "dr.okafor", "nurse.lee", "reception.jones",
                  "linkworker.ahmed", "linkworker.brook", "reception.holbeck", "dr.shah")


class DemoRefused(PracticeRxError):
    """This database is not a demo database; nothing was written."""


def is_demo_database(connection: Connection) -> bool:
    if not inspect(connection).has_table(DatabaseMeta.__tablename__):
        return False
    kind = connection.scalar(select(DatabaseMeta.value).where(DatabaseMeta.key == KIND_KEY))
    return kind == DEMO_KIND


def refuse_published_password(connection: Connection, password: str | None) -> None:
    """The demo password is public: outside a demo database nobody may have it."""
    if password == DEMO_PASSWORD and not is_demo_database(connection):
        raise ValidationError.single(
            "password", "Password: that is the published demo password; choose your own")


def refusal(connection: Connection, shown_url: str) -> str | None:
    """Why demo data may not go into this database; None when it may."""
    tables = set(inspect(connection).get_table_names())
    if User.__tablename__ not in tables:
        return None  # a new database: nothing of anyone's in it
    users = connection.scalar(select(func.count()).select_from(User)) or 0
    other_users = connection.scalar(select(func.count()).select_from(User).where(
        User.username.not_in(DEMO_USERNAMES))) or 0
    patients = other_patients = 0
    if Patient.__tablename__ in tables:
        patients = connection.scalar(select(func.count()).select_from(Patient)) or 0
        other_patients = connection.scalar(select(func.count()).select_from(Patient).where(
            Patient.nhs_number.not_like(f"{SYNTHETIC_NHS_PREFIX}%"))) or 0
    advice = ("Nothing was written. Demo data goes only into a new database or a demo one: "
              "give --database a new file (for example sqlite:///demo.sqlite3), or run "
              "practice-rx --demo, which makes its own.")
    if other_users or other_patients:
        found = " and ".join(part for part in (
            _count(other_users, "user"), _count(other_patients, "patient")) if part)
        return (f"{shown_url} holds what is not demo data ({found}), so demo data (with its "
                f"published password) will not be added to it. {advice}")
    if (users or patients) and not is_demo_database(connection):
        return (f"{shown_url} is not marked as a demo database and already holds users or "
                f"patients, so demo data will not be added to it. {advice}")
    return None


def check_demo_allowed(connection: Connection, shown_url: str) -> None:
    reason = refusal(connection, shown_url)
    if reason is not None:
        raise DemoRefused(reason)


def mark_demo(session) -> None:
    """Record, in the same transaction as the demo data, that this is a demo database."""
    session.merge(DatabaseMeta(key=KIND_KEY, value=DEMO_KIND))


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'s' if number != 1 else ''}" if number else ""
