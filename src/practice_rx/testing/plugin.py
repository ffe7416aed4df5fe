"""The pytest plugin of :mod:`practice_rx.testing`: fixtures for a plugin author's tests.

Installing practice-rx registers it (a ``pytest11`` entry point); before that,
``pytest -p practice_rx.testing.plugin``. Every fixture is named ``practice_rx_*``
so none clashes with a project's own. ``docs/plugin-testing.md`` is the guide.

Each test gets a new database at the current schema (a copy of one migrated
once per run), started through :func:`practice_rx.startup.start` with the
plugins under test, as the application starts. A problem the plugin host
records fails the test loudly, at start-up or afterwards, unless the test is
marked ``practice_rx_expect_problems``: a plugin that quietly lost its
catalogue must not pass its own tests.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from practice_rx.services.audit_key import KEY_FILE_ENV
from practice_rx.settings import Settings
from practice_rx.startup import App, start
from practice_rx.testing.kit import Clock, Kit, Users, plugin_entry_points

#: An administrator's URL on a PostgreSQL server; each test gets a new database on it.
POSTGRES_ENV = "PRACTICE_RX_TEST_POSTGRES_URL"
_numbers = itertools.count(1)

MARKERS = (
    ("practice_rx_plugins(*plugins): the plugins this test starts PracticeRx with "
    "(entry-point names, modules or 'module:attribute'); default: the installed ones"),
    ("practice_rx_expect_problems: the test expects the plugin host to record problems "
    "(errors) and checks practice_rx_app.plugins.errors itself"),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("practice-rx", "PracticeRx plugin testing")
    group.addoption("--practice-rx-postgres-url", metavar="URL", default=None,
                    help="run on PostgreSQL: an administrator's URL on a server where each test "
                         f"may create a database (default: ${POSTGRES_ENV}; else SQLite)")
    parser.addini("practice_rx_plugins", type="linelist", default=[],
                  help="the plugins the tests start PracticeRx with, by entry-point name or "
                       "module (default: every installed practice_rx plugin)")


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)


def _postgres_url(config: pytest.Config) -> str | None:
    return config.getoption("practice_rx_postgres_url") or os.environ.get(POSTGRES_ENV) or None


def pytest_report_header(config: pytest.Config) -> str:
    backend = "PostgreSQL" if _postgres_url(config) else "SQLite"
    return f"practice-rx testing kit: {backend} databases"


# -- the database ------------------------------------------------------------------------


def _admin(url: str, statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def _database(admin_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def practice_rx_template_database(request: pytest.FixtureRequest,
                                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated once per run, which each test's database is copied from
    (migrating for every test would make a suite slow for no gain)."""
    from practice_rx.storage.database import Database

    admin = _postgres_url(request.config)
    if admin is None:
        path = tmp_path_factory.mktemp("practice-rx-template") / "template.sqlite3"
        Database.open(f"sqlite:///{path}").close()
        yield str(path)
        return
    name = f"practice_rx_kit_template_{os.getpid()}"
    _admin(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _admin(admin, f"CREATE DATABASE {name}")
    Database.open(_database(admin, name)).close()
    yield name
    _admin(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def practice_rx_database_url(request: pytest.FixtureRequest, tmp_path: Path,
                             practice_rx_template_database: str) -> Iterator[str]:
    """The URL of a new database at the current schema: a SQLite file in ``tmp_path``,
    or a database on ``--practice-rx-postgres-url`` dropped afterwards."""
    admin = _postgres_url(request.config)
    if admin is None:
        path = tmp_path / "practice-rx.sqlite3"
        shutil.copyfile(practice_rx_template_database, path)
        yield f"sqlite:///{path}"
        return
    name = f"practice_rx_kit_{os.getpid()}_{next(_numbers)}"
    _admin(admin, f"CREATE DATABASE {name} TEMPLATE {practice_rx_template_database}")
    yield _database(admin, name)
    _admin(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# -- the application ---------------------------------------------------------------------


@pytest.fixture
def practice_rx_plugins(request: pytest.FixtureRequest) -> list[Any]:
    """The plugins to start with: the ``practice_rx_plugins`` marker's, else the
    ``practice_rx_plugins`` ini setting's, else every installed ``practice_rx`` plugin.

    Override this fixture (in a conftest.py) to choose them in code. Name your
    own plugin, so another installed plugin cannot change what your tests see.
    """
    marker = request.node.get_closest_marker("practice_rx_plugins")
    if marker is not None:
        return list(marker.args)
    named = request.config.getini("practice_rx_plugins")
    if named:
        return list(named)
    from importlib.metadata import entry_points

    from practice_rx.plugin_host import ENTRY_POINT_GROUP

    return list(entry_points(group=ENTRY_POINT_GROUP))


@pytest.fixture
def practice_rx_clock() -> Clock:
    """The application's clock: the real time at the start, moved by ``advance(...)``."""
    return Clock()


@pytest.fixture
def practice_rx_app(request: pytest.FixtureRequest, practice_rx_database_url: str,
                    practice_rx_plugins: list[Any], practice_rx_clock: Clock,
                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    """PracticeRx started on a new database with the plugins under test.

    Default settings (never the workstation's settings file) and an audit key
    of the test's own (never the real config folder). Plugin problems fail the
    test unless it is marked ``practice_rx_expect_problems``.
    """
    monkeypatch.setenv(KEY_FILE_ENV, str(tmp_path / "practice-rx-audit.key"))
    try:
        discovered = plugin_entry_points(practice_rx_plugins)
    except ValueError as error:
        pytest.fail(str(error), pytrace=False)
    app = start(practice_rx_database_url, Settings(), discovered=discovered,
                clock=practice_rx_clock)
    expected = request.node.get_closest_marker("practice_rx_expect_problems") is not None
    try:
        if not expected:
            _fail_on_problems(app, 0, "when PracticeRx started")
        started = len(app.plugins.errors)
        yield app
        if not expected:
            _fail_on_problems(app, started, "during the test")
    finally:
        app.close()


def _fail_on_problems(app: App, since: int, when: str) -> None:
    problems = app.plugins.errors[since:]
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        pytest.fail(f"the plugin host recorded {len(problems)} problem(s) {when}:\n{listed}\n"
                    "(mark the test @pytest.mark.practice_rx_expect_problems if it expects "
                    "them)", pytrace=False)


@pytest.fixture
def practice_rx_users(practice_rx_app: App) -> Users:
    """One user of each role: ``.receptionist``, ``.clinician``, ``.link_worker``, ``.admin``."""
    return Users.create(practice_rx_app)


@pytest.fixture
def practice_rx_kit(practice_rx_app: App, practice_rx_users: Users) -> Kit:
    """The helpers: patients, referrals sent and moved, letters, validation, actions."""
    return Kit(practice_rx_app, practice_rx_users)
