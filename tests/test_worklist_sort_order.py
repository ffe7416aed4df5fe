"""Every worklist sort returns its rows in its order, both ways, ties broken by id.

The expected order is computed here: the rows read by plain SQL, sorted by Python
on the column the list shows, then the referral's id (descending is the exact
reverse). The list is read page by page (7 rows a page, so pages cut through runs
of ties and the far half is read backwards, as the service does) and as one page,
on both backends, over the demo's referrals plus ties made on purpose: patients of
one name, referrers of one name, drafts with no service, referrals created, changed
and chased at the same moment. Issue 17's break 3 (the due-date sort replaced by
the date created) must fail here, on the whole list and on the chase list.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select, text, update

from practice_rx.services.demo import DemoSize, fill
from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.storage.models import Referral
from tests.support.factories import (
    NATIONAL,
    desk,
    install_national_form,
    make_patient,
    make_user,
    test_nhs_number,
)

ROWS_SQL = """
SELECT r.id, p.family_name, p.given_name, p.id, p.nhs_number, s.name, s.id,
       u.display_name, u.id, r.status, r.response_due_on, r.created_at,
       r.status_changed_at, r.urgency, r.last_chased_at
FROM referral r JOIN patient p ON p.id = r.patient_id
LEFT JOIN service s ON s.id = r.service_id JOIN user_account u ON u.id = r.referrer_id
"""
MOMENT = datetime(2026, 11, 20, 10, 0)


def _nulls_first(value) -> tuple:
    """None before every value (never chased is the oldest chase; no service first)."""
    return (value is not None, value)


def sort_keys() -> dict:
    """Each sort's key on a row read by plain SQL, before the tie on the referral's id."""
    return {
        "created": lambda row: row["created"],
        "patient": lambda row: (row["family"], row["given"], row["patient_id"]),
        "nhs_number": lambda row: row["nhs"],
        "service": lambda row: _nulls_first(
            None if row["service_id"] is None else (row["service"], row["service_id"])),
        "referrer": lambda row: (row["referrer"], row["referrer_id"]),
        "status": lambda row: row["status"],
        "due": lambda row: _nulls_first(row["due"]),  # no due date first, both backends
        "updated": lambda row: row["changed"],
        "urgency": lambda row: row["urgency"],
        "last_chased": lambda row: _nulls_first(row["chased"]),
        "id": lambda row: (),
    }


def expected(rows: list[dict], key, descending: bool) -> list[int]:
    ordered = sorted(rows, key=lambda row: (key(row), row["id"]))
    ids = [row["id"] for row in ordered]
    return ids[::-1] if descending else ids


def plain_rows(db) -> list[dict]:
    names = ("id", "family", "given", "patient_id", "nhs", "service", "service_id", "referrer",
             "referrer_id", "status", "due", "created", "changed", "urgency", "chased")
    with db.reading() as session:
        rows = [dict(zip(names, row)) for row in session.execute(text(ROWS_SQL))]
    for row in rows:  # SQLite's driver gives the stored ISO text, PostgreSQL's the values
        for name, kind in (("due", date), ("created", datetime), ("changed", datetime),
                           ("chased", datetime)):
            if isinstance(row[name], str):
                row[name] = kind.fromisoformat(row[name])
    return rows


@pytest.fixture
def tied(services, db, clock):
    """The demo's referrals, and ties in every column the worklist sorts by."""
    install_national_form(services)
    fill(db, DemoSize(patients=30, referrals=160, services=6), clock=clock)
    twins = [make_patient(services, "Joan", "Smith", nhs_number=test_nhs_number(90_000 + i))
             for i in range(2)]  # past the demo's numbers (999 000 0001 up)
    namesakes = [make_user(services, name="Dr Sam Lee") for _ in range(2)]
    drafts = [services.referrals.create_draft(user.id, patient.id, NATIONAL)
              for patient in twins for user in namesakes for _ in range(2)]  # no service
    ids = [draft.id for draft in drafts]
    with db.transaction() as session:  # the same moments, as busy mornings give
        newest = session.scalars(select(Referral.id).order_by(Referral.id.desc()).limit(12))
        session.execute(update(Referral).where(Referral.id.in_(list(newest))).values(
            created_at=MOMENT, status_changed_at=MOMENT))
        waiting = session.scalars(select(Referral.id).where(Referral.status == "sent")
                                  .order_by(Referral.id).limit(4))
        session.execute(update(Referral).where(Referral.id.in_(list(waiting))).values(
            last_chased_at=MOMENT))
    rows = plain_rows(db)
    keys = sort_keys()
    for sort in ("created", "patient", "service", "referrer", "status", "due", "updated",
                 "urgency", "last_chased", "nhs_number"):
        values = [keys[sort](row) for row in rows]
        assert len(set(values)) < len(values), f"no tie to break in the {sort} sort"
    assert ids
    return rows


def _all_pages(services, query: WorklistQuery) -> list[int]:
    reader, found, page = desk(services), [], 0
    while True:
        result = services.worklist.page(reader, WorklistQuery(
            query.filter, query.sort, query.descending, page, query.page_size))
        found += [row.id for row in result.rows]
        page += 1
        if page >= result.page_count:
            return found


@pytest.mark.parametrize("sort", list(sort_keys()))
def test_each_sort_in_its_order_with_ties_by_id(services, db, tied, sort):
    for descending in (False, True):
        want = expected(tied, sort_keys()[sort], descending)
        one_page = services.worklist.page(desk(services), WorklistQuery(
            sort=sort, descending=descending, page_size=1000))
        assert [row.id for row in one_page.rows] == want, descending
        assert one_page.total == len(want)
        assert _all_pages(services, WorklistQuery(sort=sort, descending=descending,
                                                  page_size=7)) == want, descending


def test_the_chase_list_in_due_date_order(services, db, tied):
    """The overdue filter sorted by due date, as the chase list is, from plain SQL."""
    today = services.worklist.today()
    overdue = [row for row in tied if row["status"] in ("sent", "accepted")
               and row["due"] is not None and row["due"] < today]
    due_dates = [row["due"] for row in overdue]
    assert len(set(due_dates)) < len(due_dates) > 10  # ties, and enough to page through
    for descending in (False, True):
        want = expected(overdue, lambda row: row["due"], descending)
        query = WorklistQuery(WorklistFilter(overdue_only=True), "due", descending, 0, 7)
        assert _all_pages(services, query) == want, descending
        # the demo's dates tell the due-date and created orders apart
        assert expected(overdue, lambda row: row["created"], descending) != want
