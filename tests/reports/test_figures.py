"""Every report figure equals the same figure worked out independently from the raw rows
(tests/reports/independent.py), on a seeded database, on both backends."""

from __future__ import annotations

import pytest

from practice_rx.reports import ReportPeriod, build_report
from practice_rx.services import Services
from tests.reports import independent
from tests.reports.conftest import BANK_HOLIDAYS, MARCH, TODAY, YEAR
from tests.support.factories import admin

PERIODS = pytest.mark.parametrize("period", [YEAR, MARCH], ids=["year", "march"])


def report(seeded: Services, period: ReportPeriod = YEAR):
    return build_report(seeded.db, period, today=TODAY, bank_holidays=BANK_HOLIDAYS)


@PERIODS
def test_referrals_by_month(seeded, period):
    figures = report(seeded, period).by_month.as_dicts()
    with seeded.db.connect() as connection:
        expected = independent.by_month(connection, period)
    assert sum(expected.values()) > 0
    assert {row["month"]: row["referrals"] for row in figures if row["referrals"]} == expected
    assert figures[0]["month"] == period.from_date.strftime("%Y-%m")
    assert figures[-1]["month"] == period.to_date.strftime("%Y-%m")  # empty months kept


@PERIODS
def test_referrals_by_source(seeded, period):
    figures = report(seeded, period).by_source.as_dicts()
    with seeded.db.connect() as connection:
        expected = independent.by_source(connection, period)
    assert len(expected) > 1  # the demo makes inbound referrals too
    assert {row["source"]: row["referrals"] for row in figures if row["referrals"]} == expected


@PERIODS
def test_referrals_by_reason_read_from_the_json_list(seeded, period):
    figures = report(seeded, period).by_reason.as_dicts()
    with seeded.db.connect() as connection:
        expected = independent.by_reason(connection, period)
    assert len(expected) >= 5
    assert {row["reason"]: row["referrals"] for row in figures if row["referrals"]} == expected


@PERIODS
def test_referrals_by_service_and_category(seeded, period):
    built = report(seeded, period)
    with seeded.db.connect() as connection:
        services = independent.by_service(connection, period)
        categories = independent.by_category(connection, period)
    assert {row["service_id"]: row["referrals"] for row in built.by_service.as_dicts()} \
        == services
    assert {row["category"]: row["referrals"] for row in built.by_category.as_dicts()
            if row["referrals"]} == categories
    counts = [row["referrals"] for row in built.by_service.as_dicts()]
    assert counts == sorted(counts, reverse=True)


@PERIODS
def test_status_funnel_from_events(seeded, period):
    figures = {row["status"]: row for row in report(seeded, period).funnel.as_dicts()}
    with seeded.db.connect() as connection:
        for status in ("sent", "accepted", "contacted", "in_progress", "completed", "rejected",
                       "declined", "not_contactable", "cancelled"):
            assert figures[status]["referrals"] == independent.funnel(
                connection, period, status), status
    assert figures["sent"]["referrals"] > figures["accepted"]["referrals"] \
        > figures["completed"]["referrals"] > 0
    assert figures["rejected"]["part"] == "left" and figures["completed"]["part"] == "funnel"


def test_working_day_waits_median_and_90th_percentile(seeded):
    figures = {row["interval"]: row for row in report(seeded).waits.as_dicts()}
    with seeded.db.connect() as connection:
        expected = independent.waits(connection, YEAR, BANK_HOLIDAYS)
    for interval, waits in expected.items():
        assert len(waits) > 20, interval
        assert figures[interval]["referrals"] == len(waits)
        assert figures[interval]["median"] == independent.median(waits)
        assert figures[interval]["p90"] == independent.percentile_90(waits)


def test_bank_holidays_are_not_working_days(seeded):
    """Without the bank holidays the same waits come out longer: the list is used, and the
    figures follow it either way."""
    without = {row["interval"]: row for row in
               build_report(seeded.db, YEAR, today=TODAY, bank_holidays=()).waits.as_dicts()}
    with seeded.db.connect() as connection:
        plain = independent.waits(connection, YEAR, frozenset())
        skipping = independent.waits(connection, YEAR, BANK_HOLIDAYS)
    assert sum(map(sum, plain.values())) > sum(map(sum, skipping.values()))
    for interval, waits in plain.items():
        assert without[interval]["median"] == independent.median(waits)
        assert without[interval]["p90"] == independent.percentile_90(waits)


def test_the_service_counts_england_and_wales_bank_holidays(seeded):
    """What the Reports window and ``practice-rx report`` get: GOV.UK's England and Wales
    list (BANK_HOLIDAYS is it, written out, for the demo's years) without being given one."""
    built = seeded.reports.build(admin(seeded), YEAR, today=TODAY)
    given = report(seeded).waits
    assert built.waits.rows == given.rows
    assert built.waits.rows != build_report(seeded.db, YEAR, today=TODAY,
                                            bank_holidays=()).waits.rows
    assert "England and Wales bank holidays" in built.waits.note
    assert "the bank holidays given" in given.note


def test_overdue_now(seeded):
    figures = {row["status"]: row["referrals"] for row in report(seeded).overdue.as_dicts()}
    with seeded.db.connect() as connection:
        expected = independent.overdue(connection, TODAY)
    assert sum(expected.values()) > 0
    assert figures == {"sent": expected.get("sent", 0), "accepted": expected.get("accepted", 0)}


def test_outcome_change_baseline_to_latest_follow_up(seeded):
    figures = report(seeded).outcomes.as_dicts()
    with seeded.db.connect() as connection:
        expected = independent.outcome_change(connection, YEAR)
    assert expected and all(people > 0 for people, _ in expected.values())
    assert {(row["measure"], row["version"], row["score"]): (row["people"], row["mean_change"])
            for row in figures} == expected


def test_services_most_referred_and_most_rejecting(seeded):
    built = report(seeded)
    with seeded.db.connect() as connection:
        expected = independent.service_rejections(connection, YEAR)
    most = built.most_referred.as_dicts()
    assert len(most) == min(10, len(expected))
    assert [row["referrals"] for row in most] == sorted(
        (sent for sent, _ in expected.values()), reverse=True)[:len(most)]
    rejecting = built.most_rejecting.as_dicts()
    assert rejecting, "the demo has rejections"
    assert [row["rejected"] for row in rejecting] == sorted(
        (rejected for _, rejected in expected.values() if rejected), reverse=True)[:10]
    for row in [*most, *rejecting]:
        sent, rejected = expected[row["service_id"]]
        assert (row["referrals"], row["rejected"]) == (sent, rejected)
        assert row["rejection_rate"] == round(100 * rejected / sent, 1)


def test_caseloads_per_link_worker(seeded):
    figures = report(seeded).caseloads
    with seeded.db.connect() as connection:
        expected = independent.caseloads(connection)
    assert sum(expected.values()) > 0
    assert {row["user_id"]: row["open_cases"] for row in figures.as_dicts()} == expected
    assert not figures.for_commissioner


def test_a_period_before_any_referral_is_all_zeros(seeded):
    built = build_report(seeded.db, ReportPeriod(YEAR.from_date.replace(year=2020),
                                                 YEAR.from_date.replace(year=2020)),
                         today=TODAY)
    for table in (built.by_month, built.by_source, built.by_reason, built.by_category,
                  built.funnel):
        assert all(row["referrals"] == 0 for row in table.as_dicts()), table.key
    assert built.by_service.rows == () and built.outcomes.rows == ()
    assert all(row["median"] is None for row in built.waits.as_dicts())
