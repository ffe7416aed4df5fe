"""Report figures for practices, PCNs and commissioners (issue 14), with no Qt.

Every figure is a SQLAlchemy Core query over the referral tables, aggregated in the
database; :func:`build_report` gathers them into a :class:`Report`, and
:func:`suppress_small_numbers` makes a copy fit to leave the practice.
"""

from practice_rx.reports.build import Report, build_report
from practice_rx.reports.period import ReportPeriod
from practice_rx.reports.suppression import suppress_small_numbers
from practice_rx.reports.tables import Column, Table

__all__ = ["Column", "Report", "ReportPeriod", "Table", "build_report",
           "suppress_small_numbers"]
