"""Worklist pages read from the far end equal the plain OFFSET pages, and totals stay exact.

A page past the middle is read backwards in the reversed sort (services.worklist); these
tests hold it to the forward listing for every sort both ways, with ties, never-chased
referrals, referrals with no service or no practice, and a practice scope that hides some.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select, update

from practice_rx.services import Services
from practice_rx.services.demo import DemoSize, fill
from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.storage.models import Practice, Referral, User, UserPractice
from tests.support.factories import install_national_form

SORTS = ("created", "patient", "nhs_number", "service", "referrer", "status", "due",
         "updated", "urgency", "last_chased", "id")
PAGE = 7


@pytest.fixture
def demo(db, clock) -> Services:
    """A small demo network, a few referrals with no practice and no service."""
    services = Services(db, clock)
    install_national_form(services)
    fill(db, DemoSize(patients=30, referrals=120, services=6), clock=clock)
    with db.transaction() as session:
        session.execute(update(Referral).where(Referral.id % 17 == 0).values(practice_id=None))
        session.execute(update(Referral).where(Referral.id % 13 == 0).values(service_id=None))
    return services


def user_id(services: Services, username: str) -> int:
    with services.db.reading() as session:
        return session.scalar(select(User.id).where(User.username == username))


def forward(services: Services, reader: int, query: WorklistQuery) -> list[int]:
    """Every matching id in one page from the start: the OFFSET order, never reversed."""
    return [row.id for row in services.worklist.page(
        reader, replace(query, page=0, page_size=10_000)).rows]


def paged(services: Services, reader: int, query: WorklistQuery) -> tuple[list[int], int]:
    first = services.worklist.page(reader, replace(query, page=0, page_size=PAGE))
    ids = [row.id for row in first.rows]
    for number in range(1, first.page_count):
        page = services.worklist.page(reader, replace(query, page=number, page_size=PAGE))
        assert page.total == first.total
        ids += [row.id for row in page.rows]
    return ids, first.total


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("descending", [False, True])
def test_every_page_of_every_sort_equals_the_offset_listing(demo, sort, descending):
    # the second practice's own desk: some referrals are outside its scope
    reader = user_id(demo, "reception.holbeck")
    query = WorklistQuery(sort=sort, descending=descending)
    everything = forward(demo, reader, query)
    ids, total = paged(demo, reader, query)
    assert ids == everything
    assert total == len(everything) == len(set(everything))
    reversed_listing = forward(demo, reader, replace(query, descending=not descending))
    assert reversed_listing == everything[::-1]  # ties broken by id, both ways


@pytest.mark.parametrize("sort", ["due", "patient", "service"])
def test_filtered_pages_and_totals_are_exact(demo, sort):
    reader = user_id(demo, "reception.jones")
    query = WorklistQuery(WorklistFilter(statuses=frozenset({"sent", "accepted", "in_progress"})),
                          sort=sort, descending=False)
    ids, total = paged(demo, reader, query)
    with demo.db.reading() as session:
        expected = set(session.scalars(select(Referral.id).where(
            Referral.status.in_(["sent", "accepted", "in_progress"]))))
    assert set(ids) == expected and total == len(expected) == len(ids)
    assert ids == forward(demo, reader, query)


def test_status_counts_are_exact_within_the_scope(demo):
    reader = user_id(demo, "reception.holbeck")
    counts = demo.worklist.status_counts(reader)
    seen = demo.worklist.page(reader, WorklistQuery(page_size=10_000)).rows
    for status in {row.status for row in seen}:
        assert counts[status] == sum(row.status == status for row in seen)
    assert counts["overdue"] == sum(row.overdue for row in seen)


def test_a_referral_added_between_pages_changes_the_total_and_the_pages_follow(demo):
    reader = user_id(demo, "reception.jones")
    query = WorklistQuery(sort="created", descending=True, page_size=PAGE)
    before = demo.worklist.page(reader, query)
    with demo.db.transaction() as session:
        newest = session.scalar(select(Referral).order_by(Referral.id.desc()).limit(1))
        session.expunge(newest)
    with demo.db.transaction() as session:
        copy = {column.key: getattr(newest, column.key) for column in Referral.__table__.columns
                if column.key not in ("id", "sender_identifier_system",
                                      "sender_identifier_value")}
        session.add(Referral(**copy))
    last = demo.worklist.page(reader, replace(query, page=before.page_count))
    assert last.total == before.total + 1  # the model refreshes on a changed total
    ids, total = paged(demo, reader, query)
    assert ids == forward(demo, reader, query) and total == before.total + 1


def test_totals_are_exact_for_a_user_in_two_of_three_practices(demo):
    """The count is everything less the practice outside the scope: still exact."""
    reader = user_id(demo, "reception.holbeck")
    with demo.db.transaction() as session:
        practices = list(session.scalars(select(Practice.id).order_by(Practice.id)))
        session.add(UserPractice(user_id=reader, practice_id=practices[0]))
    seen = {practices[0], practices[1], None}
    query = WorklistQuery(sort="due", descending=True)
    ids, total = paged(demo, reader, query)
    with demo.db.reading() as session:
        visible = {referral_id: status for referral_id, status, practice in session.execute(
            select(Referral.id, Referral.status, Referral.practice_id)) if practice in seen}
    assert sorted(ids) == sorted(visible) and total == len(visible)
    counts = demo.worklist.status_counts(reader)
    for status in set(visible.values()):
        assert counts[status] == sum(value == status for value in visible.values())


@pytest.mark.parametrize("sort", ["created", "due", "status", "last_chased", "id"])
@pytest.mark.parametrize("descending", [False, True])
def test_a_name_search_read_along_the_sort_index_equals_the_offset_listing(demo, sort,
                                                                           descending):
    """On SQLite the first and last pages of a common name are read by walking the sort's
    index (services.worklist._walks_sort_index); every page still equals the listing."""
    from string import ascii_lowercase

    from practice_rx.services.worklist import _walks_sort_index

    reader = user_id(demo, "reception.jones")
    common = max(ascii_lowercase, key=lambda letter: demo.worklist.page(  # the most referrals
        reader, WorklistQuery(WorklistFilter(text=letter))).total)
    query = WorklistQuery(WorklistFilter(text=common), sort=sort, descending=descending)
    everything = forward(demo, reader, query)
    ids, total = paged(demo, reader, query)
    assert ids == everything and total == len(everything) > PAGE
    with demo.db.engine.connect() as connection:
        walks = _walks_sort_index(connection, replace(query, page_size=PAGE), total, PAGE)
    assert walks == (demo.db.backend == "sqlite")
