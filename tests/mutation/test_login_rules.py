"""The sign-in rules, each on its own: when a lock ends, what clears the failure count,
the hash kept up to date, what the audit trail records, and the decoy check.

Found by mutation testing (docs/testing.md): every one of these could be changed without
a test noticing.
"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from practice_rx.errors import AuthenticationError
from practice_rx.services import auth
from practice_rx.services.auth import HASHER, LOCK_MINUTES, MAX_FAILURES
from practice_rx.storage.models import AuditEvent, User

PASSWORD = "correct horse battery"


@pytest.fixture
def sam(services) -> int:
    return services.users.create("sam", "Sam Jones", "receptionist", PASSWORD).id


def _fail(services, times: int) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationError):
            services.auth.login("sam", "wrong guess")


def _signs_in(services) -> bool:
    try:
        services.auth.login("sam", PASSWORD)
    except AuthenticationError:
        return False
    return True


def test_the_lock_ends_exactly_fifteen_minutes_after_the_fifth_failure(services, clock, sam):
    assert (MAX_FAILURES, LOCK_MINUTES) == (5, 15)
    _fail(services, 5)
    clock.advance(minutes=14, seconds=59)
    assert not _signs_in(services)
    clock.advance(seconds=1)
    assert _signs_in(services)


def test_a_success_clears_the_count(services, sam):
    _fail(services, 4)
    assert _signs_in(services)
    _fail(services, 4)  # four more, not the fifth in a row
    assert _signs_in(services)


def test_the_count_starts_again_after_a_lock(services, clock, sam):
    _fail(services, 5)
    clock.advance(minutes=15)
    _fail(services, 4)
    assert _signs_in(services)


def test_an_old_hash_is_replaced_at_sign_in(services, db, sam):
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with db.transaction() as session:
        session.get(User, sam).password_hash = weak
    assert _signs_in(services)
    with db.reading() as session:
        stored = session.get(User, sam).password_hash
    assert stored != weak and not HASHER.check_needs_rehash(stored)
    assert HASHER.verify(stored, PASSWORD)
    assert _signs_in(services)


def test_the_trail_records_each_failure_against_the_account(services, db, sam):
    _fail(services, 5)
    with db.reading() as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action.in_(("login", "login_failed"))).order_by(AuditEvent.id)).all()
        rows = [(e.action, e.entity, e.entity_id, e.user_id, e.after) for e in events]
    assert rows == [("login_failed", "user", sam, sam, {"locked": False})] * 4 + [
        ("login_failed", "user", sam, sam, {"locked": True})]


def test_a_sign_in_is_recorded_against_the_account(services, db, sam):
    assert _signs_in(services)
    with db.reading() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).one()
        assert (event.entity, event.entity_id, event.user_id) == ("user", sam, sam)


def test_the_decoy_check_is_spent_only_when_there_is_no_real_one(services, sam, monkeypatch):
    spent = []
    real = auth._spend_a_check
    monkeypatch.setattr(auth, "_spend_a_check", lambda password: spent.append(1) or real(password))
    with pytest.raises(AuthenticationError):
        services.auth.login("nobody", PASSWORD)
    assert spent == [1]
    with pytest.raises(AuthenticationError):
        services.auth.login("sam", "wrong guess")
    assert spent == [1]  # a wrong password was checked for real: no decoy as well
