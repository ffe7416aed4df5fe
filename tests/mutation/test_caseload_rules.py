"""The caseload and allocation rules, each held here on its own: who may see a caseload and
give a case (every role, from the table in docs/permissions.md), within which practices,
what the caseload leaves out and when a case is due, and an allocation's history in full.

These stand in, for mutation testing, for the permission matrix and practice-scope suites
(which reach the allocation service in every one of their 200 set-ups); both backends.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from practice_rx.errors import NotFoundError, PermissionDenied, ValidationError
from practice_rx.services.allocation import AllocationRow
from practice_rx.services.caseload import CaseloadFilter, CaseloadQuery
from practice_rx.storage.caseload_models import ReferralAllocation
from practice_rx.storage.models import AuditEvent
from tests.caseload.allocated_case import (
    accepted,
    allocated,
    contact,
    current,
    measure_taken,
    plan_version,
    worker,
)
from tests.caseload.casework_cases import open_case
from tests.support.factories import (
    admin,
    make_patient,
    make_service,
    make_user,
    ready_draft,
    two_practices,
)

#: docs/permissions.md, "Which actions": (view caseload, allocate referrals) per role
DOCUMENTED = {"receptionist": (True, False), "clinician": (False, False),
              "link_worker": (True, True), "admin": (True, True)}


def _page(services, user_id: int, **filter) -> tuple[list[int], int]:
    page = services.caseload.page(user_id, CaseloadQuery(CaseloadFilter(**filter), sort="id"))
    return [row.id for row in page.rows], page.total


@pytest.mark.parametrize("role", sorted(DOCUMENTED))
def test_every_role_on_the_caseload_as_documented(services, role):
    nadia = worker(services)
    case = allocated(services, nadia)
    user = nadia if role == "link_worker" else make_user(services, role, "Someone Else")
    if DOCUMENTED[role][0]:
        assert _page(services, user.id) == ([case.id], 1)
        workers = services.allocation.link_workers(user.id)  # by name, a tie by id
        assert [w.name for w in workers] == ["Lead Worker", "Nadia Ahmed", "Nadia Ahmed"]
        assert workers[1].id < workers[2].id and nadia.id in {w.id for w in workers}
        assert [row.link_worker_id for row in services.allocation.history(user.id, case.id)] \
            == [nadia.id]
        return
    for call in (lambda: _page(services, user.id),
                 lambda: services.allocation.link_workers(user.id),
                 lambda: services.allocation.history(user.id, case.id)):
        with pytest.raises(PermissionDenied, match="cannot view caseload"):
            call()


@pytest.mark.parametrize("role", sorted(DOCUMENTED))
def test_every_role_allocating_as_documented(services, role):
    nadia = worker(services)
    referral = accepted(services)
    user = make_user(services, role, "Someone Else")
    if DOCUMENTED[role][1]:
        moved = services.allocation.allocate(user.id, referral.id, referral.version, nadia.id)
        assert moved.allocated_to_id == nadia.id
        return
    with pytest.raises(PermissionDenied, match="cannot allocate referrals"):
        services.allocation.allocate(user.id, referral.id, referral.version, nadia.id)
    assert current(services, referral.id).allocated_to_id is None
    with services.db.reading() as session:
        assert session.scalars(select(ReferralAllocation)).all() == []


def test_a_deactivated_account_sees_no_caseload(services):
    nadia = worker(services)
    allocated(services, nadia)
    services.users.set_active(admin(services), nadia.id, False)
    with pytest.raises(PermissionDenied):
        _page(services, nadia.id)


def test_the_caseload_holds_only_the_users_practices(services):
    """A Holbeck receptionist sees Holbeck's case, not Beeston Hill's; a network link worker
    sees both, and the practice filter narrows to one; the totals agree with the rows."""
    nadia = worker(services)
    beeston_case = allocated(services, nadia)
    beeston, holbeck = two_practices(services)
    holbeck_case = allocated(services, nadia,
                             patient=make_patient(services, "Ivy", "Holt", practice_id=holbeck))
    desk = make_user(services, "receptionist", "Holbeck Desk")
    services.users.set_practices(admin(services), desk.id, {holbeck}, False)
    assert _page(services, desk.id) == ([holbeck_case.id], 1)
    assert _page(services, nadia.id) == ([beeston_case.id, holbeck_case.id], 2)
    assert _page(services, nadia.id, practice_ids=frozenset({beeston})) == ([beeston_case.id], 1)
    assert _page(services, desk.id, practice_ids=frozenset({beeston})) == ([], 0)


def test_the_history_lists_every_allocation_in_full_by_when_it_was_made(services, clock):
    """Oldest first by the time recorded, even where a workstation's clock ran behind and a
    later row has the earlier time; another referral's allocations are not listed."""
    nadia, lee = worker(services), worker(services, "Lee Worker")
    lead = make_user(services, "admin", "Pat Morgan")
    referral, other = accepted(services), accepted(services)
    clock.now = datetime(2026, 11, 24, 10, 0)
    first = services.allocation.allocate(lead.id, referral.id, referral.version, nadia.id,
                                         "  New case  ")
    services.allocation.allocate(lead.id, other.id, other.version, lee.id)
    clock.now = datetime(2026, 11, 24, 9, 0)
    services.allocation.allocate(nadia.id, first.id, first.version, lee.id, "Cover")
    with services.db.reading() as session:
        ids = session.scalars(select(ReferralAllocation.id).where(
            ReferralAllocation.referral_id == referral.id).order_by(ReferralAllocation.id)).all()
    assert services.allocation.history(lead.id, referral.id) == [
        AllocationRow(ids[1], lee.id, "Lee Worker", datetime(2026, 11, 24, 9, 0), nadia.id,
                      "Nadia Ahmed", "Cover"),
        AllocationRow(ids[0], nadia.id, "Nadia Ahmed", datetime(2026, 11, 24, 10, 0), lead.id,
                      "Pat Morgan", "New case")]


