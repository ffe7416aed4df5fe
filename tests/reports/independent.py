"""Each figure worked out again from the raw rows: plain SQL text for the rows, plain
Python for the arithmetic, sharing nothing with ``practice_rx.reports`` but the tables."""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, text

from practice_rx.reports import ReportPeriod

IN_PERIOD = "r.sent_at >= :start AND r.sent_at < :end"


def bounds(period: ReportPeriod) -> dict[str, datetime]:
    return {"start": datetime.combine(period.from_date, datetime.min.time()),
            "end": datetime.combine(period.to_date + timedelta(days=1), datetime.min.time())}


def sent_referrals(connection: Connection, period: ReportPeriod) -> list:
    return connection.execute(text(
        f"SELECT r.id, r.sent_at, r.source, r.reasons, r.service_id, s.name, s.category, "
        f"r.status FROM referral r LEFT JOIN service s ON s.id = r.service_id "
        f"WHERE {IN_PERIOD}"), bounds(period)).all()


def as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def by_month(connection: Connection, period: ReportPeriod) -> dict[str, int]:
    return Counter(as_datetime(row.sent_at).strftime("%Y-%m")
                   for row in sent_referrals(connection, period))


def by_source(connection: Connection, period: ReportPeriod) -> dict[str, int]:
    return dict(connection.execute(text(
        f"SELECT r.source, count(*) FROM referral r WHERE {IN_PERIOD} GROUP BY r.source"),
        bounds(period)).all())


def by_reason(connection: Connection, period: ReportPeriod) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for row in sent_referrals(connection, period):
        reasons = json.loads(row.reasons) if isinstance(row.reasons, str) else row.reasons
        counts.update(reasons or [""])
    return counts


def by_service(connection: Connection, period: ReportPeriod) -> dict[int, int]:
    return dict(connection.execute(text(
        f"SELECT r.service_id, count(*) FROM referral r WHERE {IN_PERIOD} "
        f"GROUP BY r.service_id"), bounds(period)).all())


def by_category(connection: Connection, period: ReportPeriod) -> dict[str, int]:
    return dict(connection.execute(text(
        f"SELECT s.category, count(*) FROM referral r JOIN service s ON s.id = r.service_id "
        f"WHERE {IN_PERIOD} GROUP BY s.category"), bounds(period)).all())


def funnel(connection: Connection, period: ReportPeriod, status: str) -> int:
    return connection.execute(text(
        f"SELECT count(*) FROM referral r WHERE {IN_PERIOD} AND EXISTS (SELECT 1 FROM "
        f"referral_event e WHERE e.referral_id = r.id AND e.to_status = :status)"),
        {**bounds(period), "status": status}).scalar_one()


def event_times(connection: Connection, period: ReportPeriod) -> dict[int, dict[str, datetime]]:
    """Each referral's earliest time of reaching each status."""
    firsts: dict[int, dict[str, datetime]] = defaultdict(dict)
    for referral_id, status, occurred in connection.execute(text(
            f"SELECT e.referral_id, e.to_status, e.occurred_at FROM referral_event e "
            f"JOIN referral r ON r.id = e.referral_id WHERE {IN_PERIOD}"), bounds(period)):
        occurred = as_datetime(occurred)
        if status not in firsts[referral_id] or occurred < firsts[referral_id][status]:
            firsts[referral_id][status] = occurred
    return firsts


def working_days(start: date, end: date, bank_holidays) -> int:
    """Counted a day at a time: the slow, obvious way."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in bank_holidays:
            days += 1
    return days


def waits(connection: Connection, period: ReportPeriod, bank_holidays) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {"sent_to_accepted": [], "to_first_contact": []}
    for times in event_times(connection, period).values():
        if "accepted" in times and "sent" in times:
            found["sent_to_accepted"].append(
                working_days(times["sent"].date(), times["accepted"].date(), bank_holidays))
        start = times.get("accepted") or times.get("sent")
        if "contacted" in times and start:
            found["to_first_contact"].append(
                working_days(start.date(), times["contacted"].date(), bank_holidays))
    return found


def percentile_90(values: list[int]) -> float:
    ordered = sorted(values)
    return float(ordered[math.ceil(0.9 * len(ordered)) - 1])


def median(values: list[int]) -> float:
    return float(statistics.median(values))


def overdue(connection: Connection, today: date) -> dict[str, int]:
    return dict(connection.execute(text(
        "SELECT status, count(*) FROM referral WHERE status IN ('sent', 'accepted') "
        "AND response_due_on < :today GROUP BY status"), {"today": today}).all())


def outcome_change(connection: Connection, period: ReportPeriod
                   ) -> dict[tuple[str, int, str], tuple[int, float]]:
    """(measure, version, score) -> (cases with both, mean change), from every result row."""
    rows = connection.execute(text(
        "SELECT id, referral_id, measure_id, measure_version, occasion, answered_on, scores "
        "FROM measure_result")).all()
    baselines, latest = {}, {}
    for row in rows:
        scores = json.loads(row.scores) if isinstance(row.scores, str) else row.scores
        answered = row.answered_on if isinstance(row.answered_on, date) else \
            date.fromisoformat(str(row.answered_on))
        case = (row.referral_id, row.measure_id, row.measure_version)
        if row.occasion == "baseline":
            baselines[case] = scores
        elif period.from_date <= answered <= period.to_date and (
                case not in latest or (answered, row.id) > latest[case][0]):
            latest[case] = ((answered, row.id), scores)
    changes: dict[tuple[str, int, str], list[float]] = defaultdict(list)
    for case, (_, follow_up) in latest.items():
        if case not in baselines:
            continue
        for key, value in baselines[case].items():
            if key in follow_up:
                changes[(case[1], case[2], key)].append(float(follow_up[key]) - float(value))
    return {key: (len(values), round(sum(values) / len(values), 2))
            for key, values in changes.items()}


def service_rejections(connection: Connection, period: ReportPeriod
                       ) -> dict[int, tuple[int, int]]:
    """service id -> (referrals sent in the period, of them rejected)."""
    sent = by_service(connection, period)
    rejected = dict(connection.execute(text(
        f"SELECT r.service_id, count(*) FROM referral r WHERE {IN_PERIOD} "
        f"AND r.status = 'rejected' GROUP BY r.service_id"), bounds(period)).all())
    return {service: (count, rejected.get(service, 0)) for service, count in sent.items()}


def caseloads(connection: Connection) -> dict[int, int]:
    """Open allocated cases per link worker, link workers with none included."""
    loads = {user_id: 0 for (user_id,) in connection.execute(text(
        "SELECT id FROM user_account WHERE role = 'link_worker'"))}
    loads.update(dict(connection.execute(text(
        "SELECT allocated_to_id, count(*) FROM referral WHERE allocated_to_id IS NOT NULL "
        "AND status IN ('accepted', 'contacted', 'in_progress') GROUP BY allocated_to_id"))
        .all()))
    return loads
