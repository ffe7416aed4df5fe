"""The report rules mutmut showed the seeded-report tests leave loose, held here on their own:
small-number suppression cell by cell and the words that explain it, the rankings', months'
and sources' order and ties, the funnel's shares and the waits' percentiles (pure functions
over figures typed in by hand); then the figures read from small databases made by hand:
caseloads, the period's bounds, months of two years, services of one name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from practice_rx.domain.bank_holidays import england_and_wales
from practice_rx.reports.build import build_report
from practice_rx.reports.caseloads import caseloads
from practice_rx.reports.funnel import status_funnel
from practice_rx.reports.outcomes import outcome_change
from practice_rx.reports.period import ReportPeriod
from practice_rx.reports.progress import Progress
from practice_rx.reports.referral_counts import (
    ServiceCount,
    by_category,
    by_month,
    by_reason,
    by_service,
    by_source,
    month_source_counts,
    service_counts,
)
from practice_rx.reports.referral_rate import referral_rate
from practice_rx.reports.services_ranking import service_ranking
from practice_rx.reports.suppression import (
    suppress_count,
    suppress_small_numbers,
    suppress_table,
)
from practice_rx.reports.tables import Column, Table
from practice_rx.reports.waits import overdue_now, working_day_waits
from practice_rx.reports.working_days import median, nearest_rank, working_days
from practice_rx.services.practice import PracticeDetails
from practice_rx.storage.caseload_models import MeasureDefinitionRecord, MeasureResult
from practice_rx.storage.models import Referral
from tests.caseload.allocated_case import accepted, allocated, worker
from tests.caseload.casework_cases import allocate
from tests.support.factories import (
    actor_for,
    admin,
    make_patient,
    make_service,
    make_user,
    move,
    ready_draft,
    two_practices,
)

RULE_5 = ('Counts of 1 to 4 are shown as "<5"; a rate or average from such a count is '
          'shown as "*".')
TWO_COUNTS = (Column("name", "Name"), Column("sent", "Sent", "count"),
              Column("seen", "Seen", "count"), Column("rate", "Seen (%)", "derived"),
              Column("wait", "Median wait", "derived"))


def _table(*rows, note: str = "", for_commissioner: bool = True) -> Table:
    return Table("t", "T", TWO_COUNTS, tuple(rows), for_commissioner, note)


def test_a_small_count_in_any_count_column_withholds_every_derived_cell_of_its_row():
    shown = suppress_table(_table(("a", 40, 3, 7.5, 12.0), ("b", 2, 40, 2000.0, None),
                                  ("c", 40, 40, 100.0, 4.0), (2, 0, 0, None, None)))
    assert shown.rows == (("a", 40, "<5", "*", "*"),
                          ("b", "<5", 40, "*", None),  # nothing there: nothing to withhold
                          ("c", 40, 40, 100.0, 4.0),
                          (2, 0, 0, None, None))     # a label of 2 is not a count


def test_the_rule_is_written_under_the_table_after_its_own_note():
    assert suppress_table(_table(("a", 1, 1, 1.0, 1.0))).note == RULE_5
    assert suppress_table(_table(note="Sent in the period.")).note == (
        "Sent in the period. " + RULE_5)
    assert suppress_table(_table(), threshold=3).note == (
        'Counts of 1 to 2 are shown as "<3"; a rate or average from such a count is '
        'shown as "*".')


def test_the_default_threshold_is_five_at_every_entry():
    table = _table(("a", 4, 5, 1.0, 2.0))
    assert suppress_count(4) == "<5" and suppress_count(5) == 5
    assert suppress_table(table).rows == (("a", "<5", 5, "*", "*"),)
    assert suppress_small_numbers(table).rows == (("a", "<5", 5, "*", "*"),)


def test_only_whole_numbers_are_counts_to_suppress():
    assert [suppress_count(v) for v in (True, False, 2.0, "3", None, -1)] == [
        True, False, 2.0, "3", None, -1]


def test_a_threshold_under_one_is_refused_and_one_suppresses_nothing():
    with pytest.raises(ValueError, match="^the suppression threshold must be at least 1$"):
        suppress_small_numbers(_table(), threshold=0)
    assert suppress_small_numbers(_table(("a", 1, 2, 3.0, 4.0)), threshold=1).rows == (
        ("a", 1, 2, 3.0, 4.0),)


def test_a_staff_table_keeps_its_small_counts_inside_a_report():
    @dataclass(frozen=True)
    class Figures:
        title: str
        shared: Table
        staff: Table

    figures = Figures("March", _table(("a", 3, 9, 1.0, 1.0)),
                      _table(("b", 3, 9, 1.0, 1.0), for_commissioner=False))
    shown = suppress_small_numbers(figures)
    assert shown.title == "March" and shown.staff is figures.staff
    assert shown.shared.rows == (("a", "<5", 9, "*", "*"),)
    assert figures.shared.rows == (("a", 3, 9, 1.0, 1.0),)  # the report given is unchanged
    assert suppress_small_numbers(figures, threshold=10).shared.rows == (
        ("a", "<10", "<10", "*", "*"),)


def _service(service_id, name, referrals, rejected=0, category="arts") -> ServiceCount:
    return ServiceCount(service_id, name, category, referrals, rejected)


def test_most_referred_by_count_then_name_then_id_and_cut_at_top():
    counts = [_service(1, "Walk", 5), _service(2, "Art", 9), _service(3, "Choir", 5),
              _service(4, "Art", 5), _service(None, "No service chosen", 50),
              _service(5, "Debt advice", 1)]
    most, _ = service_ranking(counts, top=4)
    assert [row[0] for row in most.rows] == [2, 4, 3, 1]
    assert most.title == "The 4 services receiving most referrals"
    assert (most.key, most.for_commissioner) == ("services_most_referred", True)
    assert [column.kind for column in most.columns] == [
        "label", "label", "count", "count", "derived"]


def test_most_rejecting_by_rejections_then_rate_then_name_then_id():
    counts = [_service(1, "Walk", 10, 2), _service(2, "Art", 3, 2), _service(3, "Choir", 3, 2),
              _service(4, "Art", 3, 2), _service(5, "Lunch", 8, 0), _service(6, "Debt", 9, 3),
              _service(None, "No service chosen", 9, 9)]
    _, rejecting = service_ranking(counts, top=3)
    assert [row[0] for row in rejecting.rows] == [6, 2, 4]
    assert rejecting.rows[0] == (6, "Debt", 9, 3, 33.3)
    assert rejecting.title == "The 3 services rejecting most referrals"
    assert rejecting.key == "services_most_rejecting"
    _, everyone = service_ranking(counts)
    assert [row[0] for row in everyone.rows] == [6, 2, 4, 3, 1]  # none rejected: not listed
    assert [row[4] for row in everyone.rows] == [33.3, 66.7, 66.7, 66.7, 20.0]


def test_the_rankings_show_ten_unless_told():
    counts = [_service(n, f"Group {n:02d}", 20 - n, 1) for n in range(1, 13)]
    most, rejecting = service_ranking(counts)
    assert [row[0] for row in most.rows] == list(range(1, 11))
    assert len(rejecting.rows) == 10 and most.title.startswith("The 10 services")


def test_the_funnel_counts_each_step_and_its_share_of_those_sent():
    table = status_funnel(Progress(reached={"sent": 8, "accepted": 6, "completed": 2,
                                            "rejected": 1}))
    assert table.rows == (
        ("sent", "Sent", "funnel", 8, 100.0), ("accepted", "Accepted", "funnel", 6, 75.0),
        ("contacted", "Contacted", "funnel", 0, 0.0),
        ("in_progress", "In progress", "funnel", 0, 0.0),
        ("completed", "Completed", "funnel", 2, 25.0),
        ("rejected", "Rejected by service", "left", 1, 12.5),
        ("declined", "Declined by patient", "left", 0, 0.0),
        ("not_contactable", "Not contactable", "left", 0, 0.0),
        ("cancelled", "Cancelled", "left", 0, 0.0))
    assert (table.key, table.title) == ("status_funnel",
                                         "Status funnel of referrals sent in the period")
    assert [(c.key, c.label, c.kind) for c in table.columns] == [
        ("status", "Code", "label"), ("label", "Status", "label"), ("part", "Part", "label"),
        ("referrals", "Referrals that reached it", "count"),
        ("share_of_sent", "Share of sent (%)", "derived")]


def test_with_nothing_sent_the_funnel_has_no_shares():
    table = status_funnel(Progress(reached={"accepted": 3}))
    assert [row[3:] for row in table.rows][:2] == [(0, None), (3, None)]
    assert {row[4] for row in table.rows} == {None}


FRI_24_DEC, TUE_29_DEC = date(2026, 12, 24), date(2026, 12, 29)
CHRISTMAS = frozenset({date(2026, 12, 25), date(2026, 12, 28)})  # GOV.UK: 28th substitute


def test_waits_are_working_days_with_the_median_and_nearest_rank_90th_percentile():
    mon = date(2026, 11, 2)
    pairs = [(mon, date(2026, 11, n), 1) for n in (3, 4, 5, 6, 9, 10, 11, 12, 13)]
    progress = Progress(day_pairs={"sent_to_accepted": pairs + [(mon, date(2026, 11, 16), 1)],
                                   "to_first_contact": [(FRI_24_DEC, TUE_29_DEC, 3)]})
    table = working_day_waits(progress, CHRISTMAS)
    assert table.rows == (
        ("sent_to_accepted", "Sent to accepted", 10, 5.5, 9.0),
        ("to_first_contact", "Accepted (or sent) to first contact", 3, 1.0, 1.0))
    assert table.note == ("90th percentile by nearest rank; weekends and the bank holidays "
                          "given are not working days.")
    assert (table.key, table.title) == ("working_day_waits",
                                         "Working days to acceptance and to first contact")
    assert [(c.key, c.kind) for c in table.columns] == [
        ("interval", "label"), ("label", "label"), ("referrals", "count"),
        ("median", "derived"), ("p90", "derived")]
    no_holidays = working_day_waits(progress, frozenset())
    assert no_holidays.rows[1][2:] == (3, 3.0, 3.0)  # 25, 28 and 29 December


def test_the_default_holidays_are_england_and_waless_and_the_note_names_their_years():
    progress = Progress(day_pairs={"sent_to_accepted": [(FRI_24_DEC, TUE_29_DEC, 1)],
                                   "to_first_contact": []})
    table = working_day_waits(progress)
    assert table.rows == (("sent_to_accepted", "Sent to accepted", 1, 1.0, 1.0),
                          ("to_first_contact", "Accepted (or sent) to first contact", 0, None,
                           None))
    years = sorted({day.year for day in england_and_wales()})
    assert table.note == (
        f"90th percentile by nearest rank; weekends and England and Wales bank holidays "
        f"(GOV.UK's list, {years[0]} to {years[-1]}; other years weekends only) are not "
        "working days.")
    assert working_day_waits(progress, england_and_wales()).note == table.note


@pytest.mark.parametrize(("values", "middle", "p90", "p50", "p0"), [
    ([], None, None, None, None),
    ([5], 5.0, 5.0, 5.0, 5.0),
    ([4, 1, 3, 2], 2.5, 4.0, 2.0, 1.0),
    ([7, 1, 3, 9, 5, 2, 8, 10, 4, 6], 5.5, 9.0, 5.0, 1.0),
])
def test_median_and_nearest_rank_worked_by_hand(values, middle, p90, p50, p0):
    assert median(values) == middle
    assert (nearest_rank(values, 90), nearest_rank(values, 50), nearest_rank(values, 0)) == (
        p90, p50, p0)
    assert working_days(FRI_24_DEC, TUE_29_DEC, CHRISTMAS) == 1
    assert working_days(FRI_24_DEC, TUE_29_DEC) == 1  # England and Wales's by default


def test_a_period_is_whole_days_from_midnight_to_midnight():
    one_day = ReportPeriod(date(2026, 3, 31), date(2026, 3, 31))
    assert (one_day.starts_at, one_day.ends_before) == (
        datetime(2026, 3, 31, 0, 0), datetime(2026, 4, 1, 0, 0))
    with pytest.raises(ValueError, match=r"^the period ends \(2026-03-30\) before it starts "
                                         r"\(2026-03-31\)$"):
        ReportPeriod(date(2026, 3, 31), date(2026, 3, 30))


def test_months_run_across_the_new_year_empty_ones_kept_and_sources_added_up():
    period = ReportPeriod(date(2025, 11, 15), date(2026, 2, 3))
    counts = {(2025, 11, "practice"): 2, (2025, 11, "self_referral"): 3,
              (2026, 1, "practice"): 4, (2026, 2, "legacy_code"): 1}
    table = by_month(counts, period)
    assert table.rows == (("2025-11", 5), ("2025-12", 0), ("2026-01", 4), ("2026-02", 1))
    assert (table.key, table.title, [c.kind for c in table.columns]) == (
        "referrals_by_month", "Referrals by month sent", ["label", "count"])
    one_month = by_month({}, ReportPeriod(date(2026, 12, 1), date(2026, 12, 31)))
    assert one_month.rows == (("2026-12", 0),)


def test_every_source_is_listed_and_an_unknown_code_after_them_by_code():
    table = by_source({(2026, 1, "practice"): 2, (2026, 2, "practice"): 1,
                       (2026, 1, "zz_old"): 4, (2026, 1, "aa_old"): 1,
                       (2026, 3, "self_referral"): 6})
    assert [row[0] for row in table.rows] == [
        "practice", "health_service", "social_care", "council_housing", "voluntary_community",
        "self_referral", "other", "aa_old", "zz_old"]
    counts = {row[0]: row[2] for row in table.rows}
    assert (counts["practice"], counts["self_referral"], counts["other"], counts["zz_old"],
            counts["aa_old"]) == (3, 6, 0, 4, 1)
    assert table.rows[0][1] == "The practice (GP, nurse or care navigator)"
    assert table.rows[-1][1] == "zz_old"  # an unknown code is its own label
    assert (table.key, table.title) == ("referrals_by_source", "Referrals by source")


def test_services_most_referred_first_ties_by_name_then_id_and_none_chosen_last():
    counts = [_service(7, "Walk", 2), _service(3, "Art", 2), _service(None, "(no service)", 2,
                                                                      category=""),
              _service(2, "Art", 2), _service(9, "Choir", 5)]
    table = by_service(counts)
    assert [row[0] for row in table.rows] == [9, None, 2, 3, 7]  # "(" sorts before letters
    assert table.rows[0] == (9, "Choir", "arts", 5)
    assert [c.key for c in table.columns] == ["service_id", "service", "category", "referrals"]


def test_every_category_is_listed_unknown_ones_after_and_no_service_last():
    counts = [_service(1, "Walk", 3, category="physical_activity"),
              _service(2, "Run", 2, category="physical_activity"),
              _service(3, "Old", 4, category="zz_retired"), _service(4, "Old2", 1,
                                                                  category="aa_retired"),
              _service(None, "(no service)", 6, category="")]
    table = by_category(counts)
    codes = [row[0] for row in table.rows]
    assert codes[:3] == ["befriending", "physical_activity", "arts_culture"]
    assert codes[-3:] == ["aa_retired", "zz_retired", ""]
    assert len(table.rows) == 14 + 3
    counted = {row[0]: row[2] for row in table.rows}
    assert (counted["physical_activity"], counted["befriending"], counted[""]) == (5, 0, 6)
    assert table.rows[-1][1] == "(no service)"
    assert "" not in [row[0] for row in by_category(counts[:4]).rows]  # none: no row for it
    assert table.title == "Referrals by service category"


# --- figures read from small databases made by hand, on both backends ---------------------


def _sent_at(services, clock, when: datetime, service=None, gp=None):
    clock.now = when
    gp = gp or make_user(services)
    draft = ready_draft(services, gp, make_patient(services), service or make_service(services))
    return services.referrals.send(gp.id, draft.id, draft.version)


def test_caseloads_list_every_link_worker_most_cases_first_then_by_name_then_id(services):
    """Open cases only (a closed one is not counted); a link worker with none is listed with
    0; someone else with an open case (a link worker since made admin) is listed too."""
    nia, lee = worker(services, "Nia Worker"), worker(services, "Lee Worker")
    sam_1, sam_2 = worker(services, "Sam Lee"), worker(services, "Sam Lee")
    services.users.set_active(admin(services), sam_1.id, False)  # moved in storage on PostgreSQL
    services.users.set_active(admin(services), sam_1.id, True)
    for to in (nia, nia, lee, lee):
        allocated(services, to)
    move(services, allocated(services, nia), "declined", "Moved away")
    former = make_user(services, "admin", "Pat Morgan")
    allocate(services, accepted(services).id, former)
    accepted(services)  # accepted, not yet allocated: on no one's caseload
    lead = services.users.ensure("lead.worker", "Lead Worker", "link_worker").id
    with services.db.connect() as connection:
        table = caseloads(connection, ReportPeriod(date(2026, 1, 1), date(2026, 12, 31)))
    assert table.rows == (
        (lee.id, "Lee Worker", 2), (nia.id, "Nia Worker", 2), (former.id, "Pat Morgan", 1),
        (lead, "Lead Worker", 0), (actor_for(services, "accepted"), "Nadia Ahmed", 0),
        (sam_1.id, "Sam Lee", 0), (sam_2.id, "Sam Lee", 0))
    assert (table.key, table.title, table.for_commissioner) == (
        "caseloads", "Open cases per link worker", False)
    assert [(c.key, c.label, c.kind) for c in table.columns] == [
        ("user_id", "User id", "label"), ("link_worker", "Link worker", "label"),
        ("open_cases", "Open cases", "count")]


def test_the_period_runs_from_its_first_midnight_to_the_midnight_after_its_last_day(
        services, clock):
    service = make_service(services)
    for when in (datetime(2026, 2, 28, 23, 59, 59), datetime(2026, 3, 1, 0, 0),
                 datetime(2026, 3, 31, 23, 59, 59), datetime(2026, 4, 1, 0, 0)):
        _sent_at(services, clock, when, service)
    with services.db.connect() as connection:
        counted = month_source_counts(connection, ReportPeriod(date(2026, 3, 1),
                                                               date(2026, 3, 31)))
    assert counted == {(2026, 3, "practice"): 2}


def test_the_same_month_of_two_years_is_counted_apart(services, clock):
    service = make_service(services)
    for when in (datetime(2025, 11, 10, 9), datetime(2026, 11, 10, 9),
                 datetime(2026, 11, 11, 9)):
        _sent_at(services, clock, when, service)
    with services.db.connect() as connection:
        counted = month_source_counts(connection, ReportPeriod(date(2025, 11, 1),
                                                               date(2026, 11, 30)))
    assert counted == {(2025, 11, "practice"): 1, (2026, 11, "practice"): 2}


def test_two_services_of_the_same_name_and_category_are_counted_apart(services, clock):
    """Two providers' walking groups: each its own referrals and rejections."""
    north = make_service(services, "Walking group", category="physical_activity")
    south = make_service(services, "Walking group", category="physical_activity")
    rejected = _sent_at(services, clock, datetime(2026, 3, 2, 9), north)
    move(services, rejected, "rejected", "Group full")
    for day in (3, 4):
        _sent_at(services, clock, datetime(2026, 3, day, 9), south)
    with services.db.connect() as connection:
        counted = service_counts(connection, ReportPeriod(date(2026, 3, 1), date(2026, 3, 31)))
    assert sorted(counted, key=lambda s: s.service_id) == [
        ServiceCount(north.id, "Walking group", "physical_activity", 1, 1),
        ServiceCount(south.id, "Walking group", "physical_activity", 2, 0)]


