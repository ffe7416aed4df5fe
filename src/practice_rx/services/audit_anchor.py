"""The external anchor: the audit chain's head, kept outside the database.

A chain checks itself only from the first row to whatever is the last row now;
cutting rows off its end leaves a shorter chain that still verifies. The anchor
is a small file beside the audit key recording the newest row this workstation
(or any sharing the key folder) saw committed: its id and its hash, and, when
written by ``practice-rx audit anchor``, how many rows there were up to it.
``verify`` then requires that row to be there, unchanged.

It is written after each commit that appended audit rows (one small file
replace, no fsync: a lost update only leaves an older, still true, anchor) and
only ever moves forward, so workstations racing each other can leave it a
little behind but never wrong.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url


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
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Anchor(int(data["last_id"]), str(data["last_hash"]),
                      None if data.get("count") is None else int(data["count"]),
                      str(data.get("written_at", "")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return Anchor(-1, "unreadable")


def write_anchor(path: Path, anchor: Anchor, identity: str, *, force: bool = False) -> bool:
    """Replace the anchor with ``anchor`` if it is newer (or ``force``); True if written."""
    if not force:
        current = read_anchor(path)
        if current is not None and current.last_id >= anchor.last_id and \
                not (current.last_id == anchor.last_id and anchor.count is not None):
            return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps({**asdict(anchor), "database": identity}, indent=1),
                         encoding="utf-8")
    os.chmod(temporary, 0o600)
    temporary.replace(path)
    return True
