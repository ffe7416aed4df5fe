"""Report speed: the whole report's queries against the same aggregates as raw SQL, same run.

Seeds the demo (the demo-data command's code, fixed seed and clock) at 100,000 referrals
for 20,000 patients and 500 services into SQLite, kept in a cache folder so a second run
starts at once, or into PostgreSQL with --backend postgresql (a throwaway cluster unless
--database names one). Then times ``build_report`` for a year, and the same aggregates
written as raw SQL on the driver's own connection (the waits' working days and
percentiles are worked out by the same Python on both sides), checks both give the same
figures, and prints medians and the ratio. Targets: report <= 300 ms, ratio <= 1.5.

    .venv/bin/python bench/reports.py [--backend postgresql] [--referrals 100000] [--json]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_databases import cached_sqlite, mark_seeded, throwaway_postgres

from practice_rx.reports import ReportPeriod, build_report
from practice_rx.reports.working_days import median, nearest_rank, working_days
from practice_rx.services.demo import DemoSize, fill
from practice_rx.startup import start

NOW = datetime(2026, 11, 24, 9, 30)
PERIOD = ReportPeriod(date(2025, 11, 25), date(2026, 11, 24))
SEED = 2026
IN_PERIOD = "r.sent_at >= :start AND r.sent_at < :end"

#: per backend: a JSON list's elements, a JSON object's items and value, a timestamp's day
DIALECT = {
    "sqlite": {"elements": "json_each(r.reasons)", "items": "json_each(b.scores)",
               "value": "json_extract(f.scores, '$.\"' || bs.key || '\"')",
               "day": "date({})", "number": "CAST({} AS REAL)",
               "year": "CAST(strftime('%Y', r.sent_at) AS INTEGER)",
               "month": "CAST(strftime('%m', r.sent_at) AS INTEGER)"},
    "postgresql": {"elements": "json_array_elements_text(r.reasons)",
                   "items": "json_each_text(b.scores)",
                   "value": "json_extract_path_text(f.scores, bs.key)",
                   "day": "CAST({} AS DATE)", "number": "CAST({} AS DOUBLE PRECISION)",
                   "year": "EXTRACT(year FROM r.sent_at)",
                   "month": "EXTRACT(month FROM r.sent_at)"},
}
FUNNEL = ("sent", "accepted", "contacted", "in_progress", "completed", "rejected", "declined",
          "not_contactable", "cancelled")


def progress_sql(d: dict[str, str]) -> str:
    """The events pivoted once per referral, then the wait day pairs and the funnel."""
    firsts = ", ".join(f"min(CASE WHEN e.to_status = '{s}' THEN e.occurred_at END) AS at_{s}"
                       for s in ("sent", "accepted", "contacted"))
    flags = ", ".join(f"max(CASE WHEN e.to_status = '{s}' THEN 1 END) AS reached_{s}"
                      for s in FUNNEL)
    statuses = ", ".join(f"'{s}'" for s in FUNNEL)
    start = "coalesce(t.at_accepted, t.at_sent)"
    day = d["day"]
    branches = [
        (f"SELECT 'sent_to_accepted', {day.format('t.at_sent')}, "
         f"{day.format('t.at_accepted')}, count(*) FROM t WHERE t.at_sent IS NOT NULL "
         f"AND t.at_accepted IS NOT NULL GROUP BY 2, 3"),
        (f"SELECT 'to_first_contact', {day.format(start)}, {day.format('t.at_contacted')}, "
         f"count(*) FROM t WHERE {start} IS NOT NULL AND t.at_contacted IS NOT NULL "
         f"GROUP BY 2, 3"),
        *(f"SELECT 'reached:{s}', NULL, NULL, count(t.reached_{s}) FROM t" for s in FUNNEL),
    ]
    return (f"WITH t AS (SELECT {firsts}, {flags} FROM referral_event e JOIN referral r "
            f"ON r.id = e.referral_id WHERE {IN_PERIOD} AND e.to_status IN ({statuses}) "
            f"GROUP BY e.referral_id) " + " UNION ALL ".join(branches))


def raw_queries(backend: str) -> dict[str, str]:
    d = DIALECT[backend]
    base_value, follow_value = d["number"].format("bs.value"), d["number"].format(d["value"])
    return {
        "month_source": f"SELECT {d['year']}, {d['month']}, r.source, count(*) FROM referral r "
                        f"WHERE {IN_PERIOD} GROUP BY 1, 2, 3",
        "reasons": f"SELECT j.value, count(*) FROM referral r LEFT JOIN {d['elements']} AS j "
                   f"ON true WHERE {IN_PERIOD} GROUP BY j.value",
        "services": f"SELECT r.service_id, s.name, s.category, count(*), count(CASE WHEN "
                    f"r.status = 'rejected' THEN r.id END) FROM referral r LEFT JOIN service s "
                    f"ON s.id = r.service_id WHERE {IN_PERIOD} GROUP BY r.service_id, s.name, "
                    f"s.category",
        "progress": progress_sql(d),
        "overdue": "SELECT status, count(*) FROM referral WHERE status IN ('sent', 'accepted') "
                   "AND response_due_on < :today GROUP BY status",
        "outcomes": (
            "SELECT b.measure_id, b.measure_version, bs.key, count(*), "
            f"avg({base_value}), avg({follow_value}), avg({follow_value} - {base_value}) "
            "FROM (SELECT referral_id, measure_id, measure_version, scores FROM measure_result "
            "WHERE occasion = 'baseline') AS b JOIN (SELECT referral_id, measure_id, "
            "measure_version, scores, row_number() OVER (PARTITION BY referral_id, measure_id, "
            "measure_version ORDER BY answered_on DESC, id DESC) AS n FROM measure_result "
            "WHERE occasion IN ('review', 'closing') AND answered_on >= :from_date AND "
            "answered_on <= :to_date) AS f ON f.referral_id = b.referral_id AND f.measure_id "
            "= b.measure_id AND f.measure_version = b.measure_version AND f.n = 1 "
            f"JOIN {d['items']} AS bs ON true WHERE {d['value']} IS NOT NULL "
            "GROUP BY b.measure_id, b.measure_version, bs.key"),
        "rate": "SELECT p.ods_code, p.list_size, (SELECT count(DISTINCT r.patient_id) FROM "
                f"referral r WHERE r.practice_id = p.id AND {IN_PERIOD}) FROM practice p "
                f"UNION ALL SELECT '(all)', NULL, count(DISTINCT r.patient_id) FROM referral r "
                f"WHERE {IN_PERIOD}",
        "caseloads": "SELECT u.id, u.display_name, coalesce(c.n, 0) FROM user_account u "
                     "LEFT JOIN (SELECT allocated_to_id, count(*) AS n FROM referral WHERE "
                     "status IN ('accepted', 'contacted', 'in_progress') AND allocated_to_id "
                     "IS NOT NULL GROUP BY allocated_to_id) AS c ON c.allocated_to_id = u.id "
                     "WHERE u.role = 'link_worker' OR c.n IS NOT NULL",
    }


def parameters() -> dict[str, object]:
    return {"start": PERIOD.starts_at, "end": PERIOD.ends_before, "today": NOW.date(),
            "from_date": PERIOD.from_date, "to_date": PERIOD.to_date}


def raw_runner(url: str):
    """The driver's own connection, and a function running SQL with the parameters bound."""
    parsed = make_url(url)
    values = parameters()
    if parsed.get_backend_name() == "sqlite":
        connection = sqlite3.connect(parsed.database)
        named = {key: (str(value) if isinstance(value, datetime | date) else value)
                 for key, value in values.items()}
        named["start"], named["end"] = (f"{values['start']:%Y-%m-%d %H:%M:%S.%f}",
                                        f"{values['end']:%Y-%m-%d %H:%M:%S.%f}")
        return connection, lambda sql: connection.execute(sql, named).fetchall()
    connection = psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username,
                                 password=parsed.password, dbname=parsed.database,
                                 autocommit=True)

    def execute(sql: str):
        for key in values:
            sql = sql.replace(f":{key}", f"%({key})s")
        return connection.execute(sql, values).fetchall()
    return connection, execute