def test_an_outcome_score_missing_at_baseline_has_no_mean_rather_than_an_error(services):
    referral = accepted(services)
    for occasion, total in (("baseline", None), ("review", 5)):
        with services.db.transaction() as session:
            session.add(MeasureResult(
                referral_id=referral.id, measure_id="ucla3", measure_version=1,
                occasion=occasion, answered_on=date(2026, 11, 20), recorded_at=services.clock(),
                recorded_by_id=1, answers={}, scores={"total": total}))
    with services.db.connect() as connection:
        table = outcome_change(connection, ReportPeriod(date(2026, 11, 1), date(2026, 11, 30)),
                               services.db.backend)
    assert [(row[0], row[1], row[3:]) for row in table.rows] == [
        ("ucla3", 1, ("total", 1, None, 5.0, None))]


def test_each_reason_counts_a_referral_once_and_none_given_is_its_own_last_row(
        services, clock):
    service = make_service(services)
    given = (["loneliness", "low_mood"], ["loneliness"], [], ["zz_retired"])
    for day, reasons in enumerate(given, start=2):
        referral = _sent_at(services, clock, datetime(2026, 3, day, 9), service)
        with services.db.transaction() as session:
            session.get(Referral, referral.id).reasons = reasons
    with services.db.connect() as connection:
        table = by_reason(connection, ReportPeriod(date(2026, 3, 1), date(2026, 3, 31)),
                          services.db.backend)
    assert table.rows[:2] == (("loneliness", "Loneliness or social isolation", 2),
                              ("low_mood", "Low mood, anxiety or stress", 1))
    assert len(table.rows) == 11 + 2 and {row[2] for row in table.rows[2:11]} == {0}
    assert table.rows[-2:] == (("zz_retired", "zz_retired", 1), ("", "(none given)", 1))
    assert (table.key, table.title) == ("referrals_by_reason",
                                         "Referrals by reason (a referral may give several)")
    assert [(c.key, c.label, c.kind) for c in table.columns] == [
        ("reason", "Code", "label"), ("label", "Reason", "label"),
        ("referrals", "Referrals", "count")]


