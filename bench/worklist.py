"""Worklist speed: the service layer's first page against hand-written SQL, same run, same file.

Seeds 100,000 referrals for 20,000 patients into a SQLite file (or reuses one given
with --database), then times each worklist query both ways and prints the medians
and their ratio. Targets: ratio <= 2 and service time <= 100 ms.

    .venv/bin/python bench/worklist.py [--database sqlite:///path] [--repeat 15]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy.engine import make_url

from practice_rx.services import Services
from practice_rx.services.demo import DemoSize, fill
from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.storage.database import Database

SELECT = """
SELECT r.id, p.given_name, p.family_name, p.nhs_number, p.date_of_birth, s.name,
       u.display_name, r.status, r.urgency, r.created_at, r.status_changed_at,
       r.response_due_on, r.version
FROM referral r JOIN patient p ON p.id = r.patient_id
LEFT JOIN service s ON s.id = r.service_id JOIN user_account u ON u.id = r.referrer_id
"""
CASES = {
    "all, newest first": (
        WorklistQuery(),
        SELECT + "ORDER BY r.created_at DESC, r.id DESC LIMIT 50 OFFSET 0",
        "SELECT count(*) FROM referral",
        (),
    ),
    "overdue, by due date": (
        WorklistQuery(WorklistFilter(overdue_only=True), sort="due", descending=False),
        SELECT + "WHERE r.status IN ('sent','accepted') AND r.response_due_on < ? "
        "ORDER BY r.response_due_on, r.id LIMIT 50 OFFSET 0",
        "SELECT count(*) FROM referral r WHERE r.status IN ('sent','accepted') "
        "AND r.response_due_on < ?",
        ("today",),
    ),
    "in progress, by patient": (
        WorklistQuery(WorklistFilter(statuses=frozenset({"in_progress"})), sort="patient",
                      descending=False),
        SELECT + "WHERE r.status IN ('in_progress') ORDER BY p.family_name, p.given_name, r.id "
        "LIMIT 50 OFFSET 0",
        "SELECT count(*) FROM referral r WHERE r.status IN ('in_progress')",
        (),
    ),
    "text 'smi'": (
        WorklistQuery(WorklistFilter(text="smi")),
        SELECT + "WHERE r.patient_id IN (SELECT id FROM patient WHERE lower(given_name) LIKE "
        "'smi%' OR lower(family_name) LIKE 'smi%') ORDER BY r.created_at DESC, r.id DESC "
        "LIMIT 50 OFFSET 0",
        "SELECT count(*) FROM referral r WHERE r.patient_id IN (SELECT id FROM patient WHERE "
        "lower(given_name) LIKE 'smi%' OR lower(family_name) LIKE 'smi%')",
        (),
    ),
}


def median_ms(action, repeat: int) -> float:
    action()  # warm the caches once, as a receptionist's second look would
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="an existing SQLite URL to reuse")
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    url = args.database or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    db = Database.open(url)
    if not args.database:
        start = time.perf_counter()
        fill(db, DemoSize(args.patients, args.referrals, 500))
        print(f"seeded {args.referrals:,} referrals in {time.perf_counter() - start:.1f} s")
    services = Services(db)
    reader = services.users.ensure("bench", "Benchmark", "receptionist").id
    raw = sqlite3.connect(make_url(url).database)
    today = services.worklist.today().isoformat()
    print(f"{'query':<26}{'service ms':>11}{'raw SQL ms':>11}{'ratio':>7}{'rows':>7}{'total':>8}")
    for name, (query, sql, count_sql, params) in CASES.items():
        bound = tuple(today if p == "today" else p for p in params)
        page = services.worklist.page(reader, query)
        raw_rows = raw.execute(sql, bound).fetchall()
        assert [row.id for row in page.rows] == [row[0] for row in raw_rows], name
        service_ms = median_ms(lambda: services.worklist.page(reader, query), args.repeat)
        raw_ms = median_ms(lambda: (raw.execute(sql, bound).fetchall(),
                                    raw.execute(count_sql, bound).fetchone()), args.repeat)
        print(f"{name:<26}{service_ms:>11.1f}{raw_ms:>11.1f}{service_ms / raw_ms:>7.2f}"
              f"{len(page.rows):>7}{page.total:>8,}")
    counts_ms = median_ms(lambda: services.worklist.status_counts(reader), args.repeat)
    print(f"{'status counts':<26}{counts_ms:>11.1f}")
    print(f"(SQLite, median of {args.repeat}, {date.today():%d %b %Y})")
    db.close()


if __name__ == "__main__":
    main()
