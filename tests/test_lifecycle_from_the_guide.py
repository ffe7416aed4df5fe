"""The referral lifecycle as the practice's guide writes it, held through the referral service.

``GUIDE_TABLE`` is the "Referral lifecycle" table of ``shared/GUIDE.md`` copied out
by hand (status | may move to), not read from ``domain/statuses.py``: the code is
compared with it, and every one of the 100 (from, to) pairs is tried through
``ReferralService.change_status`` on both backends. An allowed move is saved with
its event (who, from, to, note); a refused one raises and changes nothing.
"""

from __future__ import annotations

from collections import deque

import pytest
from sqlalchemy import func, select

from practice_rx.domain.statuses import NOTE_REQUIRED, TRANSITIONS, Status
from practice_rx.errors import TransitionError
from practice_rx.storage.models import Referral, ReferralEvent
from tests.support.factories import (
    actor_for,
    make_patient,
    make_service,
    make_user,
    move,
    ready_draft,
)

#: | status | may move to |, from shared/GUIDE.md's "Referral lifecycle" ("—" is none).
GUIDE_TABLE = """
draft           | sent, cancelled
sent            | accepted, rejected, cancelled
accepted        | contacted, not_contactable, declined, cancelled
contacted       | in_progress, declined, not_contactable
in_progress     | completed, declined, not_contactable
completed       | —
rejected        | —
declined        | —
not_contactable | —
cancelled       | —
"""


def guide() -> dict[str, set[str]]:
    rows = {}
    for line in GUIDE_TABLE.strip().splitlines():
        status, targets = (cell.strip() for cell in line.split("|"))
        rows[status] = set() if targets == "—" else {t.strip() for t in targets.split(",")}
    return rows


GUIDE = guide()
#: "a reason is required" in the guide's rows for rejected and cancelled
REASON_REQUIRED = {"rejected", "cancelled"}


def path_to(status: str) -> list[str]:
    """The shortest run of moves from draft to ``status`` in the guide's table."""
    paths, queue = {"draft": []}, deque(["draft"])
    while queue:
        current = queue.popleft()
        for target in sorted(GUIDE[current]):
            if target not in paths:
                paths[target] = [*paths[current], target]
                queue.append(target)
    return paths[status]


def test_the_code_has_the_guides_table():
    assert set(GUIDE) == {status.value for status in Status}
    assert {s.value: {t.value for t in targets} for s, targets in TRANSITIONS.items()} == GUIDE
    assert {status.value for status in NOTE_REQUIRED} == REASON_REQUIRED
    assert {s.value for s in Status if s.is_terminal} == {s for s, t in GUIDE.items() if not t}


def test_every_status_is_reached_from_a_draft():
    assert all(path_to(status) or status == "draft" for status in GUIDE)


def _referral_in(services, status: str) -> Referral:
    gp = make_user(services)
    referral = ready_draft(services, gp, make_patient(services), make_service(services))
    for step in path_to(status):
        referral = move(services, referral, step, note="as the guide allows")
    assert referral.status == status
    return referral


def _state(db, referral_id: int) -> tuple[str, int, int]:
    with db.reading() as session:
        referral = session.get(Referral, referral_id)
        events = session.scalar(select(func.count()).select_from(ReferralEvent).where(
            ReferralEvent.referral_id == referral_id))
        return referral.status, referral.version, events


@pytest.mark.parametrize("current", list(GUIDE))
def test_every_move_from_each_status_through_the_service(services, db, current):
    for target in GUIDE:
        referral = _referral_in(services, current)
        before = _state(db, referral.id)
        actor = referral.referrer_id if target == "sent" else actor_for(services, target)
        attempt = lambda r=referral, t=target, a=actor: services.referrals.change_status(
            a, r.id, r.version, t, "a reason")
        if target in GUIDE[current]:
            moved = attempt()
            assert moved.status == target, (current, target)
            with db.reading() as session:
                event = session.scalars(select(ReferralEvent).where(
                    ReferralEvent.referral_id == referral.id).order_by(
                    ReferralEvent.id.desc())).first()
                assert (event.from_status, event.to_status, event.user_id) == (
                    current, target, actor)
                assert "a reason" in event.note
            assert _state(db, referral.id)[2] == before[2] + 1
        else:
            with pytest.raises(TransitionError) as caught:
                attempt()
            assert f"'{current}'" in str(caught.value) and f"'{target}'" in str(caught.value)
            if not GUIDE[current]:
                assert "is final; raise a new referral instead" in str(caught.value)
            assert _state(db, referral.id) == before, (current, target)


@pytest.mark.parametrize(("current", "target"), [
    (current, target) for current, targets in GUIDE.items() for target in sorted(targets)
    if target in REASON_REQUIRED])
def test_a_move_the_guide_says_needs_a_reason_is_refused_without_one(services, db, current,
                                                                      target):
    referral = _referral_in(services, current)
    before = _state(db, referral.id)
    with pytest.raises(TransitionError, match=f"a reason is required to mark it '{target}'"):
        services.referrals.change_status(actor_for(services, target), referral.id,
                                         referral.version, target, "   ")
    assert _state(db, referral.id) == before


def test_declined_is_saved_without_a_reason(services):
    """The guide: "a reason is recorded if given" for declined, so none is needed."""
    referral = _referral_in(services, "accepted")
    moved = services.referrals.change_status(actor_for(services, "declined"), referral.id,
                                             referral.version, "declined")
    assert moved.status == "declined"
