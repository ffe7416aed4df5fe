"""This workstation's view preferences (column layout, saved filters), in one INI file.

A file path under the config folder rather than QSettings' default location:
Qt fixes that location once per process, while the config folder follows the
environment (so each test gets its own, and a user's are never touched).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from practice_rx.settings import config_dir


def preferences() -> QSettings:
    return QSettings(str(config_dir() / "workstation.ini"), QSettings.Format.IniFormat)
