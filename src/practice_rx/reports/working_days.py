"""Working days between two dates, and the percentiles reports give of them.

Working days are :mod:`practice_rx.domain.calendar`'s, the same the due dates count:
weekends and England and Wales bank holidays are skipped unless other holidays are given.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Collection, Sequence
from datetime import date

from practice_rx.domain.calendar import working_days_between


def working_days(start: date, end: date, bank_holidays: Collection[date] | None = None
                 ) -> int:
    """Working days after ``start`` up to and including ``end``: sent Monday, accepted
    Wednesday is 2; the same day is 0. ``bank_holidays`` None: England and Wales's."""
    return working_days_between(start, end, bank_holidays)


def median(values: Sequence[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None for none."""
    return float(statistics.median(values)) if values else None


def nearest_rank(values: Sequence[float], percent: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``percent`` % of
    the values at or below it (always a value that occurred, as a wait in days is)."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1])