def raw_report(execute, queries: dict[str, str]) -> dict[str, object]:
    """Every aggregate, and the waits' medians and percentiles from their day pairs."""
    figures: dict[str, object] = {name: execute(sql) for name, sql in queries.items()}
    reached, pairs = {}, {"sent_to_accepted": [], "to_first_contact": []}
    for part, first_day, last_day, count in figures.pop("progress"):
        if part.startswith("reached:"):
            reached[part.removeprefix("reached:")] = count
        else:
            pairs[part].append((first_day, last_day, count))
    figures["funnel"] = reached
    for name, day_pairs in pairs.items():
        waits = []
        for first_day, last_day, count in day_pairs:
            waits.extend((working_days(_day(first_day), _day(last_day)),) * count)
        figures[name] = (len(waits), median(waits), nearest_rank(waits, 90))
    return figures


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def agree(report, raw: dict[str, object]) -> None:
    """The two ways give the same figures (the bench is no use if they do not)."""
    assert [r["referrals"] for r in report.funnel.as_dicts()] == [
        raw["funnel"].get(row["status"], 0) for row in report.funnel.as_dicts()]
    sources: dict[str, int] = {}
    for _year, _month, source, count in raw["month_source"]:
        sources[source] = sources.get(source, 0) + count
    assert {r["source"]: r["referrals"] for r in report.by_source.as_dicts() if r["referrals"]} \
        == sources
    reasons = {r["reason"] or None: r["referrals"] for r in report.by_reason.as_dicts()
               if r["referrals"]}
    assert reasons == dict(raw["reasons"])
    assert sorted(r["referrals"] for r in report.by_service.as_dicts()) == sorted(
        row[3] for row in raw["services"])
    waits = report.waits.as_dicts()
    assert [(w["referrals"], w["median"], w["p90"]) for w in waits] == [
        raw["sent_to_accepted"], raw["to_first_contact"]]
    assert [r["people"] for r in report.outcomes.as_dicts()] == [
        row[3] for row in sorted(raw["outcomes"])]
    assert sorted(r["open_cases"] for r in report.caseloads.as_dicts()) == sorted(
        row[2] for row in raw["caseloads"])
    assert {r["ods_code"]: r["people"] for r in report.referral_rate.as_dicts()} == {
        ods: people for ods, _size, people in raw["rate"]}


