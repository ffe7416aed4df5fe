"""The external anchor: the audit chain's head, kept outside the database.

A chain checks itself only from the first row to whatever is the last row now;
cutting rows off its end leaves a shorter chain that still verifies. The anchor
is a small file beside the audit key recording the newest row this workstation
(or any sharing the key folder) saw committed: its id and its hash, and, when
written by ``practice-rx audit anchor``, how many rows there were up to it.
``verify`` then requires that row to be there, unchanged.

It is written after each commit that appended audit rows: one fixed-size
record overwritten in place (about 10 microseconds; a temporary file and a
rename cost 2 ms here), no fsync, since a lost update only leaves an older,
still true, anchor. It only ever moves forward (read, compare and write under
a file lock where the OS has one), so workstations racing each other can leave
it a little behind but never wrong.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import suppress
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

try:
    import fcntl
except ImportError:  # Windows: the forward-only rule still holds without the lock, nearly always
    fcntl = None  # type: ignore[assignment]

#: the anchor record's fixed size: one disk sector, so it is written whole or not at all
RECORD_SIZE = 512


@dataclass(frozen=True)
class Anchor:
    last_id: int
    last_hash: str
    #: rows with id <= last_id; None when written on a commit (counting would scan the table)
    count: int | None = None
    written_at: str = ""


def database_identity(url: URL | str) -> str:
    """The database, whoever connects: a SQLite file's real path, or host:port/name for PostgreSQL."""
    url = make_url(url) if isinstance(url, str) else url
    if url.get_backend_name() == "sqlite":
        return f"sqlite:{Path(url.database or '').resolve()}"
    return f"postgresql://{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def anchor_path(key_file: Path, url: URL | str) -> Path:
    digest = hashlib.sha256(database_identity(url).encode()).hexdigest()[:16]
    return key_file.parent / f"audit-anchor-{digest}.json"


def read_anchor(path: Path) -> Anchor | None:
    """The anchor, None when there is none, or ``last_id`` -1 when it cannot be read."""
    try:
        return _parse(path.read_bytes().decode("utf-8", "replace"))
    except FileNotFoundError:
        return None
    except OSError:
        return Anchor(-1, "unreadable")


def _parse(data: str) -> Anchor | None:
    if not data.strip():
        return None
    try:
        fields = json.loads(data)
        return Anchor(int(fields["last_id"]), str(fields["last_hash"]),
                      None if fields.get("count") is None else int(fields["count"]),
                      str(fields.get("written_at", "")))
    except (ValueError, KeyError, TypeError):
        return Anchor(-1, "unreadable")


def write_anchor(path: Path, anchor: Anchor, identity: str, *, force: bool = False) -> bool:
    """Overwrite the anchor with ``anchor`` if it is newer (or ``force``); True if written."""
    record = json.dumps({**asdict(anchor), "database": identity[-200:]}).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            with suppress(OSError):
                fcntl.flock(descriptor, fcntl.LOCK_EX)
        if not force:
            current = _parse(os.pread(descriptor, RECORD_SIZE, 0).decode("utf-8", "replace"))
            if current is not None and current.last_id >= anchor.last_id and \
                    not (current.last_id == anchor.last_id and anchor.count is not None):
                return False
        os.pwrite(descriptor, record.ljust(RECORD_SIZE), 0)
        return True
    finally:
        os.close(descriptor)
