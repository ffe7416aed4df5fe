"""Worklist speed: every sort, direction and page through the service, against raw SQL.

Seeds the demo (referrals, referrals / 5 patients, 500 services in three practices)
into a cached SQLite file, or into a throwaway PostgreSQL cluster with --backend
postgresql, then times each case two ways in the same run: ``WorklistService.page``
as the demo receptionist (linked to every practice, so the practice scope applies),
and the best raw SQL written for the same page and total on the bare driver
(``sqlite3``, ``psycopg``), after checking both give the same rows and total, and that
the total equals a plain count with the practice scope (else it stops, naming the case).

Cases: every sort ascending and descending at its first, middle and last page,
unfiltered; then each common filter (status, overdue, service, referrer, text,
practice) with its natural sort at its first and last page. Targets: service time
<= 100 ms at 100,000 referrals (<= 150 ms at 1,000,000) and ratio <= 1.5.

    .venv/bin/python bench/worklist.py [--backend postgresql] [--referrals 1000000]
                                       [--database URL] [--repeat 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_databases import (  # noqa: E402
    cached_sqlite,
    copy_sqlite_to_postgres,
    mark_seeded,
    throwaway_postgres,
)

from practice_rx.services.demo import DemoSize, fill  # noqa: E402
from practice_rx.services.worklist import WorklistFilter, WorklistQuery  # noqa: E402
from practice_rx.startup import start  # noqa: E402

SEED = 2026
PAGE_SIZE = 100  # the UI's page
READER = "reception.jones"  # a receptionist linked to the demo's three practices
COLUMNS = ("r.id, p.given_name, p.family_name, p.nhs_number, p.date_of_birth, s.name, "
           "u.display_name, r.status, r.urgency, r.created_at, r.status_changed_at, "
           "r.response_due_on, r.version, r.last_chased_at, r.practice_id")
JOINS = ("JOIN patient p ON p.id = r.patient_id LEFT JOIN service s ON s.id = r.service_id "
         "JOIN user_account u ON u.id = r.referrer_id")
#: each sort's key in SQL, and the joins it needs before the page is chosen
SORT_SQL = {
    "created": (["r.created_at"], ""),
    "patient": (["p.family_name", "p.given_name", "p.id"],
                "JOIN patient p ON p.id = r.patient_id"),
    "nhs_number": (["p.nhs_number"], "JOIN patient p ON p.id = r.patient_id"),
    "service": (["s.name", "s.id"], "LEFT JOIN service s ON s.id = r.service_id"),
    "referrer": (["u.display_name", "u.id"], "JOIN user_account u ON u.id = r.referrer_id"),
    "status": (["r.status"], ""),
    "due": (["r.response_due_on"], ""),
    "updated": (["r.status_changed_at"], ""),
    "urgency": (["r.urgency"], ""),
    "last_chased": (["r.last_chased_at"], ""),
    "id": ([], ""),
}
SMITH = ("r.patient_id IN (SELECT patient_id FROM patient_name_word "
         "WHERE word >= 'smi' AND word < 'smj')")
#: the same for a page on SQLite, whose planner otherwise sorts every match: an expression
#: keeps it off the patient index, so it walks the sort's index and stops after the page
SMITH_WALKED = SMITH.replace("r.patient_id IN", "r.patient_id + 0 IN")


@dataclass(frozen=True)
class Case:
    name: str
    query: WorklistQuery
    where: str  # the filter in raw SQL, beside the practice scope


def order_sql(sort: str, descending: bool) -> str:
    """The sort as SQL, ties by id; no due date, never chased and no service sort first
    ascending."""
    direction = "DESC" if descending else "ASC"
    keys = [f"{key} {direction}" for key in SORT_SQL[sort][0]]
    if sort in ("due", "last_chased", "service"):
        keys = [f"{key} {'NULLS LAST' if descending else 'NULLS FIRST'}" for key in keys]
    return ", ".join([*keys, f"r.id {direction}"])


def raw_sql(case: Case, scope: str, total: int, backend: str) -> tuple[str, str]:
    """The page and the total as the best SQL found: the page's ids chosen first (from
    the sort's own index where it has one), from the nearer end, then joined."""
    query = case.query
    offset = query.page * query.page_size
    descending = query.descending
    if offset > total // 2:  # read the last pages backwards: a short walk from the far end
        offset = max(0, total - offset - query.page_size)
        descending = not descending
        limit = min(query.page_size, total - query.page * query.page_size)
    else:
        limit = query.page_size
    walked = SMITH_WALKED if case.where == SMITH and backend == "sqlite" else case.where
    where = " AND ".join(part for part in (scope, walked) if part)
    join = SORT_SQL[query.sort][1]
    ids = (f"SELECT r.id FROM referral r {join} WHERE {where} "
           f"ORDER BY {order_sql(query.sort, descending)} LIMIT {limit} OFFSET {offset}")
    page = (f"SELECT {COLUMNS} FROM referral r {JOINS} WHERE r.id IN ({ids}) "
            f"ORDER BY {order_sql(query.sort, query.descending)}")
    # a reader linked to every practice is counted without the scope, as the service does
    # (everything less the practices outside it: none here)
    return page, "SELECT count(*) FROM referral r" + (
        f" WHERE {case.where}" if case.where else "")


