"""Working-day arithmetic for response windows.

Weekends are skipped; bank holidays are not known to the core yet, so a window
that spans one ends a day early (the safe side for chasing).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

DEFAULT_RESPONSE_DAYS = 10


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days (Monday to Friday) after ``start``."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later).

    "Due Friday, today is Tuesday" is 2 working days overdue.
    """
    if end <= start:
        return 0
    whole_weeks, extra = divmod((end - start).days, 7)
    count = whole_weeks * 5
    for offset in range(1, extra + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


def subtract_working_days(end: date, days: int) -> date:
    """The date ``days`` working days before ``end``."""
    current = end
    remaining = days
    while remaining > 0:
        current -= timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def utcnow() -> datetime:
    """Now, in UTC without a zone: how every timestamp is stored."""
    return datetime.now(UTC).replace(tzinfo=None)
