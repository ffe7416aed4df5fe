"""Opening a database: engine, connection settings, migrations and sessions.

One :class:`Database` per process; a session per user action
(``with db.transaction() as session:``). Opening runs the Alembic migrations, and
refuses, untouched, a database whose schema is newer than this application.
``Database.open(url, read_only=True)`` is for readers (``db info``, ``audit verify``):
it never creates, migrates or writes, and refuses a missing, empty or foreign file.

Errors never carry patient identifiers: engines hide bound parameters, and the
driver's own text is cut to its first line with quoted values removed (PostgreSQL's
``DETAIL: Key (nhs_number)=(...)`` and ``Failing row contains (...)``), so a message,
a log line or a traceback cannot show them.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from practice_rx.errors import ConflictError, DatabaseError
from practice_rx.storage.errors_text import damaged, first_line, scrub_driver_error
from practice_rx.storage.models import SCHEMA_REVISION
from practice_rx.storage.urls import parse_url, safe_url, sqlite_path

# FULL: a save the user was told about survives a power cut (NORMAL in WAL mode can lose
# the last ones). Its cost is measured by bench/durability.py (docs/performance.md).
SQLITE_SYNCHRONOUS = "FULL"
SQLITE_HEADER = b"SQLite format 3\x00"
RESTORE_ADVICE = ("Restore it from the latest backup (practice-rx restore FILE --yes) and "
                  "tell your practice's IT contact; do not keep working on it.")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, read_only: bool = False,
                    synchronous: str = SQLITE_SYNCHRONOUS) -> None:
    # Let SQLAlchemy, not the sqlite3 module, say when a transaction begins (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    if read_only:
        cursor.execute("PRAGMA query_only=ON")
    else:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.close()


def _scrub(context: Any) -> None:
    """Engine ``handle_error`` hook: the driver's text loses everything but its first line."""
    scrub_driver_error(context.original_exception)
    if context.sqlalchemy_exception is not None:  # its text was made from the driver's
        scrub_driver_error(context.sqlalchemy_exception)


def _sqlite_begin(connection: Connection) -> None:
    # Writers take the lock when they start: a deferred read-then-write transaction in WAL
    # mode fails at once, without waiting, if another workstation wrote in between.
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def stored_revision(connection: Connection) -> str | None:
    """The schema revision recorded in the database, without loading Alembic."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def create_engine_for(url: str, *, read_only: bool = False,
                      synchronous: str = SQLITE_SYNCHRONOUS) -> Engine:
    """An engine for ``url``; SQLite files get their folder, WAL, FULL sync and foreign keys.

    ``read_only`` opens an existing SQLite file read-only (a missing, empty or foreign file
    is refused, never created) and PostgreSQL sessions as read-only transactions.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, read_only, synchronous)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    connect_args: dict[str, Any] = {"connect_timeout": 5}
    if read_only:
        connect_args["options"] = "-c default_transaction_read_only=on"
    engine = create_engine(parsed, pool_pre_ping=True, hide_parameters=True,
                           connect_args=connect_args)
    event.listen(engine, "handle_error", _scrub)
    return engine


def _sqlite_engine(parsed: URL, read_only: bool, synchronous: str) -> Engine:
    path = sqlite_path(parsed)
    options: dict[str, Any] = {"connect_args": {"timeout": 10}, "hide_parameters": True}
    if read_only and path is not None:
        existing_sqlite_file(parsed)
        # mode=rw never creates the file, and query_only refuses writes; unlike mode=ro it
        # lets the last connection remove the -wal and -shm files it needed, so a reader
        # leaves the folder as it found it. A file we may not write is opened mode=ro.
        mode = "rw" if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK) else "ro"
        uri = f"{path.resolve().as_uri()}?mode={mode}"
        options["creator"] = lambda: sqlite3.connect(uri, uri=True, timeout=10,
                                                     check_same_thread=False)
    elif path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **options)
    event.listen(engine, "connect", lambda connection, record: _sqlite_pragmas(
        connection, record, read_only=read_only, synchronous=synchronous))
    event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "handle_error", _scrub)
    return engine


def existing_sqlite_file(parsed: URL) -> None:
    """Refuse, without creating anything, a path that is not a SQLite database file."""
    path = sqlite_path(parsed)
    if path is None:
        return
    if not path.exists():
        raise DatabaseError(f"There is no database at {path}: check the path (nothing was "
                            "created). To create a new one, run practice-rx db upgrade.")
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file.")
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as error:
        raise DatabaseError(f"The database file {path} cannot be read ({error.strerror}).") \
            from None
    if not header:
        raise DatabaseError(f"The file {path} is empty (0 bytes): it is not a PracticeRx "
                            "database. Check the path, or restore the database from a backup.")
    if header != SQLITE_HEADER:
        raise DatabaseError(f"The file {path} is not a SQLite database. Check the path, or "
                            "restore the database from a backup.")


def check_connection(url: str) -> str:
    """Connect to ``url`` and say what is there, for a settings screen's "Test connection".

    Nothing is migrated; only a new SQLite file (and its folder) is created.
    """
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            revision = stored_revision(connection)
    except (OperationalError, SADatabaseError) as error:
        raise DatabaseError(
            f"Cannot connect to {safe_url(url)}: {first_line(error)}. Check the address, "
            "user name and password, and that the server is running."
        ) from error
    finally:
        engine.dispose()
    if revision is None:
        return "Connected. The database is empty: PracticeRx will set it up when it opens it."
    if revision == SCHEMA_REVISION:
        return f"Connected. The database is ready (schema {revision})."
    from practice_rx.storage import migrate

    if revision in migrate.known_revisions():
        return (f"Connected. The database is from an older PracticeRx (schema {revision}); "
                "it will be upgraded when PracticeRx opens it.")
    return (f"Connected, but the database was made by a newer PracticeRx (schema {revision}); "
            "this version cannot open it.")


