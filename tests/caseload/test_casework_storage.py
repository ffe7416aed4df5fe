"""The link worker's records are kept as written, and the migration to them keeps every row."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from practice_rx.storage import migrate
from practice_rx.storage.caseload_models import (
    APPEND_ONLY_TABLES,
    CarePlanVersion,
    Contact,
    MeasureResult,
    PlanConnection,
    PlanConnectionEvent,
    ReferralAllocation,
)
from practice_rx.storage.database import Database
from practice_rx.storage.models import Referral
from tests.support.factories import make_patient, make_service, make_user, ready_draft

AT = datetime(2026, 11, 30, 10, 0)


@pytest.fixture
def casework(services):
    """One sent referral with a row in every append-only casework table."""
    gp, worker = make_user(services), make_user(services, "link_worker", "Lee Worker")
    service = make_service(services)
    draft = ready_draft(services, gp, make_patient(services), service)
    referral = services.referrals.send(gp.id, draft.id, draft.version)
    with services.db.transaction() as session:
        session.add_all([
            ReferralAllocation(referral_id=referral.id, link_worker_id=worker.id, at=AT,
                               by_user_id=worker.id),
            Contact(referral_id=referral.id, occurred_at=AT, recorded_at=AT,
                    recorded_by_id=worker.id, contact_type="phone", made=True, minutes=20,
                    note="Talked about the walking group"),
            CarePlanVersion(referral_id=referral.id, number=1, recorded_at=AT,
                            recorded_by_id=worker.id, what_matters="Getting out more"),
            MeasureResult(referral_id=referral.id, measure_id="ucla3", measure_version=1,
                          occasion="baseline", answered_on=date(2026, 11, 30), recorded_at=AT,
                          recorded_by_id=worker.id, answers={"left_out": 3},
                          scores={"total": 8}),
        ])
        connection = PlanConnection(referral_id=referral.id, service_id=service.id,
                                    created_at=AT, created_by_id=worker.id,
                                    status="suggested", status_changed_at=AT)
        session.add(connection)
        session.flush()
        session.add(PlanConnectionEvent(connection_id=connection.id, to_status="suggested",
                                        at=AT, user_id=worker.id))
    return referral


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
@pytest.mark.parametrize("verb", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_the_database_refuses_to_change_or_remove_casework(services, casework, table, verb):
    with pytest.raises(DBAPIError, match=f"{table} is append-only"), \
            services.db.engine.begin() as connection:
        connection.execute(text(verb.format(table=table)))
    with services.db.engine.connect() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 1


def test_the_migration_keeps_every_referral_as_raised_in_the_practice(empty_url):
    engine = create_engine(empty_url)
    migrate.upgrade(engine, "0006")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO user_account (id, username, display_name, role, job_title, active,"
            " created_at, failed_logins) VALUES (1, 'gp', 'Dr Asha Patel', 'clinician', '',"
            " true, :at, 0)"), {"at": AT})
        connection.execute(text(
            "INSERT INTO patient (id, nhs_number, given_name, family_name, search_key,"
            " date_of_birth, sex, address, postcode, phone, email, preferred_contact,"
            " contact_times, first_language, interpreter_needed, accessibility_needs,"
            " carer_details, created_at, updated_at, version) VALUES (1, '9990000018', 'Joan',"
            " 'Smith', 'joan smith', '1950-01-01', 'female', '', '', '', '', 'phone', '',"
            " 'English', false, '', '', :at, :at, 1)"), {"at": AT})
        for number in (1, 2):
            connection.execute(text(
                "INSERT INTO referral (id, patient_id, referrer_id, created_at, updated_at,"
                " reasons, reason_other, urgency, consent_given, consent_to_share,"
                " consent_method, form_id, form_version, answers, status, status_changed_at,"
                " version) VALUES (:id, 1, 1, :at, :at, '[\"housing\"]', '', 'routine', true,"
                " true, 'in_person', 'national', 1, '{}', 'sent', :at, 4)"),
                {"id": number, "at": AT})
    engine.dispose()
    db = Database.open(empty_url)  # upgrades to the newest schema
    with db.reading() as session:
        rows = session.execute(select(
            Referral.id, Referral.source, Referral.referrer_organisation, Referral.received_by,
            Referral.allocated_to_id, Referral.next_contact_due_on, Referral.reasons,
            Referral.version).order_by(Referral.id)).all()
    db.close()
    assert [tuple(row) for row in rows] == [
        (1, "practice", "", "", None, None, ["housing"], 4),
        (2, "practice", "", "", None, None, ["housing"], 4),
    ]
