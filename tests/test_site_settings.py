"""Machine-wide settings an IT provider deploys, under each user's own (issue 18).

Real files in the test's folders: XDG_CONFIG_DIRS is the machine-wide folder (as
/etc/xdg on Linux; C:\\ProgramData on Windows is the same code through platformdirs),
XDG_CONFIG_HOME the user's.
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

import pytest

from practice_rx.cli import main
from practice_rx.errors import ValidationError
from practice_rx.settings import Settings, site_settings_path
from practice_rx.startup import start

SITE_URL = "postgresql+psycopg://practice_app@dbserver.example/practice_rx"


@pytest.fixture
def files(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """(the machine-wide settings file, the user's), neither written yet."""
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "etc-xdg"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home-data"))
    monkeypatch.delenv("PRACTICE_RX_DATABASE_URL", raising=False)
    site = tmp_path / "etc-xdg" / "practice-rx" / "settings.toml"
    user = tmp_path / "home-config" / "practice-rx" / "settings.toml"
    site.parent.mkdir(parents=True)
    user.parent.mkdir(parents=True)
    return site, user


def test_the_machine_wide_file_is_in_xdg_config_dirs(files):
    site, _ = files
    assert site_settings_path() == site


def test_the_machine_wide_file_gives_the_defaults_and_the_user_overrides_them(files):
    site, user = files
    site.write_text(f'database_url = "{SITE_URL}"\nidle_lock_minutes = 5\n', encoding="utf-8")
    assert Settings.load().database_url == SITE_URL
    assert Settings.load().idle_lock_minutes == 5
    user.write_text("idle_lock_minutes = 15\n", encoding="utf-8")
    settings = Settings.load()
    assert (settings.database_url, settings.idle_lock_minutes) == (SITE_URL, 15)


def test_a_user_file_saved_before_the_site_file_does_not_hide_it(files):
    """Older versions wrote every key: database_url = "" there means "not set"."""
    site, user = files
    Settings().save()  # every key, at its default
    assert 'database_url = ""' in user.read_text(encoding="utf-8")
    site.write_text(f'database_url = "{SITE_URL}"\n', encoding="utf-8")
    assert Settings.load().database_url == SITE_URL


def test_plugins_switched_off_machine_wide_stay_off_whatever_the_user_lists(files):
    site, user = files
    site.write_text('disabled_plugins = ["south_leeds"]\n', encoding="utf-8")
    user.write_text('disabled_plugins = ["other_area"]\n', encoding="utf-8")
    assert Settings.load().disabled_plugins == ["south_leeds", "other_area"]
    user.write_text("disabled_plugins = []\n", encoding="utf-8")
    assert Settings.load().disabled_plugins == ["south_leeds"]


def test_saving_writes_only_the_users_own_settings(files):
    """The user turning a plugin back on (as the plugins view does) cannot undo the
    machine-wide switch-off, and the site's URL is not copied into the user's file."""
    site, user = files
    site.write_text(f'database_url = "{SITE_URL}"\ndisabled_plugins = ["south_leeds"]\n',
                    encoding="utf-8")
    settings = Settings.load()
    settings.disabled_plugins = [name for name in settings.disabled_plugins
                                 if name != "south_leeds"] + ["other_area"]
    settings.idle_lock_minutes = 20
    settings.save()
    written = tomllib.loads(user.read_text(encoding="utf-8"))
    assert "database_url" not in written
    assert written["disabled_plugins"] == ["other_area"]
    assert written["idle_lock_minutes"] == 20
    again = Settings.load()
    assert again.disabled_plugins == ["south_leeds", "other_area"]
    site.write_text('database_url = "sqlite:///elsewhere.sqlite3"\n', encoding="utf-8")
    assert Settings.load().database_url == "sqlite:///elsewhere.sqlite3"  # the change reaches


def test_a_locked_key_in_the_user_file_is_ignored_and_said(files, caplog):
    site, user = files
    site.write_text(f'database_url = "{SITE_URL}"\nlocked = ["database_url"]\n',
                    encoding="utf-8")
    user.write_text('database_url = "sqlite:///my-own.sqlite3"\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="practice_rx.settings"):
        settings = Settings.load()
    assert settings.database_url == SITE_URL
    assert "database_url" in settings.locked
    assert "locked there" in caplog.text and str(site) in caplog.text
    settings.idle_lock_minutes = 12
    settings.save()  # another setting saved: the locked key is left out of the user's file
    assert "database_url" not in tomllib.loads(user.read_text(encoding="utf-8"))
    settings.database_url = "sqlite:///my-own.sqlite3"
    with pytest.raises(ValidationError, match=f"database_url is set for every user of this "
                       f"computer in {site} \\(locked there\\)"):
        settings.save()
    assert tomllib.loads(user.read_text(encoding="utf-8"))["idle_lock_minutes"] == 12


def test_locked_in_a_users_file_locks_nothing(files, caplog):
    _, user = files
    user.write_text('locked = ["database_url"]\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="practice_rx.settings"):
        assert Settings.load().locked == frozenset()
    assert "read only from the machine-wide file" in caplog.text


@pytest.mark.parametrize("content, key", [
    (b"idle_lock_minutes = 0", "idle_lock_minutes must be a whole number of minutes"),
    (b'disabled_plugins = "south_leeds"', "disabled_plugins must be a list"),
    (b'database_url = "postgresql://u@h:abc/db"', "database_url: Database URL"),
    (b'locked = ["database_ur1"]', "locked must be a list of setting names"),
    (b'locked = "database_url"', "locked must be a list of setting names"),
    (b"idle_lock_minutes = ", "not valid TOML"),
])
def test_a_bad_machine_wide_file_is_a_message_naming_it_and_the_key(files, content, key,
                                                                   capsys):
    site, user = files
    site.write_bytes(content)
    user.write_text("idle_lock_minutes = 15\n", encoding="utf-8")  # a good user file too
    with pytest.raises(ValidationError, match=key) as refused:
        Settings.load()
    assert str(site) in str(refused.value)
    assert main(["db", "info"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"practice-rx: Settings file {site}") and "Traceback" not in err


def test_a_bad_user_value_over_a_good_site_file_names_the_users_file(files):
    site, user = files
    site.write_text("idle_lock_minutes = 5\n", encoding="utf-8")
    user.write_text('idle_lock_minutes = "ten"\n', encoding="utf-8")
    with pytest.raises(ValidationError, match="idle_lock_minutes") as refused:
        Settings.load()
    assert str(user) in str(refused.value) and str(site) not in str(refused.value)


def test_the_site_database_is_the_one_every_command_opens(files, tmp_path):
    site, _ = files
    shared = tmp_path / "shared.sqlite3"
    site.write_text(f'database_url = "sqlite:///{shared}"\n', encoding="utf-8")
    assert main(["db", "upgrade"]) == 0
    assert shared.exists()


def test_a_plugin_switched_off_machine_wide_is_not_loaded(files, tmp_path):
    """H58: an IT provider's switch-off holds even when the user's file lists none."""
    site, user = files
    site.write_text('disabled_plugins = ["national"]\n', encoding="utf-8")
    user.write_text("disabled_plugins = []\n", encoding="utf-8")
    app = start(f"sqlite:///{tmp_path / 'practice.sqlite3'}")
    try:
        national = next(info for info in app.plugins.info() if info.name == "national")
        assert not national.enabled and not national.loaded
    finally:
        app.close()


def test_db_info_says_which_file_named_the_database(files, tmp_path, capsys, monkeypatch):
    """H57: a PC pointed at the wrong database by the machine-wide file can be told."""
    site, user = files
    shared = tmp_path / "shared.sqlite3"
    site.write_text(f'database_url = "sqlite:///{shared}"\nlocked = ["database_url"]\n',
                    encoding="utf-8")
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["db", "info"]) == 0
    out = capsys.readouterr().out
    assert f"From:      the machine-wide settings file {site}, locked there" in out
    site.unlink()
    user.write_text(f'database_url = "sqlite:///{shared}"\n', encoding="utf-8")
    assert main(["db", "info"]) == 0
    assert "From:      this user's settings file" in capsys.readouterr().out
    monkeypatch.setenv("PRACTICE_RX_DATABASE_URL", f"sqlite:///{shared}")
    assert main(["db", "info"]) == 0
    assert "From:      the environment variable PRACTICE_RX_DATABASE_URL" in \
        capsys.readouterr().out
