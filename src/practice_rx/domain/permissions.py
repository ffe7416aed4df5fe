"""Who may do what: the permission matrix, written once.

The service layer checks it on every call, so a widget that forgets to hide a
button cannot let a receptionist do a clinician's work. ``docs/permissions.md``
shows the same table; a test keeps the two in step.
"""

from __future__ import annotations

from enum import StrEnum

from practice_rx.domain.statuses import Status
from practice_rx.errors import PermissionDenied


class Role(StrEnum):
    RECEPTIONIST = "receptionist"
    CLINICIAN = "clinician"
    LINK_WORKER = "link_worker"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.RECEPTIONIST: "Receptionist",
    Role.CLINICIAN: "Clinician (GP, nurse)",
    Role.LINK_WORKER: "Link worker",
    Role.ADMIN: "Practice admin",
}


class Action(StrEnum):
    VIEW_PATIENTS = "view_patients"
    EDIT_PATIENTS = "edit_patients"
    VIEW_REFERRALS = "view_referrals"
    WRITE_REFERRALS = "write_referrals"  # raise drafts, change reasons and answers
    SEND_REFERRALS = "send_referrals"
    CANCEL_REFERRALS = "cancel_referrals"
    RECORD_SERVICE_REPLY = "record_service_reply"  # accepted or rejected by the service
    RECORD_CONTACT = "record_contact"  # contact made, engaged, outcome, declined
    ADD_NOTES = "add_notes"
    PRINT_LETTERS = "print_letters"
    DELIVER_REFERRALS = "deliver_referrals"  # over MESH or a plugin's channel; send again
    MANAGE_CATALOGUE = "manage_catalogue"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    # the link worker's casework
    ENTER_INBOUND_REFERRALS = "enter_inbound_referrals"  # from an agency, or self-referral
    ALLOCATE_REFERRALS = "allocate_referrals"  # give a referral to a link worker, or move it
    VIEW_CASELOAD = "view_caseload"  # who is allocated, contacts counted, what is due
    VIEW_CASE_SUMMARY = "view_case_summary"  # the plan's summary, scores, the message back
    VIEW_CASEWORK = "view_casework"  # the conversation: contact notes, the plan in full
    RECORD_CASEWORK = "record_casework"  # contacts, plans, connections, measures, closing
    VIEW_REPORTS = "view_reports"  # counts, waits, outcomes: figures, never a person
    EXPORT_EXTRACT = "export_extract"  # the pseudonymised row-level extract for evaluation

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


R, C, L, A = Role.RECEPTIONIST, Role.CLINICIAN, Role.LINK_WORKER, Role.ADMIN

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_PATIENTS: frozenset({R, C, L, A}),
    Action.EDIT_PATIENTS: frozenset({R, C, A}),
    Action.VIEW_REFERRALS: frozenset({R, C, L, A}),
    Action.WRITE_REFERRALS: frozenset({C}),
    Action.SEND_REFERRALS: frozenset({C}),
    Action.CANCEL_REFERRALS: frozenset({R, C, A}),
    Action.RECORD_SERVICE_REPLY: frozenset({R, L, A}),
    Action.RECORD_CONTACT: frozenset({R, L}),
    Action.ADD_NOTES: frozenset({R, C, L, A}),
    Action.PRINT_LETTERS: frozenset({R, C, A}),
    Action.DELIVER_REFERRALS: frozenset({R, C, A}),
    Action.MANAGE_CATALOGUE: frozenset({R, A}),
    Action.MANAGE_SETTINGS: frozenset({A}),
    Action.MANAGE_USERS: frozenset({A}),
    Action.VIEW_AUDIT: frozenset({A}),
    Action.ENTER_INBOUND_REFERRALS: frozenset({R, L}),
    Action.ALLOCATE_REFERRALS: frozenset({L, A}),
    Action.VIEW_CASELOAD: frozenset({R, L, A}),
    Action.VIEW_CASE_SUMMARY: frozenset({C, L, A}),
    Action.VIEW_CASEWORK: frozenset({L, A}),
    Action.RECORD_CASEWORK: frozenset({L}),
    Action.VIEW_REPORTS: frozenset({C, L, A}),
    Action.EXPORT_EXTRACT: frozenset({A}),
}

#: The permission each status change needs.
STATUS_ACTIONS: dict[Status, Action] = {
    Status.SENT: Action.SEND_REFERRALS,
    Status.CANCELLED: Action.CANCEL_REFERRALS,
    Status.ACCEPTED: Action.RECORD_SERVICE_REPLY,
    Status.REJECTED: Action.RECORD_SERVICE_REPLY,
    Status.CONTACTED: Action.RECORD_CONTACT,
    Status.IN_PROGRESS: Action.RECORD_CONTACT,
    Status.COMPLETED: Action.RECORD_CONTACT,
    Status.DECLINED: Action.RECORD_CONTACT,
    Status.NOT_CONTACTABLE: Action.RECORD_CONTACT,
}


def allowed(role: str, action: Action) -> bool:
    return role in PERMISSIONS[action]


def check(role: str, action: Action) -> None:
    """Raise :class:`PermissionDenied` naming the role and the action unless it is allowed."""
    if not allowed(role, action):
        label = ROLE_LABELS[Role(role)] if role in Role._value2member_map_ else role
        raise PermissionDenied(f"Not allowed: the {label} role cannot {action.label}")
