"""Database URLs: parsed part by part, each malformed part named, the password never shown.

A URL comes from a person (settings, ``--database``, an environment variable), so
every refusal says which part is wrong and what is expected, and every message
shows the URL with its password masked, even when the URL cannot be parsed.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from practice_rx.errors import DatabaseError

EXPECTED = "sqlite:///path/to/file.sqlite3 or postgresql+psycopg://user@host/dbname"
SQLITE_DRIVERS = {"sqlite", "sqlite+pysqlite"}
POSTGRES_DRIVERS = {"postgresql", "postgresql+psycopg"}
# Kernel and device trees: a file there is never a database (and writing one may hang or harm).
FORBIDDEN_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"))
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def mask_password(url: str) -> str:
    """``url`` with whatever stands between ``user:`` and ``@`` replaced by ``***``.

    Works on text that is not a URL at all (no scheme, a bad port), so a message about a
    malformed URL can quote it safely.
    """
    scheme = _SCHEME.match(url)
    start = scheme.end() if scheme else 0
    rest = url[start:]
    slash = rest.find("/")
    authority_end = len(rest) if slash < 0 else slash
    at = rest.rfind("@", 0, authority_end)
    if at < 0:
        at = rest.rfind("@")  # an unencoded '/' in the password: mask up to the last '@'
        if at < 0:
            return url
    userinfo = rest[:at]
    if ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{url[:start]}{user}:***{rest[at:]}"


def safe_url(url: str | URL) -> str:
    """The URL with any password hidden, for screens and logs."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return mask_password(url)


def parse_url(url: str) -> URL:
    """The parsed URL, or a :class:`DatabaseError` naming the malformed part."""
    shown = mask_password(url)
    text = url.strip()
    if not text:
        raise DatabaseError(f"Database URL: it is empty; expected {EXPECTED}")
    if not _SCHEME.match(text):
        raise DatabaseError(
            f"Database URL: '{shown}' has no scheme (the part before '://'); "
            f"expected {EXPECTED}")
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise DatabaseError(
            f"Database URL: '{shown}' is not a database URL; expected {EXPECTED}"
        ) from None
    except ValueError:
        raise DatabaseError(
            f"Database URL: in '{shown}', the port is not a number; give one such as 5432, "
            "or leave it out for the default") from None
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise DatabaseError(
            f"Database URL: in '{shown}', the port {parsed.port} is out of range (1 to 65535)")
    if parsed.host and "@" in parsed.host:
        raise DatabaseError(
            f"Database URL: in '{shown}', there is more than one '@'; write an '@' in the "
            "user name or password as %40")
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _check_sqlite(parsed, shown)
    elif backend == "postgresql":
        if parsed.drivername not in POSTGRES_DRIVERS:
            raise DatabaseError(
                f"Database URL: in '{shown}', the driver '{parsed.get_driver_name()}' is not "
                "supported; use postgresql+psycopg:// (or postgresql://)")
        if not parsed.database:
            raise DatabaseError(
                f"Database URL: in '{shown}', no database name; add it after the host, as in "
                "postgresql+psycopg://user@host/practice_rx")
    else:
        raise DatabaseError(
            f"Database URL: in '{shown}', '{backend}' databases are not supported; "
            "use SQLite (the default) or PostgreSQL")
    return parsed


def _check_sqlite(parsed: URL, shown: str) -> None:
    if parsed.drivername not in SQLITE_DRIVERS:
        raise DatabaseError(
            f"Database URL: in '{shown}', the driver '{parsed.get_driver_name()}' is not "
            "supported; use sqlite:///path/to/file.sqlite3")
    database = parsed.database
    if not database or database == ":memory:":
        return
    path = Path(database).expanduser().resolve()
    for folder in FORBIDDEN_FOLDERS:
        if path == folder or folder in path.parents:
            raise DatabaseError(
                f"Database URL: in '{shown}', {folder} is a system folder, not a place for a "
                "database file; choose a file in your data folder")
    if path.is_dir():
        raise DatabaseError(
            f"Database URL: in '{shown}', {path} is a folder; give the path of a database file "
            "in it, such as practice-rx.sqlite3")


def sqlite_path(parsed: URL) -> Path | None:
    """The database file of a SQLite URL (None for other backends and in-memory databases)."""
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def without_password(url: URL) -> URL:
    """``url`` with no password (``URL.set(password=None)`` would leave it as it was)."""
    return URL.create(url.drivername, url.username, None, url.host, url.port, url.database,
                      url.query)