class BenchMismatch(AssertionError):
    """The service and raw SQL disagree: the bench stops rather than time a wrong answer."""


def scoped_count_sql(case: Case, scope: str) -> str:
    """The case's total counted the plain way, practice scope included, to check the
    service's (and the timed SQL's) count that leaves the scope out for this reader."""
    where = " AND ".join(part for part in (scope, case.where) if part)
    return f"SELECT count(*) FROM referral r WHERE {where}"


def check_counts(name: str, service_total: int, raw_total: int, scoped_total: int) -> None:
    """Fail, naming the case and the three counts, unless they all agree."""
    if not service_total == raw_total == scoped_total:
        raise BenchMismatch(f"{name}: service total {service_total:,}, raw SQL {raw_total:,}, "
                            f"counted with the practice scope {scoped_total:,}")


def cases(total: int, service_id: int, referrer_id: int, practice_id: int) -> list[Case]:
    last = max(0, -(-total // PAGE_SIZE) - 1)
    grid = [Case(f"{sort} {'desc' if descending else 'asc'} {where}",
                 WorklistQuery(sort=sort, descending=descending, page=page,
                               page_size=PAGE_SIZE), "")
            for sort in SORT_SQL for descending in (False, True)
            for where, page in (("first", 0), ("middle", last // 2), ("last", last))]
    filters = [
        ("status in progress, by patient", WorklistFilter(statuses=frozenset({"in_progress"})),
         "patient", False, "r.status IN ('in_progress')"),
        ("overdue, by due date", WorklistFilter(overdue_only=True), "due", False,
         "r.status IN ('accepted', 'sent') AND r.response_due_on < :today"),
        ("one service, newest", WorklistFilter(service_id=service_id), "created", True,
         f"r.service_id = {service_id}"),
        ("one referrer, newest", WorklistFilter(referrer_id=referrer_id), "created", True,
         f"r.referrer_id = {referrer_id}"),
        ("text 'smi', newest", WorklistFilter(text="smi"), "created", True, SMITH),
        ("one practice, newest", WorklistFilter(practice_ids=frozenset({practice_id})),
         "created", True, f"r.practice_id IN ({practice_id})"),
    ]
    return grid + [Case(f"{name} {where}", WorklistQuery(filter, sort, descending, page,
                                                         PAGE_SIZE), sql)
                   for name, filter, sort, descending, sql in filters
                   for where, page in (("first", 0), ("last", -1))]


def median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warm the caches once, as a receptionist's second look would
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def raw_connection(url: str) -> tuple[object, Callable[[str, object], list]]:
    """The driver's own connection, and a function running SQL with :today bound."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connection = sqlite3.connect(parsed.database)
        return connection, lambda sql, today: connection.execute(
            sql, {"today": today.isoformat()}).fetchall()
    connection = psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username,
                                 password=parsed.password, dbname=parsed.database,
                                 autocommit=True)
    return connection, lambda sql, today: connection.execute(
        sql.replace("%", "%%").replace(":today", "%(today)s"), {"today": today}).fetchall()


def run(url: str, seed: bool, size: DemoSize, repeat: int, as_json: bool,
        only: str | None) -> dict:
    app = start(url)
    services = app.services
    say = (lambda *a, **k: None) if as_json else print
    if seed:
        started = time.perf_counter()
        fill(services.db, size, seed=SEED)
        say(f"seeded {size.referrals:,} referrals in {time.perf_counter() - started:.1f} s")
    connection, execute = raw_connection(url)
    today = services.worklist.today()
    reader = execute(f"SELECT id FROM user_account WHERE username = '{READER}'", today)[0][0]
    practices = [row[0] for row in execute(
        f"SELECT practice_id FROM user_practice WHERE user_id = {reader} ORDER BY 1", today)]
    assert practices == [row[0] for row in execute("SELECT id FROM practice ORDER BY 1", today)]
    scope = f"(r.practice_id IS NULL OR r.practice_id IN ({', '.join(map(str, practices))}))"
    # a middling service and referrer, as a receptionist would pick
    service_id, referrer_id = (execute(
        f"SELECT {column} FROM referral GROUP BY {column} ORDER BY count(*) DESC, {column} "
        f"LIMIT 1 OFFSET {offset}", today)[0][0]
        for column, offset in (("service_id", 50), ("referrer_id", 2)))
    total = execute(f"SELECT count(*) FROM referral r WHERE {scope}", today)[0][0]
    results = {}
    say(f"{services.db.backend}: {services.db.url}, {total:,} referrals")
    say(f"{'case':<40}{'service ms':>11}{'raw SQL ms':>11}{'ratio':>7}{'page':>7}{'total':>10}")
    for case in cases(total, service_id, referrer_id, practices[1]):
        if only and only not in case.name:
            continue
        query = case.query
        if query.page < 0:  # the filter's last page, once its total is known
            matching = services.worklist.page(reader, query.__class__(
                query.filter, query.sort, query.descending, 0, query.page_size)).total
            query = query.__class__(query.filter, query.sort, query.descending,
                                    max(0, -(-matching // PAGE_SIZE) - 1), query.page_size)
            case = Case(case.name, query, case.where)
        page = services.worklist.page(reader, query)
        page_sql, count_sql = raw_sql(case, scope, page.total, services.db.backend)
        raw_ids = [row[0] for row in execute(page_sql, today)]
        raw_total = execute(count_sql, today)[0][0]
        if [row.id for row in page.rows] != raw_ids:
            raise BenchMismatch(f"{case.name}: the service's page is not raw SQL's")
        check_counts(case.name, page.total, raw_total,
                     execute(scoped_count_sql(case, scope), today)[0][0])
        service_ms = median_ms(lambda q=query: services.worklist.page(reader, q), repeat)
        raw_ms = median_ms(lambda p=page_sql, c=count_sql: (execute(p, today), execute(c, today)),
                           repeat)
        results[case.name] = {"service_ms": round(service_ms, 2), "raw_sql_ms": round(raw_ms, 2),
                              "ratio": round(service_ms / raw_ms, 2), "page": query.page,
                              "total": page.total}
        say(f"{case.name:<40}{service_ms:>11.1f}{raw_ms:>11.1f}{service_ms / raw_ms:>7.2f}"
            f"{query.page:>7}{page.total:>10,}", flush=True)
    counts_ms = median_ms(lambda: services.worklist.status_counts(reader), repeat)
    say(f"{'status counts':<40}{counts_ms:>11.1f}")
    say(f"(median of {repeat} runs; targets: <= 100 ms at 100k, <= 150 ms at 1M, ratio <= 1.5)")
    connection.close()
    app.close()
    result = {"backend": services.db.backend, "referrals": total, "repeat": repeat,
              "cases": results, "status_counts_ms": round(counts_ms, 2)}
    if as_json:
        print(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database", help="an existing, already seeded database URL to reuse")
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", help="only the cases whose name contains this")
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "practice-rx-bench")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--from-sqlite", help="PostgreSQL: copy this seeded SQLite database's "
                        "rows instead of seeding (a million in minutes)")
    args = parser.parse_args()
    size = DemoSize(max(10, args.referrals // 5), args.referrals, 500)
    if args.database:
        run(args.database, False, size, args.repeat, args.json, args.only)
    elif args.backend == "sqlite":
        url, seed = cached_sqlite(args.cache, "worklist", size, SEED)
        run(url, seed, size, args.repeat, args.json, args.only)
        mark_seeded(url)
    else:
        with throwaway_postgres() as url:
            if args.from_sqlite:
                copy_sqlite_to_postgres(args.from_sqlite, url, say=lambda text: print(
                    text, file=sys.stderr if args.json else sys.stdout, flush=True))
            run(url, not args.from_sqlite, size, args.repeat, args.json, args.only)


if __name__ == "__main__":
    main()
