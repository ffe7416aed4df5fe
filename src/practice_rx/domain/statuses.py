"""The referral lifecycle as an explicit state machine.

Statuses are stable codes (stored as they are); labels are what people see.
The transitions follow the practice's guide; terminal statuses are final, and
referring again means a new referral linked to the old one.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from practice_rx.errors import TransitionError


class Status(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    CONTACTED = "contacted"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"
    DECLINED = "declined"
    NOT_CONTACTABLE = "not_contactable"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_terminal(self) -> bool:
        return not TRANSITIONS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.DRAFT: "Draft",
    Status.SENT: "Sent",
    Status.ACCEPTED: "Accepted",
    Status.CONTACTED: "Contacted",
    Status.IN_PROGRESS: "In progress",
    Status.COMPLETED: "Completed",
    Status.REJECTED: "Rejected by service",
    Status.DECLINED: "Declined by patient",
    Status.NOT_CONTACTABLE: "Not contactable",
    Status.CANCELLED: "Cancelled",
}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.SENT, Status.CANCELLED}),
    Status.SENT: frozenset({Status.ACCEPTED, Status.REJECTED, Status.CANCELLED}),
    Status.ACCEPTED: frozenset(
        {Status.CONTACTED, Status.NOT_CONTACTABLE, Status.DECLINED, Status.CANCELLED}
    ),
    Status.CONTACTED: frozenset({Status.IN_PROGRESS, Status.DECLINED, Status.NOT_CONTACTABLE}),
    Status.IN_PROGRESS: frozenset({Status.COMPLETED, Status.DECLINED, Status.NOT_CONTACTABLE}),
    Status.COMPLETED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.DECLINED: frozenset(),
    Status.NOT_CONTACTABLE: frozenset(),
    Status.CANCELLED: frozenset(),
}

#: Moving into these statuses needs a note saying why.
NOTE_REQUIRED: frozenset[Status] = frozenset({Status.REJECTED, Status.CANCELLED})

#: Statuses in which the practice is waiting for someone else, with a due date to chase.
AWAITING_RESPONSE: frozenset[Status] = frozenset({Status.SENT, Status.ACCEPTED})

#: SNOMED CT (UK edition) codes recorded with the event they belong to.
SNOMED_REFERRED = "871731000000106"  # Referral to social prescribing service (procedure)
SNOMED_DECLINED = "871711000000103"  # Social prescribing declined (situation)

EVENT_CODES: dict[Status, str] = {
    Status.SENT: SNOMED_REFERRED,
    Status.DECLINED: SNOMED_DECLINED,
}

#: The fully specified name of each verified code, as the GP system shows it: the one
#: source of terms for every place a code leaves PracticeRx (the CSV for the GP record,
#: the message back to the GP).
CODE_TERMS: dict[str, str] = {
    SNOMED_REFERRED: "Referral to social prescribing service (procedure)",
    SNOMED_DECLINED: "Social prescribing declined (situation)",
}


def verified_term(code: str) -> str | None:
    """The term of ``code`` if it is on the verified list; None for any other code, which
    must never be written to a file or a letter (a code put in by hand, say)."""
    return CODE_TERMS.get(code) if code in EVENT_CODES.values() else None


def is_overdue(status: str, response_due_on: date | None, today: date) -> bool:
    """Awaiting a response past its due date: the practice should chase it today."""
    return status in AWAITING_RESPONSE and response_due_on is not None and response_due_on < today


def allowed_next(current: Status | str) -> frozenset[Status]:
    """The statuses a referral in ``current`` may move to now."""
    return TRANSITIONS[Status(current)]


def check_transition(current: Status | str, target: Status | str, note: str = "") -> Status:
    """Return ``target`` as a Status, or raise :class:`TransitionError` naming both states."""
    try:
        current_status, target_status = Status(current), Status(target)
    except ValueError as error:
        raise TransitionError(str(current), str(target), "unknown status") from error
    if target_status not in TRANSITIONS[current_status]:
        if current_status.is_terminal:
            detail = f"'{current_status}' is final; raise a new referral instead"
        else:
            allowed = ", ".join(sorted(TRANSITIONS[current_status]))
            detail = f"from '{current_status}' it may move to: {allowed}"
        raise TransitionError(current_status, target_status, detail)
    if target_status in NOTE_REQUIRED and not note.strip():
        raise TransitionError(
            current_status, target_status, f"a reason is required to mark it '{target_status}'"
        )
    return target_status