def test_the_referral_rate_counts_people_once_per_practice_by_name_then_id_with_a_total(
        services, clock):
    """Beeston Hill (4,000 registered): Ada referred twice and Ben once, so 2 people; two
    practices named Holbeck (2,000 each), one with nobody referred."""
    network_admin = admin(services)
    beeston, holbeck = two_practices(services, list_size=2000)
    services.practice.save(network_admin, PracticeDetails("Y99901", "Beeston Hill",
                                                          list_size=4000), beeston)
    other = services.practice.add(network_admin, PracticeDetails("Y99903", "Holbeck",
                                                                 list_size=2000)).id
    services.practice.save(network_admin, PracticeDetails("Y99902", "Holbeck",
                                                          list_size=2000), holbeck)
    gp = make_user(services)
    service = make_service(services)
    ada, ben = make_patient(services, "Ada", "Brown"), make_patient(services, "Ben", "Adams")
    ivy = make_patient(services, "Ivy", "Holt", practice_id=other)
    clock.now = datetime(2026, 3, 2, 9)
    for patient in (ada, ada, ben, ivy):
        draft = ready_draft(services, gp, patient, service)
        services.referrals.send(gp.id, draft.id, draft.version)
    march = ReportPeriod(date(2026, 3, 1), date(2026, 3, 31))
    with services.db.connect() as connection:
        table = referral_rate(connection, march)
        two = referral_rate(connection, ReportPeriod(march.from_date, march.to_date,
                                                     frozenset({beeston, holbeck})))
        one = referral_rate(connection, ReportPeriod(march.from_date, march.to_date,
                                                     frozenset({holbeck})))
    assert table.rows == (("Y99901", "Beeston Hill", 4000, 2, 0.05),
                          ("Y99902", "Holbeck", 2000, 0, 0.0),
                          ("Y99903", "Holbeck", 2000, 1, 0.05),
                          ("(all)", "All practices", 8000, 3, 0.04))
    assert two.rows[-1] == ("(all)", "All practices", 6000, 2, 0.03)  # two: still a total
    assert one.rows == (("Y99902", "Holbeck", 2000, 0, 0.0),)  # one: no total row
    assert (table.key, table.title) == ("referral_rate",
                                         "People referred as a share of the registered list")
    assert table.note == ("A person referred more than once in the period counts once. The "
                          "rate is empty where the practice's list size has not been entered.")
    assert [(c.key, c.label, c.kind) for c in table.columns] == [
        ("ods_code", "ODS code", "label"), ("practice", "Practice", "label"),
        ("list_size", "List size", "label"), ("people", "People referred", "count"),
        ("rate", "Referred (% of list)", "derived")]