def test_allocations_made_in_the_same_second_are_listed_as_made(services):
    nadia, lee = worker(services), worker(services, "Lee Worker")
    referral = accepted(services)
    for to in (nadia, lee, nadia):
        referral = services.allocation.allocate(lee.id, referral.id, referral.version, to.id)
    history = services.allocation.history(lee.id, referral.id)
    assert [row.link_worker_id for row in history] == [nadia.id, lee.id, nadia.id]
    assert [row.id for row in history] == sorted(row.id for row in history)


def test_the_history_of_a_referral_that_does_not_exist_says_so(services):
    with pytest.raises(NotFoundError, match="^Referral 99999 does not exist$"):
        services.allocation.history(worker(services).id, 99999)


@pytest.fixture
def due(services, clock):
    """Nadia's cases on Tuesday 24 November 2026, each due for one reason only or for none
    (their first contact made, so no first-contact window applies)."""
    nadia = worker(services)
    clock.now = datetime(2026, 11, 16, 9, 0)
    cases = {name: allocated(services, nadia) for name in (
        "contact_today", "review_today", "review_passed", "baseline_missing", "nothing_due",
        "review_later")}
    for name, referral in cases.items():
        contact(services, nadia, referral.id, next_contact_on=date(2026, 11, 25))
        if name != "baseline_missing":
            measure_taken(services, referral.id, "baseline")
    contact(services, nadia, cases["contact_today"].id, next_contact_on=date(2026, 11, 24))
    plan_version(services, cases["review_today"].id, date(2026, 11, 24))
    plan_version(services, cases["review_passed"].id, date(2026, 11, 23))
    plan_version(services, cases["review_later"].id, date(2026, 12, 1))
    plan_version(services, cases["nothing_due"].id, None)
    clock.now = datetime(2026, 11, 24, 9, 0)
    return nadia, {name: referral.id for name, referral in cases.items()}


