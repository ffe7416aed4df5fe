"""The state machine on its own: every pair of statuses, allowed or not."""

import itertools

import pytest

from practice_rx.domain.statuses import TRANSITIONS, Status, allowed_next, check_transition
from practice_rx.errors import TransitionError

GUIDE = {
    "draft": {"sent", "cancelled"},
    "sent": {"accepted", "rejected", "cancelled"},
    "accepted": {"contacted", "not_contactable", "declined", "cancelled"},
    "contacted": {"in_progress", "declined", "not_contactable"},
    "in_progress": {"completed", "declined", "not_contactable"},
    "completed": set(),
    "rejected": set(),
    "declined": set(),
    "not_contactable": set(),
    "cancelled": set(),
}


def test_transitions_match_the_practice_guide():
    assert {str(s): {str(t) for t in targets} for s, targets in TRANSITIONS.items()} == GUIDE


@pytest.mark.parametrize(("current", "target"), list(itertools.product(Status, Status)))
def test_every_pair(current, target):
    allowed = str(target) in GUIDE[str(current)]  # the guide's answer, not the code's
    assert (target in allowed_next(current)) == allowed
    if allowed:
        assert check_transition(current, target, note="because") == target
    else:
        with pytest.raises(TransitionError) as caught:
            check_transition(current, target, note="because")
        assert f"'{current}'" in str(caught.value) and f"'{target}'" in str(caught.value)


@pytest.mark.parametrize(("current", "target"), [("sent", "rejected"), ("draft", "cancelled")])
def test_reason_required_for_rejected_and_cancelled(current, target):
    with pytest.raises(TransitionError, match="a reason is required"):
        check_transition(current, target, note="  ")


def test_terminal_states_say_to_refer_again():
    with pytest.raises(TransitionError, match="raise a new referral"):
        check_transition("completed", "sent")