def test_overdue_today_counts_sent_and_accepted_past_their_due_dates(services, clock):
    service = make_service(services)
    _sent_at(services, clock, datetime(2026, 11, 2, 9), service)       # reply due 16 Nov
    late = _sent_at(services, clock, datetime(2026, 11, 2, 9), service)
    clock.now = datetime(2026, 11, 30, 9)
    move(services, late, "accepted")                                    # contact due 14 Dec
    with services.db.connect() as connection:
        table = overdue_now(connection, date(2026, 12, 1), ReportPeriod(date(2026, 11, 1),
                                                                        date(2026, 11, 30)))
    assert table.rows == (("sent", "Sent, not acknowledged in time", 1),
                          ("accepted", "Accepted, no contact in time", 0))
    assert (table.key, table.title) == ("overdue_now", "Overdue on 2026-12-01")
    with services.db.connect() as connection:  # before any is due: both 0
        early = overdue_now(connection, date(2026, 11, 3), ReportPeriod(date(2026, 11, 1),
                                                                        date(2026, 11, 30)))
    assert [row[2] for row in early.rows] == [0, 0]
    assert [(c.key, c.label, c.kind) for c in table.columns] == [
        ("status", "Code", "label"), ("label", "Overdue", "label"),
        ("referrals", "Referrals", "count")]