def test_due_today_is_due_and_each_reason_counts_on_its_own(services, due):
    nadia, cases = due
    names = {referral_id: name for name, referral_id in cases.items()}
    shown, total = _page(services, nadia.id, due_only=True)
    assert sorted(names[i] for i in shown) == [
        "baseline_missing", "contact_today", "review_passed", "review_today"]
    assert total == 4


def test_only_a_baseline_counts_as_one_and_only_this_cases_follow_up_clears_it(services, due):
    """A review measure is not a baseline; another person's follow-up is not this one's."""
    nadia, cases = due
    measure_taken(services, cases["baseline_missing"], "review")
    measure_taken(services, cases["review_later"], "review")
    rows = {row.id: row for row in services.caseload.page(nadia.id, CaseloadQuery(
        CaseloadFilter(), sort="id")).rows}
    assert rows[cases["baseline_missing"]].measures_due == ("baseline",)
    assert rows[cases["review_passed"]].measures_due == ("follow_up",)
    assert rows[cases["review_today"]].measures_due == ()  # due today, not yet overdue


def test_the_latest_plan_version_gives_the_review_date_whatever_order_it_was_written(
        services, due):
    nadia, cases = due
    referral_id = cases["nothing_due"]
    plan_version(services, referral_id, date(2026, 12, 9), number=3)
    plan_version(services, referral_id, date(2026, 12, 16), number=3)  # 3 twice: the later
    plan_version(services, referral_id, date(2026, 12, 2), number=2)   # written after 3
    row = next(row for row in services.caseload.page(nadia.id, CaseloadQuery()).rows
               if row.id == referral_id)
    assert row.review_on == date(2026, 12, 16)


def test_digits_find_nhs_numbers_as_well_as_the_referral_of_that_number(services, due):
    nadia, cases = due
    everyone = sorted(cases.values())
    assert _page(services, nadia.id, text="999") == (everyone, 6)  # the test range's start
    assert _page(services, nadia.id, text=str(cases["review_later"])) == (
        [cases["review_later"]], 1)
    assert _page(services, nadia.id, text=f"X{cases['review_later']}") == ([], 0)  # only "#"
    assert _page(services, nadia.id, text="   ") == (everyone, 6)


def test_a_bad_sort_or_page_names_its_field(services, due):
    nadia, _ = due
    with pytest.raises(ValidationError) as caught:
        services.caseload.page(nadia.id, CaseloadQuery(sort="colour"))
    assert caught.value.errors == {"sort": "Sort: choose a column of the caseload"}
    for page, size in ((-1, 50), (0, 0), (0, 501)):
        with pytest.raises(ValidationError) as caught:
            services.caseload.page(nadia.id, CaseloadQuery(page=page, page_size=size))
        assert caught.value.errors == {"page": "Page: choose a page from the first"}
    assert services.caseload.page(nadia.id, CaseloadQuery(page_size=500)).total == 6
    assert [len(services.caseload.page(nadia.id, CaseloadQuery(page=n, page_size=1)).rows)
            for n in (0, 5, 6)] == [1, 1, 0]


def test_a_caseload_row_in_full(services, clock):
    """Every field read back, for a case not yet contacted (ids of patient and referral
    apart, so one cannot stand in for the other)."""
    for n in range(3):
        make_patient(services, "Someone", f"Else{n}")
    nadia = worker(services)
    clock.now = datetime(2026, 11, 16, 9, 30)
    patient = make_patient(services, "Ada", "Brown", date_of_birth="1948-07-02")
    referral = allocated(services, nadia, patient=patient)
    clock.now = datetime(2026, 11, 24, 9, 0)
    page = services.caseload.page(nadia.id, CaseloadQuery(page=0))
    assert (page.page, page.page_size, page.total) == (0, 50, 1)
    row = page.rows[0]
    assert (row.id, row.patient_id, row.patient_name, row.nhs_number, row.date_of_birth,
            row.status, row.link_worker_id, row.link_worker_name, row.sent_at,
            row.days_since_referral, row.contacts_made, row.last_contact_at,
            row.review_on, row.measures_due) == (
        referral.id, patient.id, "BROWN, Ada", patient.nhs_number, date(1948, 7, 2),
        "accepted", nadia.id, "Nadia Ahmed", datetime(2026, 11, 16, 9, 30), 8, 0, None,
        None, ())
    assert referral.id != patient.id
    second = services.caseload.page(nadia.id, CaseloadQuery(page=1, page_size=1))
    assert (second.page, second.page_size, second.rows) == (1, 1, [])


