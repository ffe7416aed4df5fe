"""Fixtures that give every service test a real database on each backend.

Each test gets a fresh database copied from a template migrated once per run:
a SQLite file, and a PostgreSQL database created from a template database on a
server this session starts itself (or on ``PRACTICE_RX_TEST_POSTGRES_URL``).
A missing PostgreSQL is an error, not a skip; ``PRACTICE_RX_TEST_BACKENDS=sqlite``
opts out on purpose.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from practice_rx.services import Services
from practice_rx.storage.database import Database
from tests.support.postgres import throwaway_cluster

BACKENDS = [
    name for name in os.environ.get("PRACTICE_RX_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if name
]
TEMPLATE_DB = "practice_rx_template"
_database_numbers = itertools.count(1)


class Clock:
    """A clock the test moves by hand, so due dates and overdue lists are exact."""

    def __init__(self, now: datetime = datetime(2026, 11, 24, 9, 30)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def audit_key_file(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test seals its audit trail with its own key, and anchors it, in a folder of its own
    (never the real config folder)."""
    path = tmp_path_factory.mktemp("audit-key") / "audit.key"
    monkeypatch.setenv("PRACTICE_RX_AUDIT_KEY_FILE", str(path))
    return path


@pytest.fixture(autouse=True)
def site_config_dirs(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's machine-wide settings folder (XDG_CONFIG_DIRS), empty unless it writes
    one: a settings.toml an IT provider deployed to this machine never reaches a test."""
    path = tmp_path_factory.mktemp("site-config")
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(path))
    return path


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    given = os.environ.get("PRACTICE_RX_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    with throwaway_cluster() as cluster:
        yield cluster.url


def _admin(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_template(postgres_admin_url: str) -> str:
    _admin(postgres_admin_url, f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)")
    _admin(postgres_admin_url, f"CREATE DATABASE {TEMPLATE_DB}")
    url = make_url(postgres_admin_url).set(database=TEMPLATE_DB)
    Database.open(url.render_as_string(hide_password=False)).close()
    return TEMPLATE_DB


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    Database.open(f"sqlite:///{path}").close()
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def empty_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database (no tables) on the test's backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    name = f"practice_rx_empty_{os.getpid()}_{next(_database_numbers)}"
    _admin(admin, f"CREATE DATABASE {name}")
    yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    _admin(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def database_copy(request: pytest.FixtureRequest, backend: str, path: Path,
                  template: Path | str) -> Iterator[str]:
    """The URL of a copy of ``template``: a SQLite file copied to ``path``, or a PostgreSQL
    database made from the template database of that name and dropped afterwards."""
    if backend == "sqlite":
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    name = f"practice_rx_test_{os.getpid()}_{next(_database_numbers)}"
    _admin(admin, f"CREATE DATABASE {name} TEMPLATE {template}")
    yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    _admin(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new database at the current schema, on the test's backend."""
    template = request.getfixturevalue(
        "sqlite_template" if backend == "sqlite" else "postgres_template")
    with database_copy(request, backend, tmp_path / "practice.sqlite3", template) as url:
        yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.open(db_url)
    yield database
    database.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(db: Database, clock: Clock) -> Services:
    return Services(db, clock)
