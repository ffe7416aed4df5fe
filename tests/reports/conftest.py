"""A seeded practice for the report tests: the demo fill with a fixed seed and clock, on
each backend, and the period every figure is checked over."""

from __future__ import annotations

from datetime import date

import pytest

from practice_rx.reports import ReportPeriod
from practice_rx.services import Services
from practice_rx.services.demo import DemoSize, fill
from tests.support.factories import install_national_form

YEAR = ReportPeriod(date(2025, 12, 1), date(2026, 11, 30))
MARCH = ReportPeriod(date(2026, 3, 1), date(2026, 3, 31))
TODAY = date(2026, 11, 24)  # the conftest clock's day
#: England and Wales bank holidays inside the demo's two years (GOV.UK), so waits that
#: span one are checked to skip it
BANK_HOLIDAYS = frozenset({
    date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5),
    date(2025, 5, 26), date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26),
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
    date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
})


@pytest.fixture
def seeded(services: Services) -> Services:
    install_national_form(services)
    fill(services.db, DemoSize(patients=80, referrals=600, services=14), seed=14,
         clock=services.clock)
    return services
