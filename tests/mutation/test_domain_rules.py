"""Who may do what, and which status may follow which, typed in from the documents.

The permission rows are copied by hand from docs/permissions.md ("Which actions"), the
status permissions from its notes (a service reply is accepted or rejected; contacts are
first contact, engaged, completed, declined or not contactable), and the lifecycle from
the practice's guide. None of them is read from the code under test.
"""

from __future__ import annotations

from datetime import date

import pytest

from practice_rx.domain.permissions import STATUS_ACTIONS, Action, Role, allowed, check
from practice_rx.domain.statuses import (
    SNOMED_DECLINED,
    SNOMED_REFERRED,
    Status,
    allowed_next,
    check_transition,
    is_overdue,
    verified_term,
)
from practice_rx.errors import PermissionDenied, TransitionError

# receptionist, clinician, link worker, admin: from docs/permissions.md
DOCUMENTED = {
    "view patients": "yyyy", "edit patients": "yyny", "view referrals": "yyyy",
    "write referrals": "nynn", "send referrals": "nynn", "cancel referrals": "yyny",
    "record service reply": "ynyy", "record contact": "ynyn", "add notes": "yyyy",
    "print letters": "yyny", "deliver referrals": "yyny", "manage catalogue": "ynny",
    "manage settings": "nnny", "manage users": "nnny", "view audit": "nnny",
    "enter inbound referrals": "ynyn", "allocate referrals": "nnyy", "view caseload": "ynyy",
    "view case summary": "nyyy", "view casework": "nnyy", "record casework": "nnyn",
    "view reports": "nyyy", "export extract": "nnny",
}
ROLES = ("receptionist", "clinician", "link_worker", "admin")
LABELS = {"receptionist": "Receptionist", "clinician": "Clinician (GP, nurse)",
          "link_worker": "Link worker", "admin": "Practice admin"}

# who may move a referral into each status (docs/permissions.md's notes on the actions)
MAY_MOVE_TO = {
    "sent": {"clinician"},
    "cancelled": {"receptionist", "clinician", "admin"},
    "accepted": {"receptionist", "link_worker", "admin"},
    "rejected": {"receptionist", "link_worker", "admin"},
    "contacted": {"receptionist", "link_worker"},
    "in_progress": {"receptionist", "link_worker"},
    "completed": {"receptionist", "link_worker"},
    "declined": {"receptionist", "link_worker"},
    "not_contactable": {"receptionist", "link_worker"},
}

# the lifecycle, from the practice's guide
NEXT = {
    "draft": {"sent", "cancelled"},
    "sent": {"accepted", "rejected", "cancelled"},
    "accepted": {"contacted", "not_contactable", "declined", "cancelled"},
    "contacted": {"in_progress", "declined", "not_contactable"},
    "in_progress": {"completed", "declined", "not_contactable"},
    "completed": set(), "rejected": set(), "declined": set(), "not_contactable": set(),
    "cancelled": set(),
}


def test_the_documented_matrix_holds_for_every_action_and_role() -> None:
    assert {action.label for action in Action} == set(DOCUMENTED)
    for action in Action:
        for role, mark in zip(ROLES, DOCUMENTED[action.label], strict=True):
            assert allowed(role, action) is (mark == "y"), (action.label, role)


@pytest.mark.parametrize("target", sorted(MAY_MOVE_TO))
def test_each_status_change_needs_its_own_permission(target: str) -> None:
    action = STATUS_ACTIONS[Status(target)]
    assert {role for role in ROLES if allowed(role, action)} == MAY_MOVE_TO[target]


def test_check_refuses_naming_the_role_and_the_action() -> None:
    check("clinician", Action.SEND_REFERRALS)
    for role in ("receptionist", "link_worker", "admin"):
        with pytest.raises(PermissionDenied) as refused:
            check(role, Action.SEND_REFERRALS)
        assert str(refused.value) == f"Not allowed: the {LABELS[role]} role cannot send referrals"
    with pytest.raises(PermissionDenied) as refused:
        check("auditor", Action.VIEW_AUDIT)
    assert str(refused.value) == "Not allowed: the auditor role cannot view audit"
    assert Role("link_worker").label == "Link worker"


def test_the_lifecycle_is_the_guides() -> None:
    assert {status.value for status in Status} == set(NEXT)
    for current, targets in NEXT.items():
        assert {str(status) for status in allowed_next(current)} == targets
        assert Status(current).is_terminal is (not targets)
        for target in NEXT:
            if target in targets:
                assert check_transition(current, target, note="phoned") == Status(target)
            else:
                with pytest.raises(TransitionError):
                    check_transition(current, target, note="phoned")


def test_a_refused_move_says_why() -> None:
    with pytest.raises(TransitionError) as final:
        check_transition("completed", "sent")
    assert str(final.value) == ("A referral cannot move from 'completed' to 'sent': "
                                "'completed' is final; raise a new referral instead")
    with pytest.raises(TransitionError) as wrong:
        check_transition("draft", "accepted")
    assert str(wrong.value) == ("A referral cannot move from 'draft' to 'accepted': "
                                "from 'draft' it may move to: cancelled, sent")
    with pytest.raises(TransitionError) as unknown:
        check_transition("draft", "lost")
    assert str(unknown.value) == "A referral cannot move from 'draft' to 'lost': unknown status"
    assert (unknown.value.current, unknown.value.target) == ("draft", "lost")


@pytest.mark.parametrize(("current", "target"), [("sent", "rejected"), ("draft", "cancelled")])
def test_rejecting_and_cancelling_need_a_reason(current: str, target: str) -> None:
    for note in ("", "   "):
        with pytest.raises(TransitionError) as refused:
            check_transition(current, target, note=note)
        assert str(refused.value) == (f"A referral cannot move from '{current}' to '{target}': "
                                      f"a reason is required to mark it '{target}'")
    with pytest.raises(TransitionError):
        check_transition(current, target)  # no note given at all
    assert check_transition(current, target, note="no longer needed") == Status(target)
    assert check_transition("sent", "accepted") == Status.ACCEPTED  # no note needed


def test_overdue_means_awaiting_a_reply_past_the_due_date() -> None:
    today = date(2026, 11, 24)
    assert is_overdue("sent", date(2026, 11, 23), today) is True
    assert is_overdue("accepted", date(2026, 11, 23), today) is True
    assert is_overdue("sent", today, today) is False
    assert is_overdue("sent", None, today) is False
    for status in ("draft", "contacted", "in_progress", "completed", "rejected", "cancelled"):
        assert is_overdue(status, date(2026, 1, 1), today) is False


def test_only_verified_codes_have_a_term() -> None:
    assert SNOMED_REFERRED == "871731000000106" and SNOMED_DECLINED == "871711000000103"
    assert verified_term("871731000000106") == "Referral to social prescribing service (procedure)"
    assert verified_term("871711000000103") == "Social prescribing declined (situation)"
    assert verified_term("123456789") is None
    assert verified_term("") is None
