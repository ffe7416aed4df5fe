"""Report figures for practices, PCNs and commissioners (issue 14), with no Qt.

Every figure is a SQLAlchemy Core query over the referral tables, aggregated in the
database; :func:`build_report` gathers them into a :class:`Report`, and
:func:`suppress_small_numbers` makes a copy fit to leave the practice.

The names below are loaded on first use: the command line registers ``practice-rx
report`` from :mod:`practice_rx.reports.cli` at every start, and must not pay for
SQLAlchemy before the sign-in screen shows.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from practice_rx.reports.build import Report, build_report
    from practice_rx.reports.period import ReportPeriod
    from practice_rx.reports.suppression import suppress_small_numbers
    from practice_rx.reports.tables import Column, Table

_HOMES = {
    "Report": "build", "build_report": "build", "ReportPeriod": "period",
    "suppress_small_numbers": "suppression", "Column": "tables", "Table": "tables",
}
__all__ = ["Column", "Report", "ReportPeriod", "Table", "build_report",
           "suppress_small_numbers"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
