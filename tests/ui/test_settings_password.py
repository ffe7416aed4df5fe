"""Settings → Save with a password in the database URL: the keyring has it, the file not."""

from __future__ import annotations

import stat

import keyring

from practice_rx.settings import settings_path
from practice_rx.ui.settings_dialog import SettingsDialog
from practice_rx.ui.session import Session
from tests.security.test_secrets import SECRET, URL, MemoryKeyring


def test_saving_a_url_with_a_password_puts_it_in_the_keyring(core, qtbot):
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    try:
        user = core.services.users.create("pat", "Pat Morgan", "admin", "a long password")
        dialog = SettingsDialog(Session(core, user))
        qtbot.addWidget(dialog)
        dialog.database_url.setText(URL)
        dialog.save()
        text = settings_path().read_text()
        assert SECRET not in text and "practice@dbserver:5433" in text
        assert stat.S_IMODE(settings_path().stat().st_mode) == 0o600
        assert SECRET not in dialog.database_url.text()
        assert list(ring.passwords.values()) == [SECRET]
        assert "keyring" in dialog.saved_note.text()
    finally:
        keyring.set_keyring(previous)
