"""Lockout under concurrency: eight workstations guessing one account's password at once.

Each workstation is a thread with its own :class:`Database` (its own engine and pool),
as separate PCs would be. Before the fix the failure count was read and written back,
so parallel guesses overwrote each other's counts: 33-34 guesses were checked on
PostgreSQL before the lock. Now at most five passwords are checked, on both backends,
and the right password tried after the lock fails as well.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from practice_rx.errors import AuthenticationError
from practice_rx.services import Services
from practice_rx.services.auth import MAX_FAILURES, REFUSED
from practice_rx.storage.database import Database
from practice_rx.storage.models import AuditEvent

PASSWORD = "correct horse battery"
WORKSTATIONS = 8
GUESSES_EACH = 6


def _guesses(db_url: str, start: threading.Barrier, index: int) -> list[str]:
    """One workstation: wrong guesses, then the right password; what each login said."""
    services = Services(Database.open(db_url), workstation=f"pc-{index}")
    said = []
    try:
        start.wait()
        for guess in [f"guess-{index}-{n}" for n in range(GUESSES_EACH)] + [PASSWORD]:
            try:
                services.auth.login("sam", guess)
                said.append("signed in")
            except AuthenticationError as error:
                said.append(str(error))
    finally:
        services.db.close()
    return said


def test_eight_workstations_at_once_get_at_most_five_password_checks(services, db_url, db):
    services.users.create("sam", "Sam Jones", "receptionist", PASSWORD)
    start = threading.Barrier(WORKSTATIONS)
    with ThreadPoolExecutor(WORKSTATIONS) as pool:
        results = list(pool.map(lambda i: _guesses(db_url, start, i), range(WORKSTATIONS)))
    with db.reading() as session:
        checked = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "login_failed"))
    assert checked <= MAX_FAILURES, f"{checked} passwords were checked before the lock"
    assert checked == MAX_FAILURES  # and the lock came at the fifth, not before
    said = [text for one in results for text in one]
    assert "signed in" not in said  # the right password, tried after the lock, is refused
    assert set(said) == {REFUSED}


def test_unknown_locked_and_wrong_get_the_same_words(services, clock):
    services.users.create("sam", "Sam Jones", "receptionist", PASSWORD)
    messages = set()
    for username, password in [("nobody", PASSWORD)] + [("sam", "wrong")] * MAX_FAILURES + [
            ("sam", PASSWORD)]:
        with pytest.raises(AuthenticationError) as refused:
            services.auth.login(username, password)
        messages.add(str(refused.value))
    assert messages == {REFUSED}