class Database:
    """An open, migrated database and the sessions made on it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True, read_only: bool = False,
             any_schema: bool = False, quick_check: bool = True,
             synchronous: str = SQLITE_SYNCHRONOUS) -> Database:
        """Connect, check the schema is not newer than this app, and migrate it to head.

        ``read_only``: for readers; nothing is created, migrated or written, and unless
        ``any_schema``, a database without PracticeRx's tables or at another schema is refused;
        a SQLite file gets ``PRAGMA quick_check`` first, so a reader never reports on, or
        "verifies", a damaged file (``quick_check=False`` for ``db check``'s fuller check).
        """
        engine = create_engine_for(url, read_only=read_only, synchronous=synchronous)
        try:
            with engine.connect() as connection:
                current = stored_revision(connection)
            if read_only:
                _readable_schema(current, safe_url(url), any_schema)
                if quick_check and engine.url.get_backend_name() == "sqlite":
                    _pages_sound(engine, safe_url(url))
            elif current != SCHEMA_REVISION:  # Alembic is only loaded when there is work for it
                from practice_rx.storage import migrate

                with engine.connect() as connection:
                    migrate.refuse_newer_schema(connection)
                if upgrade:
                    migrate.upgrade(engine)
        except (OperationalError, SADatabaseError) as error:
            engine.dispose()
            if damaged(error):
                raise damaged_error(safe_url(url)) from None
            raise DatabaseError(
                f"Cannot open the database at {safe_url(url)}: {first_line(error)}. "
                "Check the database URL in settings and that the server is running."
            ) from error
        except Exception:
            engine.dispose()
            raise
        return cls(engine)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        return self.engine.url.get_backend_name()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed together, or not at all.

        A versioned row changed by someone else between load and save raises
        :class:`ConflictError`, and nothing of this transaction is saved.
        """
        try:
            with self._unreachable_as_error(), self._sessions() as session, session.begin():
                session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
                yield session
        except StaleDataError as error:
            raise ConflictError(
                "This record was changed on another workstation while you were saving. "
                "Nothing was overwritten: reload it to see the change, then make yours again."
            ) from error

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only; nothing is committed."""
        with self._unreachable_as_error(), self._sessions() as session:
            yield session

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Core connection for fast reads of plain rows (lists, counts)."""
        with self._unreachable_as_error(), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def _unreachable_as_error(self) -> Iterator[None]:
        """A lost server becomes a DatabaseError a person can act on; the pool reconnects later.

        A damaged file or page says so, and to restore from backup.
        """
        try:
            yield
        except (OperationalError, InterfaceError, SADatabaseError) as error:
            if damaged(error):
                raise damaged_error(self.url) from None
            if not isinstance(error, (OperationalError, InterfaceError)):
                raise
            raise DatabaseError(
                f"The database at {self.url} cannot be used right now ({first_line(error)}). "
                "Nothing was saved by this action; check the network or the database server, "
                "then try again."
            ) from error

    def check(self, *, schema: bool = True) -> list[str]:
        """Problems found in the database (empty when it is sound), for ``db check``.

        SQLite: ``PRAGMA integrity_check`` and the foreign keys; with ``schema``, both
        backends: the schema is PracticeRx's and every table and column of it is there.
        """
        from practice_rx.storage.check import check_database

        with self._unreachable_as_error():
            return check_database(self.engine, schema=schema)

    def table_counts(self) -> dict[str, int]:
        names = inspect(self.engine).get_table_names()
        with self.connect() as connection:
            return {
                name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in sorted(names)
                if name != "alembic_version"
            }

    def close(self) -> None:
        self.engine.dispose()


def damaged_error(url: str) -> DatabaseError:
    return DatabaseError(f"The database at {url} is damaged (its file or pages cannot be "
                         f"read as written). {RESTORE_ADVICE}")


def _pages_sound(engine: Engine, url: str) -> None:
    with engine.connect() as connection:
        rows = [row[0] for row in connection.exec_driver_sql("PRAGMA quick_check")]
    if rows != ["ok"]:
        raise damaged_error(url)


def existing_database(url: str) -> Database | None:
    """The database at ``url`` opened read-only, or None for a SQLite file not there yet
    (or of 0 bytes), which ``db upgrade`` may create."""
    path = sqlite_path(parse_url(url))
    if path is not None and (not path.exists() or (path.is_file() and not path.stat().st_size)):
        return None
    return Database.open(url, read_only=True, any_schema=True, quick_check=False)


def _readable_schema(revision: str | None, url: str, any_schema: bool) -> None:
    if any_schema:
        return
    if revision is None:
        raise DatabaseError(f"{url} holds no PracticeRx database (no schema). Check the path "
                            "or URL; to create a new database, run practice-rx db upgrade.")
    if revision == SCHEMA_REVISION:
        return
    from practice_rx.storage import migrate

    if revision not in migrate.known_revisions():
        raise DatabaseError(f"{url} was written by a newer PracticeRx (schema {revision}); it "
                            "was left untouched. Install the newer PracticeRx to read it.")
    raise DatabaseError(f"{url} is at an older schema ({revision}); run practice-rx db "
                        "upgrade first.")
