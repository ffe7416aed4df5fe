"""Working days with bank holidays, and the percentiles of waits, on values worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from practice_rx.reports.working_days import median, nearest_rank, working_days

EASTER_2026 = (date(2026, 4, 3), date(2026, 4, 6))  # Good Friday, Easter Monday


@pytest.mark.parametrize("start, end, holidays, expected", [
    (date(2026, 11, 23), date(2026, 11, 25), (), 2),  # Monday to Wednesday
    (date(2026, 11, 23), date(2026, 11, 23), (), 0),
    (date(2026, 11, 25), date(2026, 11, 23), (), 0),  # backwards counts nothing
    (date(2026, 11, 27), date(2026, 11, 30), (), 1),  # Friday to Monday
    (date(2026, 4, 2), date(2026, 4, 7), EASTER_2026, 1),  # Thursday to Tuesday at Easter
    (date(2026, 4, 2), date(2026, 4, 7), (), 3),
    (date(2026, 4, 3), date(2026, 4, 6), EASTER_2026, 0),  # the holiday it starts on is not counted
    (date(2026, 12, 24), date(2026, 12, 29), (date(2026, 12, 25), date(2026, 12, 28)), 1),
    (date(2026, 12, 24), date(2026, 12, 29), (date(2026, 12, 26),), 3),  # a Saturday holiday
])
def test_working_days(start, end, holidays, expected):
    assert working_days(start, end, holidays) == expected


def test_nearest_rank_90th_percentile():
    assert nearest_rank(list(range(1, 11)), 90) == 9
    assert nearest_rank(list(range(1, 21)), 90) == 18
    assert nearest_rank(list(range(1, 12)), 90) == 10  # ceil(9.9) = 10th value
    assert nearest_rank([7], 90) == 7
    assert nearest_rank([5, 1, 3], 90) == 5  # order given does not matter
    assert nearest_rank([], 90) is None


def test_median():
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5
    assert median([]) is None
