"""The Reports window (issue 14): a period, every figure of the report as a chart above
its table, suppression as commissioners see it, and exports.

Imported only when Reports opens (QtCharts with it, from :mod:`.charts` alone), so
starting the application does not load it. Entry point for the main window:
:class:`~practice_rx.ui.reports.window.ReportsWindow` ``(session, parent=None)``.
"""
