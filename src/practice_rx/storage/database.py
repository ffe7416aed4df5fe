"""Opening a database: engine, connection settings, migrations and sessions.

One :class:`Database` per process; a session per user action
(``with db.transaction() as session:``). Opening runs the Alembic migrations, and
refuses, untouched, a database whose schema is newer than this application.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from practice_rx.errors import ConflictError, DatabaseError
from practice_rx.storage.models import SCHEMA_REVISION


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, say when a transaction begins (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


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


def safe_url(url: str) -> str:
    """The URL with any password hidden, for screens and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def create_engine_for(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder, WAL and foreign keys."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise DatabaseError(
            f"Database URL: '{url}' is not a database URL; expected "
            "sqlite:///path/to/file.sqlite3 or postgresql+psycopg://user@host/dbname"
        ) from error
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    raise DatabaseError(
        f"Database URL: '{parsed.get_backend_name()}' databases are not supported; "
        "use SQLite (the default) or PostgreSQL"
    )


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
            f"Cannot connect to {safe_url(url)}: {_first_line(error)}. Check the address, "
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
    def open(cls, url: str, *, upgrade: bool = True) -> Database:
        """Connect, check the schema is not newer than this app, and migrate it to head."""
        engine = create_engine_for(url)
        try:
            with engine.connect() as connection:
                current = stored_revision(connection)
            if current != SCHEMA_REVISION:  # Alembic is only loaded when there is work for it
                from practice_rx.storage import migrate

                with engine.connect() as connection:
                    migrate.refuse_newer_schema(connection)
                if upgrade:
                    migrate.upgrade(engine)
        except (OperationalError, SADatabaseError) as error:
            engine.dispose()
            raise DatabaseError(
                f"Cannot open the database at {safe_url(url)}: {_first_line(error)}. "
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
        """A lost server becomes a DatabaseError a person can act on; the pool reconnects later."""
        try:
            yield
        except (OperationalError, InterfaceError) as error:
            raise DatabaseError(
                f"The database at {self.url} cannot be used right now ({_first_line(error)}). "
                "Nothing was saved by this action; check the network or the database server, "
                "then try again."
            ) from error

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


def _first_line(error: Exception) -> str:
    original = getattr(error, "orig", None) or error
    return str(original).strip().splitlines()[0] if str(original).strip() else type(error).__name__
