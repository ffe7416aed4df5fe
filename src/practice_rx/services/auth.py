"""Logging in: argon2id password hashes, and a lock after repeated failures.

The hash parameters follow OWASP's recommendation for argon2id (19 MiB of
memory, two passes, one lane). After five failures in a row an account is
locked for 15 minutes; a success clears the count.

The account's row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's
writers already take the database lock with ``BEGIN IMMEDIATE``) from reading the
failure count until the new count is saved, so parallel guesses from several
workstations queue and are counted one by one: no more than five passwords are
ever checked before the lock. An unknown username, a locked account and a wrong
password get the same words and take as long, so none can be told apart.
"""

from __future__ import annotations

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
REFUSED = (f"Login refused: check the username and password. After {MAX_FAILURES} failed "
           f"tries an account is locked for {LOCK_MINUTES} minutes; a practice admin can "
           "unlock it sooner")
DISABLED = "This account is disabled; ask a practice admin"
#: a hash at HASHER's cost, checked when there is no real one, so a refusal takes as long;
#: written out rather than made at import, which cost one hash (50-150 ms) of start-up
_DUMMY_HASH = ("$argon2id$v=19$m=19456,t=2,p=1$bNvRkjVJx5N2fzjOQCAFRQ$"
               "60Ck4wUO8jyUkcT9COUxMrC88whDTd6iLUlSibtwAWo")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def _spend_a_check(password: str) -> None:
    """As long as a real check, so a refusal's timing tells nothing either."""
    try:
        HASHER.verify(_DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        pass


class AuthService(ServiceBase):
    def login(self, username: str, password: str) -> User:
        """The user, if the password is right and the account active and unlocked."""
        now = self.clock()
        with self.db.transaction() as session:
            user = session.scalar(select(User).where(User.username == username.strip())
                                  .with_for_update())
            checkable = (user is not None and user.password_hash is not None
                         and (user.locked_until is None or user.locked_until <= now))
            if checkable:
                try:
                    HASHER.verify(user.password_hash, password)
                except (VerificationError, InvalidHashError):
                    self._failed(session, user, now)
                else:
                    if not user.active:
                        raise AuthenticationError(DISABLED)
                    user.failed_logins = 0
                    user.locked_until = None
                    if HASHER.check_needs_rehash(user.password_hash):
                        user.password_hash = hash_password(password)
                    self.audit.record(session, at=now, user_id=user.id, action="login",
                                      entity="user", entity_id=user.id)
                    return user
        if not checkable:  # after the transaction: the row lock is not held for this
            _spend_a_check(password)
        raise AuthenticationError(REFUSED)  # after the transaction, so a failure is saved

    def _failed(self, session, user: User, now) -> None:
        user.failed_logins += 1
        locked = user.failed_logins >= MAX_FAILURES
        if locked:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        self.audit.record(session, at=now, user_id=user.id, action="login_failed",
                          entity="user", entity_id=user.id, after={"locked": locked})