def median_ms(action, repeat: int) -> float:
    action()  # warm the caches once, as a second look at the report would
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def run(url: str, seed: bool, size: DemoSize, repeat: int, as_json: bool) -> dict:
    app = start(url, clock=lambda: NOW)
    db = app.services.db
    seeded_s = None
    if seed:
        started = time.perf_counter()
        fill(db, size, seed=SEED, clock=lambda: NOW)
        seeded_s = round(time.perf_counter() - started, 1)
    connection, execute = raw_runner(url)
    queries = raw_queries(db.backend)
    report = build_report(db, PERIOD, today=NOW.date())
    agree(report, raw_report(execute, queries))
    report_ms = median_ms(lambda: build_report(db, PERIOD, today=NOW.date()), repeat)
    raw_ms = median_ms(lambda: raw_report(execute, queries), repeat)
    per_query = {name: round(median_ms(lambda sql=sql: execute(sql), repeat), 2)
                 for name, sql in queries.items()}
    sent = report.funnel.as_dicts()[0]["referrals"]
    result = {"backend": db.backend, "referrals": size.referrals, "patients": size.patients,
              "services": size.services, "period": [PERIOD.from_date.isoformat(),
                                                    PERIOD.to_date.isoformat()],
              "referrals_in_period": sent, "seeded_s": seeded_s, "repeat": repeat,
              "report_ms": round(report_ms, 1), "raw_sql_ms": round(raw_ms, 1),
              "ratio": round(report_ms / raw_ms, 2), "raw_query_ms": per_query,
              "targets": {"report_ms": 300, "ratio": 1.5}}
    connection.close()
    app.close()
    if as_json:
        print(json.dumps(result))
        return result
    if seeded_s is not None:
        print(f"seeded {size.referrals:,} referrals in {seeded_s} s")
    print(f"{db.backend}: {size.referrals:,} referrals, {sent:,} sent in "
          f"{PERIOD.from_date} to {PERIOD.to_date}")
    print(f"{'whole report':<22}{'report ms':>10}{'raw SQL ms':>11}{'ratio':>7}")
    print(f"{'':<22}{report_ms:>10.1f}{raw_ms:>11.1f}{report_ms / raw_ms:>7.2f}")
    print("raw SQL per aggregate (ms): " + ", ".join(f"{k} {v}" for k, v in per_query.items()))
    print(f"(median of {repeat} runs; targets: report <= 300 ms, ratio <= 1.5)")
    return result



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database", help="an existing, already seeded database URL to reuse")
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--patients", type=int)
    parser.add_argument("--services", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "practice-rx-bench")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    size = DemoSize(args.patients or max(10, args.referrals // 5), args.referrals, args.services)
    if args.database:
        run(args.database, False, size, args.repeat, args.json)
    elif args.backend == "sqlite":
        url, seed = cached_sqlite(args.cache, "reports", size, SEED)
        run(url, seed, size, args.repeat, args.json)
        mark_seeded(url)
    else:
        with throwaway_postgres() as url:
            run(url, True, size, args.repeat, args.json)


if __name__ == "__main__":
    main()
