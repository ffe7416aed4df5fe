"""The letters panel offers the casework letters only to roles that may read the case summary,
and only once they can be made."""

from __future__ import annotations

import pytest

from practice_rx.ui.letters_view import LettersPanel
from practice_rx.ui.session import Session
from tests.letters.casework_world import add_casework, in_progress, practice
from tests.support.factories import make_user
from tests.ui.helpers import settle

CASEWORK = {"care_plan", "care_plan_large_print", "message_back"}


def offered(core, qtbot, user, referral_id) -> set[str]:
    session = Session(core, user)
    panel = LettersPanel(session)
    qtbot.addWidget(panel)
    panel.set_referral(core.services.referrals.get(user.id, referral_id))
    settle(qtbot, session)
    return {panel.kind.itemData(row) for row in range(panel.kind.count())}


@pytest.mark.parametrize(("role", "expected"), [
    ("receptionist", {"referral", "patient", "patient_large_print", "chaser"}),
    ("clinician", {"referral", "patient", "patient_large_print", "chaser", *CASEWORK}),
    ("link_worker", CASEWORK),
    ("admin", {"referral", "patient", "patient_large_print", "chaser", *CASEWORK}),
])
def test_each_role_is_offered_what_it_may_make(core, qtbot, role, expected):
    practice(core.services)
    case = in_progress(core.services)
    add_casework(core.services, case)
    user = make_user(core.services, role, f"A {role}")
    assert offered(core, qtbot, user, case.referral.id) == expected


def test_no_casework_letter_is_offered_before_the_plan_is_agreed(core, qtbot):
    practice(core.services)
    case = in_progress(core.services)
    add_casework(core.services, case, agreed=False)
    assert offered(core, qtbot, case.worker, case.referral.id) == set()
