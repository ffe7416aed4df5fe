"""Connections to community services: active services only, moves as CONNECTION_MOVES allows,
each move kept, a stale move refused; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from practice_rx.domain.casework import CONNECTION_MOVES, ConnectionStatus
from practice_rx.errors import ConflictError, TransitionError, ValidationError
from practice_rx.storage.caseload_models import PlanConnectionEvent
from practice_rx.storage.models import AuditEvent, Service
from tests.caseload.casework_cases import open_case
from tests.support.factories import make_service, make_user


def _connect(services, case, name="Tuesday walking group", **extra):
    group = make_service(services, name)
    return services.connections.connect(case.worker.id, case.referral_id, case.version,
                                        group.id, **extra)


def test_a_connection_starts_suggested_and_is_listed_with_its_service(services):
    case = open_case(services)
    row = _connect(services, case, note="Likes walking")
    assert (row.service_name, row.status, row.status_label) == (
        "Tuesday walking group", "suggested", "Suggested")
    assert set(row.moves) == CONNECTION_MOVES[ConnectionStatus.SUGGESTED]
    gp = make_user(services, "clinician", "Dr Ravi Shah")
    [listed] = services.connections.list(gp.id, case.referral_id)
    assert listed == row


def test_each_move_is_kept_and_audited_and_a_finished_one_is_final(services, db):
    case = open_case(services)
    row = _connect(services, case)
    for target in ("referred", "attending", "completed"):
        row = services.connections.move(case.worker.id, row.id, row.version, target,
                                        note=f"Now {target}")
    assert row.status == "completed" and row.moves == () and row.connected
    with pytest.raises(ValidationError, match="completed is final"):
        services.connections.move(case.worker.id, row.id, row.version, "stopped")
    with db.reading() as session:
        events = session.scalars(select(PlanConnectionEvent).where(
            PlanConnectionEvent.connection_id == row.id).order_by(PlanConnectionEvent.id)).all()
        audited = session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("plan_connection%")).order_by(AuditEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "suggested"), ("suggested", "referred"), ("referred", "attending"),
        ("attending", "completed")]
    assert events[1].note == "Now referred"
    assert audited == ["plan_connection_added"] + ["plan_connection_moved"] * 3


def test_a_move_the_lifecycle_does_not_allow_is_refused_naming_the_choices(services):
    case = open_case(services)
    row = _connect(services, case)
    with pytest.raises(ValidationError, match="may move to: referred, did not start"):
        services.connections.move(case.worker.id, row.id, row.version, "completed")


def test_a_stale_move_from_another_desk_is_refused(services):
    case = open_case(services)
    row = _connect(services, case)
    services.connections.move(case.worker.id, row.id, row.version, "referred")
    with pytest.raises(ConflictError):
        services.connections.move(case.worker.id, row.id, row.version, "did_not_start")


def test_only_an_active_catalogue_service_and_not_one_already_followed(services):
    case = open_case(services)
    row = _connect(services, case, status="referred")
    assert row.status == "referred"
    with pytest.raises(ValidationError, match="already connected"):
        services.connections.connect(case.worker.id, case.referral_id, case.version,
                                     row.service_id)
    gone = make_service(services, "Closed lunch club")
    with services.db.transaction() as session:
        session.get(Service, gone.id).active = False
    with pytest.raises(ValidationError, match="in the catalogue"):
        services.connections.connect(case.worker.id, case.referral_id, case.version, gone.id)
    with pytest.raises(ValidationError, match="starts as suggested or referred"):
        _connect(services, case, "Art class", status="attending")


def test_after_a_finished_connection_the_person_may_start_again(services):
    case = open_case(services)
    row = _connect(services, case)
    services.connections.move(case.worker.id, row.id, row.version, "did_not_start")
    again = services.connections.connect(case.worker.id, case.referral_id, case.version,
                                         row.service_id)
    assert again.id != row.id


def test_no_connection_on_a_case_without_a_link_worker(services):
    case = open_case(services, allocated=False)
    with pytest.raises(TransitionError, match="allocate it first"):
        _connect(services, case)
