"""The worklist: filters, sorting, paging, counts and the overdue chase list."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from practice_rx.domain.calendar import add_working_days
from practice_rx.services.practice import PracticeDetails
from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from tests.support.factories import admin, desk, make_patient, move, make_service, make_user, ready_draft


def test_working_days_skip_weekends():
    friday = date(2026, 11, 27)
    assert add_working_days(friday, 1) == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 24), 10) == date(2026, 12, 8)


def test_due_date_uses_the_service_window_then_the_practice_default(services, clock):
    services.practice.save(admin(services), PracticeDetails(ods_code="A81001", name="Beeston Surgery",
                                           response_days=5, contact_days=3))
    user, patient = make_user(services), make_patient(services)
    quick = make_service(services, "Debt advice line", response_days=2, category="money_advice")
    default = make_service(services, "Befriending")
    a = ready_draft(services, user, patient, quick)
    b = ready_draft(services, user, patient, default)
    a = services.referrals.send(user.id, a.id, a.version)
    b = services.referrals.send(user.id, b.id, b.version)
    assert a.response_due_on == date(2026, 11, 26)  # Tue + 2 working days
    assert b.response_due_on == date(2026, 12, 1)   # Tue + 5 working days
    accepted = move(services, b, "accepted")
    assert accepted.response_due_on == date(2026, 11, 27)  # contact window: 3 days
    contacted = move(services, accepted, "contacted")
    assert contacted.response_due_on is None


def test_overdue_is_what_to_chase_today(services, clock):
    user, patient, service = make_user(services), make_patient(services), make_service(services)
    waiting = ready_draft(services, user, patient, service)
    waiting = services.referrals.send(user.id, waiting.id, waiting.version)
    answered = ready_draft(services, user, patient, service)
    answered = services.referrals.send(user.id, answered.id, answered.version)
    answered = move(services, answered, "accepted")
    chase = WorklistQuery(WorklistFilter(overdue_only=True))

    clock.now = datetime(2026, 12, 8, 17, 0)  # the due day itself: not overdue yet
    assert services.worklist.page(desk(services), chase).total == 0
    clock.now = datetime(2026, 12, 9, 8, 0)
    page = services.worklist.page(desk(services), chase)
    assert {row.id for row in page.rows} == {waiting.id, answered.id}
    assert all(row.overdue for row in page.rows)
    assert services.worklist.status_counts(desk(services), )["overdue"] == 2
    move(services, answered, "contacted")
    assert [row.id for row in services.worklist.page(desk(services), chase).rows] == [waiting.id]


@pytest.fixture
def populated(services, clock):
    gp, nurse = make_user(services, name="Dr Asha Patel"), make_user(services, name="Nurse Kim Lee")
    walking = make_service(services, "Walking for health")
    debt = make_service(services, "Citizens advice", category="money_advice")
    joan = make_patient(services, "Joan", "Smith")
    ali = make_patient(services, "Ali", "Khan")
    rows = []
    for index, (user, patient, service) in enumerate(
        [(gp, joan, walking), (nurse, ali, debt), (gp, ali, walking), (nurse, joan, debt)]
    ):
        clock.now = datetime(2026, 11, 2 + index, 10, 0)
        rows.append(ready_draft(services, user, patient, service))
    sent = services.referrals.send(nurse.id, rows[1].id, rows[1].version)  # its author
    return dict(gp=gp, nurse=nurse, walking=walking, debt=debt, joan=joan, ali=ali,
                ids=[r.id for r in rows], sent=sent)


def ids(services, **filter_args):
    query = WorklistQuery(WorklistFilter(**filter_args), sort="created", descending=False)
    return [row.id for row in services.worklist.page(desk(services), query).rows]


def test_filters(services, populated):
    p = populated
    assert ids(services) == p["ids"]
    assert ids(services, statuses=frozenset({"sent"})) == [p["ids"][1]]
    assert ids(services, service_id=p["walking"].id) == [p["ids"][0], p["ids"][2]]
    assert ids(services, referrer_id=p["nurse"].id) == [p["ids"][1], p["ids"][3]]
    assert ids(services, created_from=date(2026, 11, 3), created_to=date(2026, 11, 4)) == \
        p["ids"][1:3]
    assert ids(services, text="khan") == [p["ids"][1], p["ids"][2]]
    assert ids(services, text="jo sm") == [p["ids"][0], p["ids"][3]]
    nhs = p["ali"].nhs_number
    assert ids(services, text=f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}") == [p["ids"][1], p["ids"][2]]
    assert ids(services, text="100%") == []


def test_sort_by_every_column_and_page(services, populated):
    for key in ("created", "patient", "nhs_number", "service", "referrer", "status", "due",
                "updated", "urgency", "id"):
        for descending in (False, True):
            page = services.worklist.page(desk(services), WorklistQuery(sort=key, descending=descending))
            assert sorted(row.id for row in page.rows) == sorted(populated["ids"])
    by_patient = services.worklist.page(desk(services), WorklistQuery(sort="patient", descending=False))
    assert [row.patient_name for row in by_patient.rows] == [
        "KHAN, Ali", "KHAN, Ali", "SMITH, Joan", "SMITH, Joan"
    ]
    first = services.worklist.page(desk(services), WorklistQuery(sort="id", descending=False, page_size=3))
    second = services.worklist.page(desk(services), WorklistQuery(sort="id", descending=False, page_size=3, page=1))
    assert first.total == second.total == 4 and first.page_count == 2
    assert [r.id for r in first.rows + second.rows] == populated["ids"]


def test_status_counts(services, populated):
    counts = services.worklist.status_counts(desk(services), )
    assert counts["draft"] == 3 and counts["sent"] == 1 and counts["completed"] == 0
    assert services.worklist.status_counts(desk(services), WorklistFilter(text="smith"))["sent"] == 0


def test_is_overdue_rule():
    from practice_rx.domain.statuses import is_overdue

    today = date(2026, 12, 9)
    assert is_overdue("sent", date(2026, 12, 8), today)
    assert is_overdue("accepted", date(2026, 12, 8), today)
    assert not is_overdue("sent", date(2026, 12, 9), today)
    assert not is_overdue("contacted", date(2026, 12, 1), today)
    assert not is_overdue("sent", None, today)


def test_find_takes_a_referral_number_as_on_the_letters(services, populated):
    p = populated
    wanted = p["ids"][2]
    assert ids(services, text=str(wanted)) == [wanted]
    assert ids(services, text=f"#{wanted}") == [wanted]
    assert ids(services, text="99999") == []
    # an NHS number (ten digits) is still a patient's, never a referral number
    assert ids(services, text=p["joan"].nhs_number) == [p["ids"][0], p["ids"][3]]
