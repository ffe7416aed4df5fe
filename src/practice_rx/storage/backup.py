"""Backing up and restoring a practice's database.

SQLite uses the online backup API, so a backup can be taken while other
workstations are working; PostgreSQL uses pg_dump and pg_restore in their
custom format. A restore refuses a backup made by a newer PracticeRx.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from practice_rx.errors import DatabaseError, SchemaTooNewError
from practice_rx.storage import migrate


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client tool: on PATH, or in Debian's versioned folders."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise DatabaseError(f"{name} is not installed; install the PostgreSQL client tools")
    return found


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432),
            "--username", url.username or os.environ.get("USER", "postgres"),
            "--dbname", url.database or "postgres", "--no-password"]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise DatabaseError(f"{Path(command[0]).name} failed: {result.stderr.strip()[:500]}")


def backup(database_url: str, target: Path) -> Path:
    """Write a consistent copy of the database to ``target``."""
    url = make_url(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
            source.close()
        return target
    args, env = _pg_args(url)
    _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args], env)
    return target


def _sqlite_revision(path: Path) -> str | None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problem = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if problem != "ok":
            raise DatabaseError(f"The backup {path.name} is damaged: {problem}")
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"{path.name} is not a PracticeRx SQLite backup: {error}") from error
    finally:
        connection.close()


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with the backup's. Close every workstation first."""
    url = make_url(database_url)
    if not source.exists():
        raise DatabaseError(f"Backup file {source} does not exist")
    if url.get_backend_name() == "sqlite":
        revision = _sqlite_revision(source)
        if revision not in migrate.known_revisions():
            raise SchemaTooNewError(
                f"The backup {source.name} was made by a newer version of PracticeRx "
                f"(schema {revision}); nothing was restored.")
        target = Path(url.database)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as staging:
            staging_path = Path(staging.name)
        backup(f"sqlite:///{source}", staging_path)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        staging_path.replace(target)
        return
    args, env = _pg_args(url)
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          *args, str(source)], env)