HEADINGS_ROW = re.compile(r"^\| `(\w+)` \| (.+?) \| (.+) \| (yes|no) \|$", re.MULTILINE)
HEADING = re.compile(r"^`(\w+)` \((.+), (label|count|derived)\)$")


def _documented_headings() -> dict[str, tuple]:
    text = (Path(__file__).parents[2] / "docs" / "reports.md").read_text(encoding="utf-8")
    section = text.split("### Headings", 1)[1].split("\n### ", 1)[0]
    return {key: (title, tuple(HEADING.match(column).groups()
                               for column in columns.split("; ")), commissioner == "yes")
            for key, title, columns, commissioner in HEADINGS_ROW.findall(section)}


def test_every_table_has_the_title_and_headings_docs_reports_md_gives(services):
    documented = _documented_headings()
    report = build_report(services.db, ReportPeriod(date(2026, 3, 1), date(2026, 3, 31)),
                          today=date(2026, 4, 1), bank_holidays=())
    built = {table.key: (table.title.replace("2026-04-01", "YYYY-MM-DD (the day of `today`)"),
                         tuple((c.key, c.label, c.kind) for c in table.columns),
                         table.for_commissioner) for table in report.tables()}
    assert len(documented) == 13 and built == documented


def _result(services, referral_id, measure, version, occasion, on, scores):
    with services.db.transaction() as session:
        session.add(MeasureResult(
            referral_id=referral_id, measure_id=measure, measure_version=version,
            occasion=occasion, answered_on=on, recorded_at=services.clock(), recorded_by_id=1,
            answers={}, scores=scores))


