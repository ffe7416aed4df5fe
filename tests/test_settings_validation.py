"""Settings files and database URLs are checked, each fault named (issue 11, finding 9, part).

Before: a settings file that was not UTF-8, or was a folder, crashed with a traceback;
``idle_lock_minutes = "ten"`` was accepted; a URL with port ``abc`` or a SQLite path
under /proc crashed; ``+asyncpg`` failed inside SQLAlchemy; a URL without a scheme
echoed its password.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from practice_rx.cli import main
from practice_rx.errors import DatabaseError, ValidationError
from practice_rx.settings import Settings
from practice_rx.storage.database import Database

SECRET = "s3cret-Pa55"


@pytest.fixture
def config(tmp_path, monkeypatch) -> Path:
    """The settings file's place, in the test's folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("PRACTICE_RX_DATABASE_URL", raising=False)
    path = tmp_path / "config" / "practice-rx" / "settings.toml"
    path.parent.mkdir(parents=True)
    return path


@pytest.mark.parametrize("content, expected", [
    (b"idle_lock_minutes = \"ten\"", "idle_lock_minutes must be a whole number of minutes"),
    (b"idle_lock_minutes = 0", "idle_lock_minutes must be a whole number of minutes from 1"),
    (b"idle_lock_minutes = true", "idle_lock_minutes must be"),
    (b"idle_lock_minutes = 2.5", "idle_lock_minutes must be"),
    (b"disabled_plugins = \"south-leeds\"", "disabled_plugins must be a list"),
    (b"database_url = 5", "database_url must be a URL"),
    (b"database_url = \"postgresql://u@h:abc/db\"", "database_url: Database URL: in"),
    (b"\xff\xfeidle_lock_minutes = 10", "is not UTF-8 text"),
    (b"idle_lock_minutes = ", "not valid TOML"),
])
def test_a_bad_settings_file_is_a_message_naming_the_key(config, content, expected, capsys):
    config.write_bytes(content)
    with pytest.raises(ValidationError, match=expected) as refused:
        Settings.load(config)
    assert str(config) in str(refused.value)
    assert main(["db", "info"]) == 2  # the command line says it, with no traceback
    err = capsys.readouterr().err
    assert err.startswith("practice-rx: Settings file") and "Traceback" not in err


def test_a_settings_folder_is_a_message(config, capsys):
    config.mkdir()
    with pytest.raises(ValidationError, match="is a folder, not a file"):
        Settings.load(config)
    assert main(["db", "info"]) == 2 and "is a folder" in capsys.readouterr().err


def test_a_good_settings_file_loads(config):
    config.write_text('idle_lock_minutes = 15\ndisabled_plugins = ["south-leeds"]\n'
                      'someday_setting = 1\n')
    settings = Settings.load(config)
    assert settings.idle_lock_minutes == 15 and settings.disabled_plugins == ["south-leeds"]


@pytest.mark.parametrize("url, part", [
    (f"localhost:{SECRET}@server/practice_rx", "has no scheme"),
    (f"practice:{SECRET}@server/practice_rx", "has no scheme"),
    (f"postgresql+psycopg://practice:{SECRET}@server:abc/practice_rx", "the port is not a number"),
    (f"postgresql://practice:{SECRET}@server:70000/practice_rx", "out of range"),
    (f"postgresql+asyncpg://practice:{SECRET}@server/practice_rx", "the driver 'asyncpg'"),
    (f"postgresql://practice:{SECRET}@server", "no database name"),
    (f"postgresql://practice:{SECRET}@x@server/db", "more than one '@'"),
    (f"mysql://practice:{SECRET}@server/db", "'mysql' databases are not supported"),
    ("sqlite:////proc/self/practice.sqlite3", "/proc is a system folder"),
    ("sqlite:////sys/practice.sqlite3", "/sys is a system folder"),
    ("", "it is empty"),
])
def test_each_malformed_part_is_named_and_the_password_masked(url, part, capsys):
    with pytest.raises(DatabaseError, match=part) as refused:
        Database.open(url)
    assert SECRET not in str(refused.value)
    if url:
        assert main(["--database", url, "db", "info"]) == 2
        err = capsys.readouterr().err
        assert part.split("'")[0] in err and SECRET not in err and "Traceback" not in err


def test_a_sqlite_url_naming_a_folder_is_refused(tmp_path):
    with pytest.raises(DatabaseError, match="is a folder"):
        Database.open(f"sqlite:///{tmp_path}")
