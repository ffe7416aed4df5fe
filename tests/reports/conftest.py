"""A seeded practice for the report tests: the demo fill with a fixed seed and clock, on
each backend, and the period every figure is checked over.

The fill (600 referrals, 1 s) is made once per backend and run, then copied for each test
as the empty schema is (``tests/conftest.py``), with its audit key and anchor: each test
still has a database, key and trail of its own, which verifies.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from practice_rx.reports import ReportPeriod
from practice_rx.services import Services
from practice_rx.services.audit_anchor import (
    anchor_path,
    database_identity,
    read_anchor,
    write_anchor,
)
from practice_rx.services.demo import DemoSize, fill
from practice_rx.storage.database import Database
from tests.conftest import Clock, _admin, database_copy
from tests.support.factories import install_national_form

YEAR = ReportPeriod(date(2025, 12, 1), date(2026, 11, 30))
MARCH = ReportPeriod(date(2026, 3, 1), date(2026, 3, 31))
TODAY = date(2026, 11, 24)  # the conftest clock's day
#: England and Wales bank holidays inside the demo's two years (GOV.UK), so waits that
#: span one are checked to skip it
BANK_HOLIDAYS = frozenset({
    date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5),
    date(2025, 5, 26), date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26),
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
    date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
})
SEEDED_DB = "practice_rx_seeded"


@dataclass(frozen=True)
class Seeded:
    """A filled database to copy: its URL and the audit key its trail is sealed with."""

    url: str
    key_file: Path


@pytest.fixture(scope="session")
def seeded_templates() -> dict[str, Seeded]:
    """The filled databases of this pytest session, by backend (a session's own: a runner
    such as mutmut starts several sessions in one process, each with its own temp folder)."""
    return {}


def _fill(url: str, key_file: Path) -> None:
    """The demo fill, its trail sealed with ``key_file`` (not the first test's key)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRACTICE_RX_AUDIT_KEY_FILE", str(key_file))
        database = Database.open(url)
        services = Services(database, Clock())
        install_national_form(services)
        fill(database, DemoSize(patients=80, referrals=600, services=14), seed=14,
             clock=services.clock)
        database.close()


def _template(backend: str, request: pytest.FixtureRequest) -> Seeded:
    templates = request.getfixturevalue("seeded_templates")
    if backend not in templates:
        folder = request.getfixturevalue("tmp_path_factory").mktemp(f"seeded-{backend}")
        if backend == "sqlite":
            url = f"sqlite:///{folder / 'seeded.sqlite3'}"
            shutil.copyfile(request.getfixturevalue("sqlite_template"), folder / "seeded.sqlite3")
        else:
            admin = request.getfixturevalue("postgres_admin_url")
            template = request.getfixturevalue("postgres_template")
            _admin(admin, f"DROP DATABASE IF EXISTS {SEEDED_DB} WITH (FORCE)")
            _admin(admin, f"CREATE DATABASE {SEEDED_DB} TEMPLATE {template}")
            url = make_url(admin).set(database=SEEDED_DB).render_as_string(hide_password=False)
        _fill(url, folder / "audit.key")
        templates[backend] = Seeded(url, folder / "audit.key")
    return templates[backend]


@pytest.fixture
def seeded(backend: str, request: pytest.FixtureRequest, tmp_path: Path, clock: Clock,
           audit_key_file: Path) -> Iterator[Services]:
    """A copy of the filled database, its key and its anchor, on the test's backend."""
    template = _template(backend, request)
    source = Path(make_url(template.url).database or "") if backend == "sqlite" else SEEDED_DB
    with database_copy(request, backend, tmp_path / "seeded.sqlite3", source) as url:
        shutil.copyfile(template.key_file, audit_key_file)
        anchor = read_anchor(anchor_path(template.key_file, template.url))
        if anchor is not None:
            write_anchor(anchor_path(audit_key_file, url), anchor, database_identity(url))
        database = Database.open(url)
        yield Services(database, clock)
        database.close()
