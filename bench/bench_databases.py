"""Where a benchmark's database comes from: a cached seeded SQLite file, or a throwaway
PostgreSQL cluster, so every bench seeds and measures the same way on both backends."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from practice_rx.services.demo import DemoSize
from practice_rx.storage.models import SCHEMA_REVISION


def cached_sqlite(cache: Path, prefix: str, size: DemoSize, seed: int) -> tuple[str, bool]:
    """The cached demo database for this bench, size, seed and schema, and whether to seed
    it (call :func:`mark_seeded` once seeded)."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / (f"{prefix}-{size.referrals}-{size.patients}-{size.services}-{seed}-"
                    f"{SCHEMA_REVISION}.sqlite3")
    ready = path.with_suffix(".ready")
    if path.exists() and not ready.exists():  # a seeding that did not finish
        path.unlink()
    return f"sqlite:///{path}", not ready.exists()


def mark_seeded(url: str) -> None:
    """The cached SQLite file at ``url`` is complete: the next run reuses it."""
    Path(make_url(url).database).with_suffix(".ready").touch()


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """The URL of an empty database ``bench`` on a PostgreSQL cluster that is removed after."""
    import psycopg
    from tests.support.postgres import throwaway_cluster

    with throwaway_cluster() as cluster, contextlib.closing(
            psycopg.connect(make_url(cluster.url).set(drivername="postgresql")
                            .render_as_string(False), autocommit=True)) as admin:
        admin.execute("CREATE DATABASE bench")
        yield make_url(cluster.url).set(database="bench").render_as_string(False)
