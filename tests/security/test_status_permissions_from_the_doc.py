"""Every status change, for every role, as docs/permissions.md says: the doc is the answer.

The "Which actions" table is parsed from the page itself (not taken from
``domain/permissions.py``), and which action each status needs is the page's own
words, quoted below and checked to be on it. Then every move the lifecycle allows
(15 of them) is tried by a user of each role through ``ReferralService``, on both
backends: allowed, it is saved; refused, it raises ``PermissionDenied`` naming the
role and the action, and the referral, its events and the audit trail are as before.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from sqlalchemy import func, select

from practice_rx.errors import PermissionDenied
from practice_rx.storage.models import AuditEvent, Referral, ReferralEvent
from tests.support.factories import make_patient, make_service, make_user, move, ready_draft

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
#: the table's column headings, and the role code each one means
COLUMNS = {"receptionist": "receptionist", "clinician": "clinician",
           "link worker": "link_worker", "practice admin": "admin"}
ROLE_LABELS = {"receptionist": "Receptionist", "clinician": "Clinician (GP, nurse)",
               "link_worker": "Link worker", "admin": "Practice admin"}

#: Which action each status needs, in the page's words (each sentence must be on it).
DOC_SAYS = {
    "*record service reply*: the service accepted or rejected the referral.":
        ("record service reply", {"accepted", "rejected"}),
    "*record contact*: first contact, engaged, completed, declined or not contactable":
        ("record contact", {"contacted", "in_progress", "completed", "declined",
                            "not_contactable"}),
    "| send referrals |": ("send referrals", {"sent"}),
    "| cancel referrals |": ("cancel referrals", {"cancelled"}),
}

#: the lifecycle's moves (shared/GUIDE.md), and a way from a draft to each start
MOVES = [("draft", "sent"), ("draft", "cancelled"), ("sent", "accepted"), ("sent", "rejected"),
         ("sent", "cancelled"), ("accepted", "contacted"), ("accepted", "not_contactable"),
         ("accepted", "declined"), ("accepted", "cancelled"), ("contacted", "in_progress"),
         ("contacted", "declined"), ("contacted", "not_contactable"),
         ("in_progress", "completed"), ("in_progress", "declined"),
         ("in_progress", "not_contactable")]
PATHS = {"draft": [], "sent": ["sent"], "accepted": ["sent", "accepted"],
         "contacted": ["sent", "accepted", "contacted"],
         "in_progress": ["sent", "accepted", "contacted", "in_progress"]}


def doc_table() -> dict[str, set[str]]:
    """The "Which actions" table: each action's label and the roles with "yes"."""
    lines = DOC.read_text().splitlines()
    start = lines.index("## Which actions")
    header = next(line for line in lines[start:] if line.startswith("| action |"))
    roles = [COLUMNS[cell.strip()] for cell in header.strip("|").split("|")[1:]]
    table = {}
    for line in lines[lines.index(header, start) + 2:]:
        if not line.startswith("|"):
            break
        action, *cells = (cell.strip() for cell in line.strip("|").split("|"))
        assert set(cells) <= {"yes", "no"}, line
        table[action] = {role for role, cell in zip(roles, cells) if cell == "yes"}
    return table


def status_action(target: str) -> str:
    [action] = [action for action, targets in DOC_SAYS.values() if target in targets]
    return action


def test_the_doc_says_what_this_test_reads_from_it():
    text = DOC.read_text()
    for sentence in DOC_SAYS:
        assert sentence in text, sentence
    table = doc_table()
    assert len(table) == 23 and set(table["add notes"]) == set(COLUMNS.values())
    assert {target for _, target in MOVES} == {
        target for _, targets in DOC_SAYS.values() for target in targets}


def _counts(db, referral_id: int) -> tuple[str, int, int, int]:
    with db.reading() as session:
        referral = session.get(Referral, referral_id)
        events = session.scalar(select(func.count()).select_from(ReferralEvent).where(
            ReferralEvent.referral_id == referral_id))
        audit = session.scalar(select(func.count()).select_from(AuditEvent))
        return referral.status, referral.version, events, audit


@pytest.mark.parametrize(("move_", "role"), list(itertools.product(MOVES, COLUMNS.values())),
                         ids=lambda value: "-".join(value) if isinstance(value, tuple) else value)
def test_status_change_by_role_as_the_doc_says(services, db, move_, role):
    current, target = move_
    gp = make_user(services)
    referral = ready_draft(services, gp, make_patient(services), make_service(services))
    for step in PATHS[current]:
        referral = move(services, referral, step)
    user = make_user(services, role, f"A {role}")
    action = status_action(target)
    before = _counts(db, referral.id)
    attempt = lambda: services.referrals.change_status(
        user.id, referral.id, referral.version, target, "A reason",
        on_behalf=target == "sent")  # the draft is Dr Patel's: another sends it on her behalf
    if role in doc_table()[action]:
        assert attempt().status == target
        status, _, events, audit = _counts(db, referral.id)
        assert (status, events) == (target, before[2] + 1) and audit > before[3]
    else:
        with pytest.raises(PermissionDenied) as caught:
            attempt()
        assert str(caught.value) == f"Not allowed: the {ROLE_LABELS[role]} role cannot {action}"
        assert _counts(db, referral.id) == before
