"""Secrets out of files (issue 11, finding 7).

Before: settings.toml held the database password in plain text and was written
0644; a URL without a scheme echoed its password in the error message. The keyring
here is a real, small backend kept in memory (keyring's own ``KeyringBackend``),
set with ``keyring.set_keyring``: nothing of PracticeRx is replaced.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from sqlalchemy.engine import make_url

from practice_rx import passwords
from practice_rx.settings import Settings

SECRET = "s3cret-Pa55"
URL = f"postgresql+psycopg://practice:{SECRET}@dbserver:5433/practice_rx"


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in this process, for tests."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        del self.passwords[(service, username)]


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_the_settings_file_is_private_and_never_holds_the_password(tmp_path: Path,
                                                                   memory_keyring, monkeypatch):
    monkeypatch.delenv("PRACTICE_RX_DATABASE_URL", raising=False)
    path = tmp_path / "settings.toml"
    stored = passwords.store(make_url(URL))
    Settings(database_url=URL).save(path)  # even given one, the file gets none
    text = path.read_text()
    assert SECRET not in text and "practice@dbserver:5433/practice_rx" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stored.password is None
    assert memory_keyring.passwords == {
        ("practice-rx", "practice@dbserver:5433/practice_rx"): SECRET}
    # On opening, the URL gets its password back from the keyring.
    assert make_url(Settings.load(path).resolved_database_url()).password == SECRET


def test_an_old_world_readable_file_is_rewritten_private(tmp_path: Path):
    path = tmp_path / "settings.toml"
    path.write_text("idle_lock_minutes = 10\n")
    path.chmod(0o644)
    Settings.load(path).save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_with_no_keyring_it_says_so_and_names_pgpass(no_keyring, monkeypatch):
    monkeypatch.delenv("PRACTICE_RX_DATABASE_URL", raising=False)
    with pytest.raises(passwords.NoKeyringError, match="no password store") as refused:
        passwords.store(make_url(URL))
    assert "~/.pgpass" in str(refused.value) and SECRET not in str(refused.value)
    # Opening still works without one: libpq's ~/.pgpass or service file can supply it.
    bare = "postgresql+psycopg://practice@dbserver/practice_rx"
    assert Settings(database_url=bare).resolved_database_url() == bare


def test_a_sqlite_url_never_touches_the_keyring(no_keyring, monkeypatch):
    monkeypatch.delenv("PRACTICE_RX_DATABASE_URL", raising=False)
    assert Settings(database_url="sqlite:///x.sqlite3").resolved_database_url() == (
        "sqlite:///x.sqlite3")
