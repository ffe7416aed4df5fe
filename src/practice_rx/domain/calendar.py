"""Working-day arithmetic for response windows, chase-again windows and report waits.

A working day is Monday to Friday and not a bank holiday. ``holidays`` defaults
to England and Wales's (:mod:`practice_rx.domain.bank_holidays`, GOV.UK's list);
tests pass their own, and ``()`` counts weekends only.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta

from practice_rx.domain.bank_holidays import england_and_wales

DEFAULT_RESPONSE_DAYS = 10


def add_working_days(start: date, days: int, holidays: Collection[date] | None = None) -> date:
    """The date ``days`` working days after ``start``."""
    return _step(start, days, _holiday_set(holidays), timedelta(days=1))


def subtract_working_days(end: date, days: int, holidays: Collection[date] | None = None
                          ) -> date:
    """The date ``days`` working days before ``end``."""
    return _step(end, days, _holiday_set(holidays), timedelta(days=-1))


def working_days_between(start: date, end: date, holidays: Collection[date] | None = None
                         ) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later).

    "Due Friday, today is Tuesday" is 2 working days overdue (1 if Monday is a bank
    holiday). Counted per week, less the weekday holidays found by bisection, so the
    worklist can afford it on every row.
    """
    if end <= start:
        return 0
    whole_weeks, extra = divmod((end - start).days, 7)
    count = whole_weeks * 5
    for offset in range(1, extra + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    weekday_holidays = _weekday_holidays(_holiday_set(holidays))
    return count - (bisect.bisect_right(weekday_holidays, end)
                    - bisect.bisect_right(weekday_holidays, start))


def utcnow() -> datetime:
    """Now, in UTC without a zone: how every timestamp is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


def _holiday_set(holidays: Collection[date] | None) -> frozenset[date]:
    # frozenset(a_frozenset) is the same object, so the caches below hit at once
    return england_and_wales() if holidays is None else frozenset(holidays)


@functools.lru_cache(maxsize=16)
def _weekday_holidays(holidays: frozenset[date]) -> tuple[date, ...]:
    """The holidays that fall on a weekday, sorted (one on a Saturday takes no working day)."""
    return tuple(sorted(day for day in holidays if day.weekday() < 5))


def _step(day: date, days: int, holidays: frozenset[date], step: timedelta) -> date:
    remaining = days
    while remaining > 0:
        day += step
        if day.weekday() < 5 and day not in holidays:
            remaining -= 1
    return day
