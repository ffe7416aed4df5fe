"""Logging in: argon2id password hashes, and a lock after repeated failures.

The hash parameters follow OWASP's recommendation for argon2id (19 MiB of
memory, two passes, one lane). After five failures in a row an account is
locked for 15 minutes; a success clears the count.
"""

from __future__ import annotations

import math
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from practice_rx.errors import AuthenticationError
from practice_rx.services.base import ServiceBase
from practice_rx.storage.models import User

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MAX_FAILURES = 5
LOCK_MINUTES = 15
REFUSED = "Login refused: check the username and password"


def hash_password(password: str) -> str:
    return HASHER.hash(password)


class AuthService(ServiceBase):
    def login(self, username: str, password: str) -> User:
        """The user, if the password is right and the account active and unlocked."""
        now = self.clock()
        with self.db.transaction() as session:
            user = session.scalar(select(User).where(User.username == username.strip()))
            if user is None or user.password_hash is None:
                HASHER.hash(password)  # take as long as a real check, so names cannot be probed
                raise AuthenticationError(REFUSED)
            if user.locked_until is not None and user.locked_until > now:
                minutes = max(1, math.ceil((user.locked_until - now).total_seconds() / 60))
                raise AuthenticationError(
                    f"This account is locked after {MAX_FAILURES} failed logins; try again in "
                    f"{minutes} minute{'s' if minutes > 1 else ''} or ask an admin to reset it")
            try:
                HASHER.verify(user.password_hash, password)
            except (VerificationError, InvalidHashError):
                user.failed_logins += 1
                locked = user.failed_logins >= MAX_FAILURES
                if locked:
                    user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                    user.failed_logins = 0
                self.audit.record(session, at=now, user_id=user.id, action="login_failed",
                                  entity="user", entity_id=user.id,
                                  after={"locked": locked})
                failure = AuthenticationError(REFUSED)
            else:
                if not user.active:
                    raise AuthenticationError("This account is disabled; ask a practice admin")
                user.failed_logins = 0
                user.locked_until = None
                if HASHER.check_needs_rehash(user.password_hash):
                    user.password_hash = hash_password(password)
                self.audit.record(session, at=now, user_id=user.id, action="login",
                                  entity="user", entity_id=user.id)
                return user
        raise failure  # after the transaction, so the failed attempt is saved