def test_each_allocation_refusal_says_why_and_changes_nothing(services):
    nadia, lee = worker(services), worker(services, "Lee Worker")
    referral = accepted(services)
    with pytest.raises(ValidationError) as caught:
        services.allocation.allocate(nadia.id, referral.id, referral.version, nadia.id,
                                     "Cover\x00")
    assert caught.value.errors == {
        "note": "Note: must not contain NUL characters; type it again"}
    with pytest.raises(NotFoundError, match="^Referral 99999 does not exist$"):
        services.allocation.allocate(nadia.id, 99999, 1, nadia.id)
    gp = make_user(services)
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    sent = services.referrals.send(gp.id, draft.id, draft.version)
    with pytest.raises(ValidationError) as caught:
        services.allocation.allocate(nadia.id, sent.id, sent.version, nadia.id)
    assert caught.value.errors == {"status": (
        "Allocation: this referral is sent; only a referral the link worker service has "
        "accepted, and not yet closed, can be allocated")}
    with pytest.raises(PermissionDenied) as refused:
        _page(services, nadia.id, link_worker_id=lee.id)
    assert str(refused.value) == ("Not allowed: a link worker sees their own caseload; ask an "
                                  "admin to reallocate the cases you cover")
    assert current(services, referral.id).allocated_to_id is None


def test_only_an_accepted_case_never_contacted_falls_back_to_its_first_contact_window(
        services):
    """A case recorded as contacted before it was allocated has no next contact to show
    (none was agreed); an accepted one never tried has the practice's first-contact
    window. (Every contact recorded agrees the next one: that date is shown instead.)"""
    nadia = worker(services)
    lead = make_user(services, "admin", "Pat Morgan")
    earlier = open_case(services, status="contacted", allocated=False)
    services.allocation.allocate(lead.id, earlier.referral_id, earlier.version, nadia.id)
    untried = allocated(services, nadia)
    rows = {row.id: row for row in services.caseload.page(nadia.id, CaseloadQuery()).rows}
    assert rows[earlier.referral_id].status == "contacted"
    assert rows[earlier.referral_id].next_contact_due_on is None
    assert rows[untried.id].next_contact_due_on == current(services,
                                                           untried.id).response_due_on


def test_an_allocation_is_audited_in_full(services):
    nadia = worker(services)
    lead = make_user(services, "admin", "Pat Morgan")
    referral = accepted(services)
    services.allocation.allocate(lead.id, referral.id, referral.version, nadia.id, " Cover ")
    with services.db.reading() as session:
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "referral_allocate")).one()
        allocation_id = session.scalars(select(ReferralAllocation.id)).one()
    assert (event.user_id, event.entity, event.entity_id, event.patient_id, event.before,
            event.after) == (
        lead.id, "referral", referral.id, referral.patient_id, {"allocated_to_id": None},
        {"allocated_to_id": nadia.id, "allocation_id": allocation_id, "note": "Cover"})


def test_link_workers_of_the_same_name_stay_in_the_order_they_were_added(services):
    """Two "Sam Lee"s: the list (whom to give a case to) does not swap them when one's
    account is changed. On PostgreSQL a changed row moves in storage, so this holds the
    tie-break by id there."""
    first, second = worker(services, "Sam Lee"), worker(services, "Sam Lee")
    services.users.set_active(admin(services), first.id, False)
    services.users.set_active(admin(services), first.id, True)
    listed = [w.id for w in services.allocation.link_workers(second.id) if w.name == "Sam Lee"]
    assert listed == [first.id, second.id]
