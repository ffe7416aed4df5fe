"""Where PracticeRx keeps its files, and the workstation's settings file.

The embedded SQLite database lives in the user's data folder (platformdirs);
``PRACTICE_RX_DATABASE_URL`` or ``database_url`` in the settings file points a
workstation at a shared PostgreSQL server instead.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import platformdirs
import tomli_w

from practice_rx.errors import ValidationError

APP_NAME = "practice-rx"
DATABASE_URL_ENV = "PRACTICE_RX_DATABASE_URL"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'practice-rx.sqlite3'}"


@dataclass
class Settings:
    """What one workstation remembers between runs."""

    database_url: str = ""
    disabled_plugins: list[str] = field(default_factory=list)
    idle_lock_minutes: int = 10

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or settings_path()
        if not path.exists():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ValidationError.single(
                "settings", f"Settings file {path}: not valid TOML ({error})"
            ) from error
        known = {key: value for key, value in data.items() if key in cls.__dataclass_fields__}
        return cls(**known)

    def save(self, path: Path | None = None) -> None:
        path = path or settings_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(tomli_w.dumps(asdict(self)), encoding="utf-8")
        temporary.replace(path)

    def resolved_database_url(self) -> str:
        """The URL to open: the environment wins, then the settings file, then the default."""
        return os.environ.get(DATABASE_URL_ENV) or self.database_url or default_database_url()
