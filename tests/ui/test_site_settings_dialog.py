"""Settings when the IT provider set the database for every user of the PC (issue 18)."""

from __future__ import annotations

import tomllib

from PySide6.QtWidgets import QLabel

from practice_rx.settings import Settings, settings_path
from practice_rx.ui.session import Session
from practice_rx.ui.settings_dialog import SettingsDialog

SITE_URL = "postgresql+psycopg://practice_app@dbserver.example/practice_rx"


def _dialog(core, qtbot, site_config_dirs, content: str) -> SettingsDialog:
    site = site_config_dirs / "practice-rx" / "settings.toml"
    site.parent.mkdir(parents=True)
    site.write_text(content, encoding="utf-8")
    core.settings = Settings.load()
    user = core.services.users.create("pat", "Pat Morgan", "admin", "a long password")
    dialog = SettingsDialog(Session(core, user))
    qtbot.addWidget(dialog)
    return dialog


def _hints(dialog) -> str:
    return " ".join(label.text() for label in dialog.findChildren(QLabel))


def test_a_locked_database_url_is_shown_and_cannot_be_changed(core, qtbot, site_config_dirs):
    """H57: a user cannot point one PC elsewhere when the IT provider locked the URL,
    and sees where it is set."""
    dialog = _dialog(core, qtbot, site_config_dirs,
                     f'database_url = "{SITE_URL}"\nlocked = ["database_url"]\n')
    assert dialog.database_url.text() == SITE_URL and dialog.database_url.isReadOnly()
    assert "Set for every user of this computer in" in _hints(dialog)
    assert str(site_config_dirs) in _hints(dialog)


def test_the_site_database_url_is_said_to_be_the_machines_and_not_copied(core, qtbot,
                                                                        site_config_dirs):
    dialog = _dialog(core, qtbot, site_config_dirs, f'database_url = "{SITE_URL}"\n')
    assert not dialog.database_url.isReadOnly()
    assert "a URL saved here is used for you instead" in _hints(dialog)
    core.settings.idle_lock_minutes = 12
    core.settings.save()  # as a dialog saving another setting does
    assert "database_url" not in tomllib.loads(settings_path().read_text(encoding="utf-8"))
