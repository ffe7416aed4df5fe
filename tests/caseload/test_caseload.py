"""The caseload query: who is on it, what it counts, what is due, its filters, and its sort
asserted row by row on both backends, ties broken by id."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from practice_rx.errors import PermissionDenied, ValidationError
from practice_rx.services.caseload import CaseloadFilter, CaseloadQuery
from practice_rx.storage.models import Patient
from tests.caseload.allocated_case import (
    accepted,
    allocated,
    contact,
    current,
    measure_taken,
    plan_version,
    worker,
)
from tests.support.factories import make_patient, make_user, move

TODAY = date(2026, 11, 24)


@pytest.fixture
def load(services, clock):
    """Nadia's caseload of four people, Lee's of one, and cases that are not on any."""
    nadia, lee = worker(services), worker(services, "Lee Worker")
    people = {name: make_patient(services, given, family) for name, given, family in (
        ("ada", "Ada", "Brown"), ("ben", "Ben", "Adams"), ("cal", "Cal", "Brown"),
        ("dee", "Dee", "Young"), ("eve", "Eve", "Lee"))}
    clock.now = datetime(2026, 11, 2, 9, 0)
    ada = allocated(services, nadia, patient=people["ada"])          # oldest referral
    clock.now = datetime(2026, 11, 10, 9, 0)
    ben = allocated(services, nadia, patient=people["ben"])
    cal = allocated(services, nadia, patient=people["cal"])          # same day as Ben
    clock.now = datetime(2026, 11, 16, 9, 0)
    dee = allocated(services, nadia, patient=people["dee"])
    eve = allocated(services, lee, patient=people["eve"])
    accepted(services, patient=people["ada"])                        # never allocated
    closed = allocated(services, nadia, patient=people["ben"])
    move(services, closed, "declined", "Moved away")                 # closed: off the caseload
    clock.now = datetime(2026, 11, 17, 10, 0)
    contact(services, nadia, ada.id, next_contact_on=date(2026, 11, 20))   # overdue by today
    contact(services, nadia, ada.id, next_contact_on=date(2026, 11, 23))
    contact(services, nadia, ben.id, made=False, next_contact_on=date(2026, 11, 30))
    contact(services, nadia, cal.id, next_contact_on=date(2026, 12, 1))
    measure_taken(services, cal.id, "baseline")
    plan_version(services, cal.id, date(2026, 11, 20))            # review passed, no follow-up
    plan_version(services, cal.id, date(2026, 11, 21), number=2)  # the latest version counts
    plan_version(services, ada.id, date(2026, 12, 15))
    clock.now = datetime(2026, 11, 24, 9, 30)
    return {"nadia": nadia, "lee": lee, "ada": ada, "ben": ben, "cal": cal, "dee": dee,
            "eve": eve}


def _page(services, user, **query):
    filter_keys = {"link_worker_id", "statuses", "due_only", "text"}
    filter = CaseloadFilter(**{k: v for k, v in query.items() if k in filter_keys})
    rest = {k: v for k, v in query.items() if k not in filter_keys}
    return services.caseload.page(user.id, CaseloadQuery(filter=filter, **rest))


def _ids(page, load):
    names = {load[n].id: n for n in ("ada", "ben", "cal", "dee", "eve")}
    return [names[row.id] for row in page.rows]


def test_a_link_worker_sees_their_open_allocated_cases_with_what_is_due(services, load):
    page = _page(services, load["nadia"], sort="id")
    assert (page.total, _ids(page, load)) == (4, ["ada", "ben", "cal", "dee"])
    ada, ben, cal, dee = page.rows
    assert (ada.patient_name, ada.status, ada.days_since_referral, ada.contacts_made,
            ada.last_contact_at, ada.next_contact_due_on, ada.review_on, ada.measures_due) == (
        "BROWN, Ada", "contacted", 22, 2, datetime(2026, 11, 17, 10, 0), date(2026, 11, 23),
        date(2026, 12, 15), ("baseline",))
    assert (ben.status, ben.contacts_made, ben.last_contact_at, ben.next_contact_due_on,
            ben.measures_due) == ("accepted", 0, None, date(2026, 11, 30), ())
    assert (cal.review_on, cal.measures_due, cal.days_since_referral) == (
        date(2026, 11, 21), ("follow_up",), 14)
    # not contacted yet: due its first contact, ten working days from acceptance
    assert (dee.contacts_made, dee.next_contact_due_on, dee.review_on, dee.measures_due) == (
        0, date(2026, 11, 30), None, ())
    with services.db.reading() as session:
        assert dee.nhs_number == session.get(Patient, dee.patient_id).nhs_number
    assert ada.link_worker_name == "Nadia Ahmed" and ada.version == current(
        services, load["ada"].id).version


@pytest.mark.parametrize(("sort", "ascending"), [
    ("patient", ["ben", "ada", "cal", "dee"]),
    ("status", ["ben", "dee", "ada", "cal"]),
    ("referred", ["ada", "ben", "cal", "dee"]),
    ("contacts", ["ben", "dee", "cal", "ada"]),
    ("last_contact", ["ben", "dee", "ada", "cal"]),
    ("next_contact", ["ada", "ben", "dee", "cal"]),  # Ben and Dee both 30 Nov: by id
    ("review", ["cal", "ada", "ben", "dee"]),
    ("measures", ["ben", "dee", "cal", "ada"]),
    ("link_worker", ["ada", "ben", "cal", "dee"]),
    ("id", ["ada", "ben", "cal", "dee"]),
])
def test_every_column_sorts_both_ways_ties_broken_by_id(services, load, sort, ascending):
    up = _page(services, load["nadia"], sort=sort)
    down = _page(services, load["nadia"], sort=sort, descending=True)
    assert _ids(up, load) == ascending
    # descending is the exact reverse: ties (same value) reverse by id too
    assert _ids(down, load) == list(reversed(ascending))


def test_nhs_number_sort_follows_the_numbers(services, load):
    rows = _page(services, load["nadia"], sort="nhs_number").rows
    assert [row.nhs_number for row in rows] == sorted(row.nhs_number for row in rows)


def test_filters_and_exact_counts(services, load):
    nadia = load["nadia"]
    due = _page(services, nadia, due_only=True, sort="id")
    # Ada: next contact overdue and baseline missing; Cal: review passed. Ben: due 30 Nov.
    assert (due.total, _ids(due, load)) == (2, ["ada", "cal"])
    accepted_only = _page(services, nadia, statuses=frozenset({"accepted"}), sort="id")
    assert (accepted_only.total, _ids(accepted_only, load)) == (2, ["ben", "dee"])
    named = _page(services, nadia, text="brown", sort="id")
    assert (named.total, _ids(named, load)) == (2, ["ada", "cal"])
    by_number = _page(services, nadia, text=f"#{load['dee'].id}")
    assert _ids(by_number, load) == ["dee"]


def test_paging_counts_every_row_once(services, load):
    first = _page(services, load["nadia"], sort="patient", page_size=3)
    second = _page(services, load["nadia"], sort="patient", page_size=3, page=1)
    assert (first.total, first.page_count, second.total) == (4, 2, 4)
    assert _ids(first, load) + _ids(second, load) == ["ben", "ada", "cal", "dee"]


def test_admins_and_reception_pick_any_link_worker_or_see_all(services, load):
    desk = make_user(services, "receptionist", "Sam Jones")
    admin = make_user(services, "admin", "Pat Morgan")
    assert _ids(_page(services, desk, link_worker_id=load["lee"].id), load) == ["eve"]
    everyone = _page(services, admin, sort="link_worker")
    assert (everyone.total, _ids(everyone, load)) == (5, ["eve", "ada", "ben", "cal", "dee"])


def test_a_link_worker_cannot_open_a_colleagues_caseload_and_clinicians_none(services, load):
    with pytest.raises(PermissionDenied, match="their own caseload"):
        _page(services, load["nadia"], link_worker_id=load["lee"].id)
    assert _ids(_page(services, load["lee"]), load) == ["eve"]
    with pytest.raises(PermissionDenied, match="cannot view caseload"):
        _page(services, make_user(services))


def test_a_reallocated_case_moves_to_the_new_caseload(services, load):
    ben = current(services, load["ben"].id)
    services.allocation.allocate(load["lee"].id, ben.id, ben.version, load["lee"].id)
    assert _page(services, load["nadia"]).total == 3
    assert _ids(_page(services, load["lee"], sort="id"), load) == ["ben", "eve"]


def test_a_follow_up_recorded_clears_the_measure_due(services, load):
    measure_taken(services, load["cal"].id, "review")
    measure_taken(services, load["ada"].id, "baseline")
    rows = _page(services, load["nadia"], sort="id").rows
    assert [row.measures_due for row in rows] == [(), (), (), ()]
    due = _page(services, load["nadia"], sort="id", due_only=True)
    assert _ids(due, load) == ["ada", "cal"]  # Ada's next contact, Cal's review, still due


def test_a_bad_sort_or_page_is_refused(services, load):
    with pytest.raises(ValidationError):
        _page(services, load["nadia"], sort="colour")
    with pytest.raises(ValidationError):
        _page(services, load["nadia"], page=-1)


def test_a_newly_allocated_case_past_its_first_contact_window_is_due(services, load, clock):
    clock.now = datetime(2026, 12, 1, 9, 0)
    due = _page(services, load["nadia"], due_only=True, sort="id")
    assert "dee" in _ids(due, load)
