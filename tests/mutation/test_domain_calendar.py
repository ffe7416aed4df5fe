"""Working days, bank holidays and "now", checked against dates read off a calendar.

Each expected date below was counted by hand on the 2026 calendar (1 Jan 2026 is a
Thursday), not by the code; the bank holidays are GOV.UK's published 2026 dates.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from practice_rx.domain.bank_holidays import england_and_wales, years_covered
from practice_rx.domain.calendar import (
    add_working_days,
    subtract_working_days,
    utcnow,
    working_days_between,
)

GOOD_FRIDAY_2026, EASTER_MONDAY_2026 = date(2026, 4, 3), date(2026, 4, 6)


def test_the_bundled_list_holds_the_published_2026_holidays() -> None:
    holidays = england_and_wales()
    for day in (date(2026, 1, 1), GOOD_FRIDAY_2026, EASTER_MONDAY_2026, date(2026, 5, 4),
                date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28)):
        assert day in holidays
    assert date(2026, 12, 26) not in holidays  # Boxing Day is a Saturday: moved to the 28th


def test_years_covered_runs_from_the_first_to_the_last_listed_year() -> None:
    years = {day.year for day in england_and_wales()}
    covered = years_covered()
    assert covered.start == min(years) and covered.stop == max(years) + 1
    assert 2012 in covered and 2026 in covered and covered.start > 2000


def test_adding_working_days_skips_weekends_and_bank_holidays() -> None:
    thursday = date(2026, 4, 2)
    # Fri 3 Apr and Mon 6 Apr are bank holidays: the next working day is Tue 7 Apr
    assert add_working_days(thursday, 1) == date(2026, 4, 7)
    assert add_working_days(thursday, 1, holidays=()) == GOOD_FRIDAY_2026
    assert add_working_days(thursday, 2, holidays=()) == EASTER_MONDAY_2026
    assert add_working_days(thursday, 0) == thursday
    assert add_working_days(date(2026, 11, 24), 10) == date(2026, 12, 8)


def test_subtracting_working_days_walks_back_over_the_same_days() -> None:
    tuesday = date(2026, 4, 7)
    assert subtract_working_days(tuesday, 1) == date(2026, 4, 2)
    assert subtract_working_days(tuesday, 1, holidays=()) == EASTER_MONDAY_2026
    assert subtract_working_days(tuesday, 1, holidays=[EASTER_MONDAY_2026]) == GOOD_FRIDAY_2026
    assert subtract_working_days(date(2026, 12, 8), 10) == date(2026, 11, 24)
    assert subtract_working_days(tuesday, 0) == tuesday


def test_working_days_between_counts_after_start_up_to_and_including_end() -> None:
    tuesday, friday = date(2026, 11, 24), date(2026, 11, 27)
    assert working_days_between(tuesday, friday) == 3
    assert working_days_between(tuesday, tuesday) == 0
    assert working_days_between(friday, tuesday) == 0
    assert working_days_between(tuesday, tuesday + timedelta(days=1)) == 1
    assert working_days_between(friday, date(2026, 11, 30)) == 1  # over a weekend
    assert working_days_between(tuesday, date(2026, 12, 8)) == 10
    assert working_days_between(tuesday, date(2026, 12, 29), holidays=()) == 25
    # Christmas Day (Fri) and the 28th (Mon) are bank holidays
    assert working_days_between(tuesday, date(2026, 12, 29)) == 23
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1
    assert working_days_between(date(2026, 4, 3), date(2026, 4, 7)) == 1
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 7), holidays=()) == 3
    # a holiday on a Saturday takes no working day
    assert working_days_between(tuesday, friday + timedelta(days=1),
                                holidays=[friday + timedelta(days=1)]) == 3


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles"])
def test_utcnow_is_utc_whatever_the_workstation_zone(zone: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        now = utcnow()
        reference = datetime.now(UTC).replace(tzinfo=None)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert now.tzinfo is None
    assert abs(reference - now) < timedelta(minutes=1)