def test_outcome_change_per_measure_version_and_score_from_the_latest_follow_up_in_the_period(
        services):
    """March 2026. Case 1: its last follow-up on the 31st counts (not the 1st); case 2: no
    follow-up in March; case 3: version 2's only one, on the 1st; case 4: a local measure;
    case 5: two follow-ups on one day, the one recorded later counts. Each measure and
    version is its own row, though they share the score's name."""
    cases = [accepted(services).id for _ in range(5)]
    _result(services, cases[0], "ucla3", 1, "baseline", date(2026, 2, 2), {"total": 6, "a": 2})
    _result(services, cases[0], "ucla3", 1, "review", date(2026, 3, 1), {"total": 4, "a": 1})
    _result(services, cases[0], "ucla3", 1, "closing", date(2026, 3, 31), {"total": 3, "a": 1})
    _result(services, cases[1], "ucla3", 1, "baseline", date(2026, 1, 5), {"total": 8})
    _result(services, cases[1], "ucla3", 1, "review", date(2026, 2, 28), {"total": 2})
    _result(services, cases[1], "ucla3", 1, "review", date(2026, 4, 1), {"total": 2})
    _result(services, cases[2], "ucla3", 2, "baseline", date(2026, 2, 2), {"total": 5})
    _result(services, cases[2], "ucla3", 2, "review", date(2026, 3, 1), {"total": 5})
    _result(services, cases[3], "aa_local", 1, "baseline", date(2026, 2, 2), {"total": 10})
    _result(services, cases[3], "aa_local", 1, "review", date(2026, 3, 10), {"total": 7})
    _result(services, cases[4], "ucla3", 1, "baseline", date(2026, 2, 2), {"total": 9})
    _result(services, cases[4], "ucla3", 1, "review", date(2026, 3, 20), {"total": 9})
    _result(services, cases[4], "ucla3", 1, "review", date(2026, 3, 20), {"total": 5})
    with services.db.transaction() as session:  # a plugin's measure: its stored title
        session.add(MeasureDefinitionRecord(measure_id="aa_local", version=1,
                                            title="Local wellbeing", plugin="local",
                                            definition={}))
    with services.db.connect() as connection:
        table = outcome_change(connection, ReportPeriod(date(2026, 3, 1), date(2026, 3, 31)),
                               services.db.backend)
    ucla = "Loneliness (three-item UCLA scale)"
    assert table.rows == (
        ("aa_local", 1, "Local wellbeing", "total", 1, 10.0, 7.0, -3.0),
        ("ucla3", 1, ucla, "a", 1, 2.0, 1.0, -1.0),
        ("ucla3", 1, ucla, "total", 2, 7.5, 4.0, -3.5),
        ("ucla3", 2, "ucla3", "total", 1, 5.0, 5.0, 0.0))


