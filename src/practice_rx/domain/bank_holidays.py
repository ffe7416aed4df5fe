"""England and Wales bank holidays, as GOV.UK publishes them, for every working-day count.

The list is the copy of https://www.gov.uk/bank-holidays.json that the
``govuk-bank-holidays`` package ships (2012 to 2028 in 0.19); a newer package
brings later years. It is read from the installed package, never downloaded,
so due dates do not depend on the network and every machine counts the same.
The file is read directly rather than through ``BankHolidays(use_cached_holidays=True)``:
that class imports ``requests`` (about 110 ms) only to parse the same JSON.

Years the list does not cover have no bank holidays here: weekends only.
"""

from __future__ import annotations

import functools
import json
from datetime import date

#: the package's bundled copy of GOV.UK's list, and the division PracticeRx counts in
_BUNDLED = "bank-holidays.json"
DIVISION = "england-and-wales"


@functools.cache
def england_and_wales() -> frozenset[date]:
    """Every England and Wales bank holiday in the bundled list (read once per process)."""
    from importlib import resources  # 25 ms of imports, paid by the first count, not start-up

    text = (resources.files("govuk_bank_holidays") / _BUNDLED).read_text(encoding="utf-8")
    events = json.loads(text)[DIVISION]["events"]
    return frozenset(date.fromisoformat(event["date"]) for event in events)


def years_covered() -> range:
    """The years the bundled list covers; outside them only weekends are skipped."""
    years = {holiday.year for holiday in england_and_wales()}
    return range(min(years), max(years) + 1)
