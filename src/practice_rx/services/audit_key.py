"""The audit trail's secret key: an HMAC key kept outside the database.

Someone who can write to the database can recompute a plain SHA-256 chain;
without this key they cannot make a keyed hash verify. The key lives in a file
(``PRACTICE_RX_AUDIT_KEY_FILE``, else ``audit_key_file`` in the settings file,
else ``audit.key`` in the workstation's config folder), created 0600 on first
use. Several workstations on one PostgreSQL server share one key file on the
practice's server. It is backed up separately from the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from practice_rx.errors import PracticeRxError

KEY_FILE_ENV = "PRACTICE_RX_AUDIT_KEY_FILE"
#: a keyed row's hash is ``h1:<key id>:<HMAC-SHA256, base64url>`` (55 characters, fits the column)
SCHEME = "h1"


class AuditKeyError(PracticeRxError):
    """The audit key is missing, unreadable or not the key this trail was sealed with."""


def key_file_path() -> Path:
    """Where this workstation's audit key is: the environment, the settings file, the default."""
    from practice_rx.settings import Settings, config_dir

    given = os.environ.get(KEY_FILE_ENV)
    if given:
        return Path(given).expanduser()
    try:
        configured = Settings.load().audit_key_file
    except PracticeRxError:
        configured = ""
    return Path(configured).expanduser() if configured else config_dir() / "audit.key"


@dataclass(frozen=True)
class AuditKey:
    """A loaded key; ``key_id`` names it in each hash without revealing it."""

    path: Path
    secret: bytes

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"practice-rx audit key id\0" + self.secret).hexdigest()[:8]

    def seal(self, canonical: bytes) -> str:
        digest = hmac.new(self.secret, canonical, hashlib.sha256).digest()
        return f"{SCHEME}:{self.key_id}:{base64.urlsafe_b64encode(digest).decode().rstrip('=')}"

    def matches(self, canonical: bytes, sealed: str) -> bool:
        return hmac.compare_digest(self.seal(canonical), sealed)


def key_id_of(sealed: str) -> str | None:
    """The key id in a keyed hash; None for a plain SHA-256 (a row from before keying)."""
    parts = sealed.split(":")
    return parts[1] if len(parts) == 3 and parts[0] == SCHEME else None


def _parse(path: Path, text: str) -> AuditKey:
    try:
        secret = bytes.fromhex(text.strip())
    except ValueError:
        secret = b""
    if len(secret) < 32:
        raise AuditKeyError(f"Audit key file {path}: not a PracticeRx audit key (expected 64 "
                            "hexadecimal characters); restore it from the key's backup")
    return AuditKey(path, secret)


def load_key(path: Path) -> AuditKey | None:
    """The key at ``path``, or None when there is no file (nothing is created)."""
    try:
        return _parse(path, path.read_text(encoding="ascii"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise AuditKeyError(f"Audit key file {path}: cannot be read ({error.__class__.__name__})"
                            ) from error


def create_key(path: Path) -> AuditKey:
    """A new random key, written 0600; if another workstation made it first, theirs is used."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = load_key(path)
        assert key is not None
        return key
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_hex(32) + "\n")
        file.flush()
        os.fsync(file.fileno())
    key = load_key(path)
    assert key is not None
    return key
