"""Logging in: argon2id hashes, lockout after failures, disabled accounts, the CLI."""

from __future__ import annotations

import io

import pytest

from practice_rx.cli import main
from practice_rx.errors import AuthenticationError, ValidationError
from practice_rx.services.auth import LOCK_MINUTES, MAX_FAILURES, REFUSED
from practice_rx.services.audit import AuditFilter
from tests.support.factories import admin

PASSWORD = "correct horse battery"


@pytest.fixture
def sam(services):
    return services.users.create("sam", "Sam Jones", "receptionist", PASSWORD)


def test_password_is_stored_as_argon2id(services, sam):
    stored = services.users.get(sam.id).password_hash
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored


def test_login_and_wrong_password(services, sam):
    assert services.auth.login("sam", PASSWORD).id == sam.id
    with pytest.raises(AuthenticationError, match="check the username and password"):
        services.auth.login("sam", "wrong")
    with pytest.raises(AuthenticationError, match="check the username and password"):
        services.auth.login("nobody", PASSWORD)


def test_lockout_after_repeated_failures_then_it_expires(services, sam, clock):
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthenticationError, match="check the username"):
            services.auth.login("sam", "wrong")
    with pytest.raises(AuthenticationError) as refused:
        services.auth.login("sam", PASSWORD)  # even the right password, while locked
    assert str(refused.value) == REFUSED  # the same words as a wrong password: nothing to probe
    clock.advance(minutes=LOCK_MINUTES + 1)
    assert services.auth.login("sam", PASSWORD).id == sam.id
    actions = [row.action for row in services.audit.list(admin(services), AuditFilter(
        user_id=sam.id))]
    assert actions.count("login_failed") == MAX_FAILURES and actions[0] == "login"


def test_a_disabled_user_cannot_log_in(services, sam):
    services.users.set_active(admin(services), sam.id, False)
    with pytest.raises(AuthenticationError, match="disabled"):
        services.auth.login("sam", PASSWORD)


def test_short_passwords_are_refused(services):
    with pytest.raises(ValidationError, match="Password: use at least 10 characters"):
        services.users.create("kim", "Kim Lee", "clinician", "short")


def test_first_admin_and_user_management_from_the_cli(services, db_url, monkeypatch, capsys):
    assert services.users.needs_first_admin()
    monkeypatch.setattr("sys.stdin", io.StringIO("an admin password\n"))
    assert main(["--database", db_url, "users", "add", "pat", "--name", "Pat Morgan",
                 "--role", "admin", "--password-stdin"]) == 0
    assert not services.users.needs_first_admin()
    monkeypatch.setattr("sys.stdin", io.StringIO("a receptionist pw\n"))
    assert main(["--database", db_url, "users", "add", "sam", "--name", "Sam Jones",
                 "--role", "receptionist", "--password-stdin"]) == 0
    assert main(["--database", db_url, "users", "disable", "sam"]) == 0
    with pytest.raises(AuthenticationError, match="disabled"):
        services.auth.login("sam", "a receptionist pw")
    assert main(["--database", db_url, "users", "enable", "sam"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\n"))
    assert main(["--database", db_url, "users", "reset-password", "sam", "--password-stdin"]) == 0
    assert services.auth.login("sam", "a brand new password").username == "sam"
    capsys.readouterr()
    assert main(["--database", db_url, "users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "pat" in listing and "admin" in listing and "can log in" in listing
    assert main(["--database", db_url, "users", "disable", "nobody"]) == 2


def test_the_last_admin_cannot_be_disabled(services):
    pat = services.users.create("pat", "Pat Morgan", "admin", "an admin password")
    with pytest.raises(ValidationError, match="Pat Morgan is the last active admin"):
        services.users.set_active(pat.id, pat.id, False)
    kim = services.users.create("kim", "Kim Lee", "admin", "another admin pw")
    services.users.set_active(kim.id, pat.id, False)
    assert not services.users.get(pat.id).active


def test_the_stand_in_hash_costs_what_a_real_check_does():
    """An unknown user's refusal checks the written-out stand-in hash: at the hasher's own
    cost, so it takes as long as a wrong password does (and it matches nobody's password)."""
    from argon2 import extract_parameters

    from practice_rx.services import auth

    assert extract_parameters(auth._DUMMY_HASH) == extract_parameters(auth.hash_password("x"))
    assert not auth.HASHER.check_needs_rehash(auth._DUMMY_HASH)
