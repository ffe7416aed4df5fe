"""England and Wales bank holidays in every working-day count: the list, the arithmetic,
and the due dates, overdue counts and chase windows built on it.

Expected holidays are GOV.UK's published list (https://www.gov.uk/bank-holidays) written
out here, not read from the package; expected dates are counted by hand.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from practice_rx.domain.bank_holidays import england_and_wales, years_covered
from practice_rx.domain.calendar import (
    add_working_days,
    subtract_working_days,
    working_days_between,
)
from practice_rx.services.chasing import chased_recently
from practice_rx.services.practice import PracticeDetails
from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from tests.support.factories import (
    admin,
    desk,
    make_patient,
    make_service,
    make_user,
    move,
    ready_draft,
)

#: GOV.UK, England and Wales
GOV_UK_2026 = {
    date(2026, 1, 1),    # New Year's Day
    date(2026, 4, 3),    # Good Friday
    date(2026, 4, 6),    # Easter Monday
    date(2026, 5, 4),    # Early May bank holiday
    date(2026, 5, 25),   # Spring bank holiday
    date(2026, 8, 31),   # Summer bank holiday
    date(2026, 12, 25),  # Christmas Day (a Friday)
    date(2026, 12, 28),  # Boxing Day, substitute day (26th is a Saturday)
}
GOV_UK_2027 = {
    date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3),
    date(2027, 5, 31), date(2027, 8, 30),
    date(2027, 12, 27), date(2027, 12, 28),  # both substitute days (25th, 26th: weekend)
}


@pytest.mark.parametrize("year, expected", [(2026, GOV_UK_2026), (2027, GOV_UK_2027)])
def test_the_list_is_gov_uks_for_england_and_wales(year, expected):
    assert {day for day in england_and_wales() if day.year == year} == expected


def test_the_bundled_list_covers_these_years_and_no_scottish_days():
    assert years_covered().start <= 2025 and years_covered().stop - 1 >= 2028
    assert date(2026, 1, 2) not in england_and_wales()  # 2 January: Scotland only
    assert date(2026, 8, 3) not in england_and_wales()  # Scotland's summer holiday


@pytest.mark.parametrize("start, days, expected", [
    # Thu 24 Dec 2026: Fri 25 and Mon 28 are holidays, so is Fri 1 Jan; the 10th working
    # day is Tue 29, Wed 30, Thu 31, Mon 4 … Tue 12 January
    (date(2026, 12, 24), 10, date(2027, 1, 12)),
    (date(2026, 12, 24), 1, date(2026, 12, 29)),
    (date(2026, 4, 2), 1, date(2026, 4, 7)),    # Thursday before Easter: Tuesday after
    (date(2026, 5, 1), 1, date(2026, 5, 5)),    # Friday before the early May holiday
    (date(2026, 11, 24), 10, date(2026, 12, 8)),  # no holiday in between: weekends only
    (date(2026, 12, 25), 0, date(2026, 12, 25)),  # no days: the start, holiday or not
])
def test_add_working_days_skips_bank_holidays(start, days, expected):
    assert add_working_days(start, days) == expected


@pytest.mark.parametrize("end, days, expected", [
    (date(2027, 1, 12), 10, date(2026, 12, 24)),
    (date(2026, 12, 29), 1, date(2026, 12, 24)),
    (date(2026, 4, 7), 1, date(2026, 4, 2)),
])
def test_subtract_working_days_skips_bank_holidays(end, days, expected):
    assert subtract_working_days(end, days) == expected


def test_an_explicit_list_replaces_the_default():
    assert add_working_days(date(2026, 12, 24), 10, ()) == date(2027, 1, 7)  # weekends only
    assert add_working_days(date(2026, 11, 24), 1, {date(2026, 11, 25)}) == date(2026, 11, 26)
    assert working_days_between(date(2026, 12, 24), date(2026, 12, 29), ()) == 3


@pytest.mark.parametrize("start, end, expected", [
    (date(2026, 12, 24), date(2026, 12, 29), 1),   # over Christmas
    (date(2026, 12, 24), date(2027, 1, 4), 4),     # 29, 30, 31, 4 (not 1 Jan)
    (date(2026, 4, 2), date(2026, 4, 7), 1),       # over Easter
    (date(2026, 4, 3), date(2026, 4, 6), 0),       # Good Friday to Easter Monday
    (date(2026, 12, 17), date(2027, 1, 5), 10),    # 18, 21-24, 29-31, 4, 5
    (date(2026, 11, 27), date(2026, 11, 30), 1),   # Friday to Monday
    (date(2026, 5, 1), date(2026, 5, 5), 1),       # Friday to Tuesday, Monday a holiday
    (date(2026, 12, 29), date(2026, 12, 24), 0),   # backwards counts nothing
])
def test_working_days_between_skips_bank_holidays(start, end, expected):
    assert working_days_between(start, end) == expected


def test_counting_agrees_with_a_day_by_day_count_over_two_years():
    holidays = GOV_UK_2026 | GOV_UK_2027
    start = date(2026, 1, 1)  # to March 2027: inside the two years written out above
    for offset in range(0, 400, 3):
        first = start + timedelta(days=offset)
        for days in (1, 5, 10, 23):
            due = add_working_days(first, days)
            by_hand = [first + timedelta(days=n) for n in range(1, (due - first).days + 1)]
            assert sum(d.weekday() < 5 and d not in holidays for d in by_hand) == days
            assert due.weekday() < 5 and due not in holidays
            assert working_days_between(first, due) == days


def test_years_beyond_the_list_count_weekends_only():
    christmas_eve = date(years_covered().stop + 5, 12, 24)
    assert add_working_days(christmas_eve, 10) == add_working_days(christmas_eve, 10, ())
    assert working_days_between(christmas_eve, christmas_eve + timedelta(days=14)) == 10


def test_a_referral_sent_on_christmas_eve_is_due_after_the_holidays(services, clock):
    services.practice.save(admin(services), PracticeDetails(
        ods_code="A81001", name="Beeston Surgery", response_days=10, contact_days=3))
    user, patient, service = make_user(services), make_patient(services), make_service(services)
    clock.now = datetime(2026, 12, 24, 11, 0)
    draft = ready_draft(services, user, patient, service)
    sent = services.referrals.send(user.id, draft.id, draft.version)
    assert sent.response_due_on == date(2027, 1, 12)
    accepted = move(services, sent, "accepted")  # still 24 December
    assert accepted.response_due_on == date(2026, 12, 31)  # contact window: 29, 30, 31


def test_overdue_working_days_in_the_worklist_skip_bank_holidays(services, clock):
    services.practice.save(admin(services), PracticeDetails(
        ods_code="A81001", name="Beeston Surgery", response_days=5))
    user, patient, service = make_user(services), make_patient(services), make_service(services)
    clock.now = datetime(2026, 12, 10, 9, 0)  # Thursday
    draft = ready_draft(services, user, patient, service)
    sent = services.referrals.send(user.id, draft.id, draft.version)
    assert sent.response_due_on == date(2026, 12, 17)
    clock.now = datetime(2027, 1, 5, 9, 0)
    page = services.worklist.page(desk(services), WorklistQuery(WorklistFilter(overdue_only=True)))
    assert [row.working_days_overdue for row in page.rows] == [10]  # 13 counting weekends only


def test_the_chase_again_window_skips_bank_holidays():
    chased = datetime(2026, 12, 24, 15, 0)  # Thursday, chase again after 3 working days
    assert chased_recently(chased, date(2026, 12, 29), 3)  # 1 working day ago (3 by weekends)
    assert chased_recently(chased, date(2026, 12, 30), 3)  # 2
    assert not chased_recently(chased, date(2026, 12, 31), 3)  # 3: 29, 30, 31