def test_shares_percentiles_and_rankings_at_their_edges():
    assert status_funnel(Progress(reached={"sent": 3, "accepted": 1})).rows[1][4] == 33.3
    values = list(range(200, 0, -1))
    assert (nearest_rank(values, 100), nearest_rank(values, 50)) == (200.0, 100.0)
    # one rejection in 2,001 is 0.0% to one place, and still a service that rejects
    _, rejecting = service_ranking([_service(1, "Big group", 2001, 1)])
    assert rejecting.rows == ((1, "Big group", 2001, 1, 0.0),)
    most, rejecting = service_ranking([_service(4, "Art", 3, 2), _service(2, "Art", 3, 2)])
    assert [row[0] for row in most.rows] == [2, 4] == [row[0] for row in rejecting.rows]


def test_the_report_passes_its_top_on_to_the_rankings(services):
    report = build_report(services.db, ReportPeriod(date(2026, 3, 1), date(2026, 3, 31)),
                          today=date(2026, 4, 1), top_services=3)
    assert (report.most_referred.title, report.most_rejecting.title) == (
        "The 3 services receiving most referrals", "The 3 services rejecting most referrals")


def test_outcome_change_counts_the_cases_of_the_periods_practices_only(services):
    beeston, holbeck = two_practices(services)
    case = accepted(services, patient=make_patient(services, "Ivy", "Holt",
                                                   practice_id=holbeck)).id
    _result(services, case, "ucla3", 1, "baseline", date(2026, 2, 2), {"total": 6})
    _result(services, case, "ucla3", 1, "review", date(2026, 3, 2), {"total": 4})
    with services.db.connect() as connection:
        def people(practice):
            period = ReportPeriod(date(2026, 3, 1), date(2026, 3, 31), frozenset({practice}))
            return [row[4] for row in outcome_change(connection, period,
                                                     services.db.backend).rows]
        assert (people(beeston), people(holbeck)) == ([], [1])
