"""The link worker's caseload and the dialogs that act on a case.

Entry points for the main window:

- :class:`~practice_rx.ui.caseload.view.CaseloadView` ``(session, parent=None)``: the
  caseload (filters, sortable paged table); its ``record_contact_requested``,
  ``allocate_requested`` and ``opened`` signals carry a referral id.
- :class:`~practice_rx.ui.caseload.record_contact.RecordContactDialog`
  ``(session, referral_id, parent=None)``: record a contact or an attempt, and offer
  "not contactable" when the service says it may be.
- :class:`~practice_rx.ui.caseload.allocate.AllocateDialog`
  ``(session, referral_id, parent=None)``: allocate or reallocate to a link worker.
- :class:`~practice_rx.ui.caseload.inbound.InboundPanel` ``(parent=None)``: where an
  inbound referral came from, shown by the new-referral dialog for receptionists and
  link workers.
"""
