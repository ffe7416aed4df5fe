"""Every role against every casework letter (preview, make, batch, reprint, what is offered)
and against closing a case, through the service layer on SQLite and PostgreSQL. A role that
may not is refused with the matrix's message and nothing is recorded or audited."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from practice_rx.domain.permissions import Action, Role, allowed
from practice_rx.errors import PermissionDenied
from practice_rx.letters import LetterKind
from practice_rx.services.closing import Closing
from practice_rx.storage.models import AuditEvent, Letter
from tests.letters.casework_world import add_casework, in_progress, practice
from tests.support.factories import make_user

CASEWORK_KINDS = [LetterKind.CARE_PLAN, LetterKind.CARE_PLAN_LARGE_PRINT,
                  LetterKind.MESSAGE_BACK]
CALLS = {
    "preview": lambda s, uid, case, kind: s.letters.preview(uid, case.referral.id, kind),
    "generate": lambda s, uid, case, kind: s.letters.generate(uid, case.referral.id, kind),
    "batch": lambda s, uid, case, kind: s.letters.batch(uid, [case.referral.id], kind),
    "inputs": lambda s, uid, case, kind: s.letters.inputs(uid, case.referral.id, kind),
}


@pytest.fixture
def case(services):
    practice(services)
    case = in_progress(services)
    add_casework(services, case)
    return case


def counts(db):
    with db.reading() as session:
        return (session.scalar(select(func.count()).select_from(AuditEvent)),
                session.scalar(select(func.count()).select_from(Letter)))


def test_the_casework_letters_need_the_case_summary_permission():
    assert {kind for kind in LetterKind if kind.action is Action.VIEW_CASE_SUMMARY} == set(
        CASEWORK_KINDS)
    assert not allowed(Role.RECEPTIONIST, Action.VIEW_CASE_SUMMARY)


@pytest.mark.parametrize(("kind", "role", "call"),
                         list(itertools.product(CASEWORK_KINDS, Role, CALLS)),
                         ids=lambda value: str(value))
def test_role_by_casework_letter(services, db, case, kind, role, call):
    user = make_user(services, role.value, f"A {role.value}")
    before = counts(db)
    if allowed(role, Action.VIEW_CASE_SUMMARY):
        result = CALLS[call](services, user.id, case, kind)
        if call == "batch":
            assert result[0].letter is not None, result[0].error
    else:
        with pytest.raises(PermissionDenied) as caught:
            CALLS[call](services, user.id, case, kind)
        assert str(caught.value) == f"Not allowed: the {role.label} role cannot view case summary"
        assert counts(db) == before  # nothing made, nothing audited


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_role_by_casework_reprint(services, case, role):
    letter = services.letters.generate(case.worker.id, case.referral.id, LetterKind.CARE_PLAN)
    user = make_user(services, role.value, f"A {role.value}")
    if allowed(role, Action.VIEW_CASE_SUMMARY):
        assert services.letters.reprint(user.id, letter.record.id) == letter.pdf
    else:
        with pytest.raises(PermissionDenied, match="cannot view case summary"):
            services.letters.reprint(user.id, letter.record.id)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_is_offered_only_the_letters_it_may_make(services, case, role):
    user = make_user(services, role.value, f"A {role.value}")
    offered = set(services.letters.available(user.id, case.referral.id))
    expected = {kind for kind in LetterKind if allowed(role, kind.action)}
    assert offered == expected
    assert offered.isdisjoint(CASEWORK_KINDS) == (role is Role.RECEPTIONIST)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_role_by_closing(services, db, case, role):
    user = make_user(services, role.value, f"A {role.value}")
    before = counts(db)
    def attempt():
        return services.closing.close(user.id, case.referral.id, case.referral.version,
                                      Closing("fully", "Done"))

    if allowed(role, Action.RECORD_CASEWORK):
        assert attempt().goals_met == "fully"
    else:
        with pytest.raises(PermissionDenied) as caught:
            attempt()
        assert str(caught.value) == f"Not allowed: the {role.label} role cannot record casework"
        assert counts(db) == before
