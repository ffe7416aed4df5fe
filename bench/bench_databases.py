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


def copy_sqlite_to_postgres(sqlite_url: str, postgres_url: str,
                            say=print) -> None:
    """Fill an empty PostgreSQL database with every row of a seeded SQLite file (the same
    schema revision), as COPY: a million referrals take minutes this way, where seeding
    them through the demo loader took hours on this machine."""
    import sqlite3
    import time

    import psycopg

    from practice_rx.storage.database import Database
    from practice_rx.storage.models import Base

    for url in (sqlite_url, postgres_url):  # both at this schema, by the migrations
        Database.open(url).close()
    source = sqlite3.connect(make_url(sqlite_url).database)
    target = make_url(postgres_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(target) as connection:
        for table in Base.metadata.sorted_tables:
            if connection.execute(f'SELECT EXISTS (SELECT FROM "{table.name}")').fetchone()[0]:
                continue  # written when the database was made (its own identity)
            columns = [column.name for column in table.columns]
            started, rows = time.perf_counter(), 0
            quoted = ", ".join(f'"{name}"' for name in columns)
            with connection.cursor().copy(
                    f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                for row in source.execute(f'SELECT {quoted} FROM "{table.name}"'):
                    copy.write_row(row)
                    rows += 1
            if "id" in columns and rows:
                connection.execute(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', "
                                   f"'id'), (SELECT max(id) FROM \"{table.name}\"))")
            if rows:
                say(f"  {table.name}: {rows:,} rows in {time.perf_counter() - started:.1f} s")
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    source.close()
