"""Which practices a user sees: the rule behind every read and change of a patient or referral.

In a primary care network several practices share one database. A user who works
across the network (``User.all_practices``: PCN link workers and managers) sees every
practice; anyone else sees the practices they are linked to (``user_practice``), and a
user linked to none sees no patient. Records with no practice exist only before the
first practice is set up, and are seen by all.

``ServiceBase.authorize`` keeps the acting user's scope on the session, so
``get_or_raise`` and ``load_for_change`` refuse a patient or referral outside it
wherever a service loads one; list queries add :func:`scope_condition` themselves.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from practice_rx.errors import PermissionDenied
from practice_rx.storage.models import Patient, Practice, Referral, User, UserPractice

#: the acting user's scope, kept in ``Session.info`` by ``ServiceBase.authorize``
SCOPE_KEY = "practice_scope"

#: the practice ids a user sees, or None for every practice
Scope = frozenset[int] | None


def user_scope(bind: Session | Connection, user_id: int) -> Scope:
    """The practices ``user_id`` sees (None: all of them)."""
    if bind.execute(select(User.all_practices).where(User.id == user_id)).scalar():
        return None
    return frozenset(bind.execute(select(UserPractice.practice_id)
                                  .where(UserPractice.user_id == user_id)).scalars())


def scope_condition(column: ColumnElement[int | None], scope: Scope) -> ColumnElement[bool]:
    """Rows whose practice ``column`` is in ``scope`` (or not set yet)."""
    if scope is None:
        return true()
    return or_(column.is_(None), column.in_(sorted(scope)))


def scope_count_terms(bind: Session | Connection, column: ColumnElement[int | None],
                      scope: Scope) -> list[tuple[int, ColumnElement[bool] | None]]:
    """Signed conditions whose counts add up to the count within :func:`scope_condition`.

    The ``OR`` makes SQLite scan a whole index; instead, everything less the practices
    outside the scope (read in the same transaction, so the figure is exact), or, when
    those are more, the scope's practices plus the rows with none. None is no condition
    at all (SQLite counts a whole table from its B-tree, but not under ``WHERE 1 = 1``).
    """
    if scope is None:
        return [(1, None)]
    others = sorted(set(bind.execute(select(Practice.id)).scalars()) - scope)
    if not others:
        return [(1, None)]
    if len(others) < len(scope):
        return [(1, None), (-1, column.in_(others))]
    return [(1, column.in_(sorted(scope))), (1, column.is_(None))]


def in_scope(scope: Scope, practice_id: int | None) -> bool:
    return scope is None or practice_id is None or practice_id in scope


def check_record_in_scope(session: Session, record: object) -> None:
    """Refuse a patient or referral of a practice the acting user does not work for.

    A session no user was authorised on (a migration, the demo filler) is not checked.
    """
    if SCOPE_KEY not in session.info or not isinstance(record, (Patient, Referral)):
        return
    if not in_scope(session.info[SCOPE_KEY], record.practice_id):
        what = "patient" if isinstance(record, Patient) else f"referral {record.id}"
        raise PermissionDenied(
            f"Not allowed: this {what} belongs to a practice your account is not linked "
            "to. Ask an admin to link your account to that practice.")
