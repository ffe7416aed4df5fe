"""Worklist speed: the service layer's first page against hand-written SQL, same run, same data.

Seeds 100,000 referrals for 20,000 patients and 500 services (the demo-data
command's code) into SQLite, or into PostgreSQL with --backend postgresql (a
throwaway cluster unless --database names one), then times each worklist query
both ways and prints the medians and their ratio. Targets: ratio <= 2 and
service time <= 100 ms.

    .venv/bin/python bench/worklist.py [--backend postgresql] [--database URL] [--repeat 15]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_databases import throwaway_postgres

from practice_rx.services.demo import DemoSize, fill  # noqa: E402
from practice_rx.services.worklist import WorklistFilter, WorklistQuery  # noqa: E402
from practice_rx.startup import start  # noqa: E402

SELECT = """
SELECT r.id, p.given_name, p.family_name, p.nhs_number, p.date_of_birth, s.name,
       u.display_name, r.status, r.urgency, r.created_at, r.status_changed_at,
       r.response_due_on, r.version
FROM referral r JOIN patient p ON p.id = r.patient_id
LEFT JOIN service s ON s.id = r.service_id JOIN user_account u ON u.id = r.referrer_id
"""
SMITH = ("r.patient_id IN (SELECT id FROM patient WHERE lower(given_name) LIKE 'smi%' "
         "OR lower(family_name) LIKE 'smi%')")
CASES = {
    "all, newest first": (
        WorklistQuery(),
        SELECT + "ORDER BY r.created_at DESC, r.id DESC LIMIT 50 OFFSET 0",
        "SELECT count(*) FROM referral r"),
    "overdue, by due date": (
        WorklistQuery(WorklistFilter(overdue_only=True), sort="due", descending=False),
        SELECT + "WHERE r.status IN ('sent','accepted') AND r.response_due_on < :today "
        "ORDER BY r.response_due_on, r.id LIMIT 50 OFFSET 0",
        "SELECT count(*) FROM referral r WHERE r.status IN ('sent','accepted') "
        "AND r.response_due_on < :today"),
    "in progress, by patient": (
        WorklistQuery(WorklistFilter(statuses=frozenset({"in_progress"})), sort="patient",
                      descending=False),
        SELECT + "WHERE r.status IN ('in_progress') ORDER BY p.family_name, p.given_name, r.id "
        "LIMIT 50 OFFSET 0",
        "SELECT count(*) FROM referral r WHERE r.status IN ('in_progress')"),
    "text 'smi'": (
        WorklistQuery(WorklistFilter(text="smi")),
        SELECT + f"WHERE {SMITH} ORDER BY r.created_at DESC, r.id DESC LIMIT 50 OFFSET 0",
        f"SELECT count(*) FROM referral r WHERE {SMITH}"),
}


def median_ms(action, repeat: int) -> float:
    action()  # warm the caches once, as a receptionist's second look would
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def raw_connection(url: str):
    """The driver's own connection, and a function running SQL with :today bound."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connection = sqlite3.connect(parsed.database)
        return connection, lambda sql, today: connection.execute(sql, {"today": today}).fetchall()
    connection = psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username,
                                 password=parsed.password, dbname=parsed.database,
                                 autocommit=True)
    return connection, lambda sql, today: connection.execute(
        sql.replace("%", "%%").replace(":today", "%(today)s"), {"today": today}).fetchall()


def run(url: str, seed: bool, patients: int, referrals: int, repeat: int) -> None:
    app = start(url)
    services = app.services
    if seed:
        started = time.perf_counter()
        fill(services.db, DemoSize(patients, referrals, 500))
        print(f"seeded {referrals:,} referrals in {time.perf_counter() - started:.1f} s")
    reader = services.users.ensure("bench", "Benchmark", "receptionist").id
    connection, execute = raw_connection(url)
    today = services.worklist.today()
    print(f"{services.db.backend}: {services.db.url}")
    print(f"{'query':<26}{'service ms':>11}{'raw SQL ms':>11}{'ratio':>7}{'rows':>7}{'total':>9}")
    for name, (query, sql, count_sql) in CASES.items():
        page = services.worklist.page(reader, query)
        assert [row.id for row in page.rows] == [row[0] for row in execute(sql, today)], name
        service_ms = median_ms(lambda: services.worklist.page(reader, query), repeat)
        raw_ms = median_ms(lambda: (execute(sql, today), execute(count_sql, today)), repeat)
        print(f"{name:<26}{service_ms:>11.1f}{raw_ms:>11.1f}{service_ms / raw_ms:>7.2f}"
              f"{len(page.rows):>7}{page.total:>9,}")
    counts_ms = median_ms(lambda: services.worklist.status_counts(reader), repeat)
    print(f"{'status counts':<26}{counts_ms:>11.1f}")
    print(f"(median of {repeat} runs)")
    connection.close()
    app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database", help="an existing, already seeded database URL to reuse")
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if args.database:
        run(args.database, False, args.patients, args.referrals, args.repeat)
    elif args.backend == "sqlite":
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
        run(url, True, args.patients, args.referrals, args.repeat)
    else:
        with throwaway_postgres() as url:
            run(url, True, args.patients, args.referrals, args.repeat)


if __name__ == "__main__":
    main()
