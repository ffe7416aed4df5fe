"""The link worker's casework screens: the care and support plan, connections, outcome measures.

Entry points (each takes the :class:`~practice_rx.ui.session.Session` and a referral id;
the main window opens them for the referral in view):

- :class:`~practice_rx.ui.casework.plan_editor.PlanEditor` (dialog): write the plan, save a
  version, or agree it with the person. Needs RECORD_CASEWORK; emits ``saved``.
- :class:`~practice_rx.ui.casework.plan_history.PlanHistory` (dialog): every version, read-only.
  Needs VIEW_CASEWORK.
- :class:`~practice_rx.ui.casework.connections_panel.ConnectionsPanel` (widget): the case's
  connections to community services; connect one (with the service picker) and move its
  status. Lists with VIEW_CASE_SUMMARY; changes need RECORD_CASEWORK.
- :class:`~practice_rx.ui.casework.measure_dialog.MeasureEntryDialog` (dialog): record one
  outcome measure, one question per row. Needs RECORD_CASEWORK.
- :class:`~practice_rx.ui.casework.outcomes_panel.OutcomesPanel` (widget): the change from
  baseline and a chart per measure over time, with a text alternative. VIEW_CASE_SUMMARY.

Changes emit ``Session.referral_changed`` with the referral id, so other views refresh.
"""
