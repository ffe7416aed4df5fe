"""A keyring kept in a JSON file, for tests and for trying MESH without an OS keyring.

A real ``keyring`` backend (a :class:`keyring.backend.KeyringBackend`): set it
with ``keyring.set_keyring(FileKeyring(path))`` in a test, or for another
process with ``PYTHON_KEYRING_BACKEND=practice_rx.testing.keyring_file.FileKeyring``
and ``PRACTICE_RX_KEYRING_FILE=<path>``. The file holds secrets in the clear:
never use it for real ones.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

FILE_ENV = "PRACTICE_RX_KEYRING_FILE"


class FileKeyring(KeyringBackend):
    """Passwords by (service, username) in one JSON file, written 0600."""

    @properties.classproperty
    def priority(cls) -> float:
        """Chosen by keyring's own search only when the file is named in the environment."""
        if not os.environ.get(FILE_ENV):
            raise RuntimeError(f"{FILE_ENV} is not set")
        return 0.5

    def __init__(self, path: Path | str | None = None) -> None:
        super().__init__()
        self.path = Path(path or os.environ[FILE_ENV])

    def _read(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def _write(self, data: dict[str, str]) -> None:
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump(data, file)

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._read()
        data[f"{service}\n{username}"] = password
        self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._read()
        if data.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError(username)
        self._write(data)
