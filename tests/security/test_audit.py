"""The audit trail: written with each change, chained, and tamper-evident."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from practice_rx.cli import main
from practice_rx.services.audit import AuditFilter
from practice_rx.services.patients import PatientDetails
from tests.support.factories import admin, desk, make_patient, make_service, make_user, move, \
    ready_draft


def busy_day(services):
    gp = make_user(services)
    patient = make_patient(services)
    referral = ready_draft(services, gp, patient, make_service(services))
    referral = services.referrals.send(gp.id, referral.id, referral.version)
    move(services, referral, "accepted", "Phoned")
    services.referrals.get(gp.id, referral.id)
    return gp, patient, referral


def test_changes_and_views_are_audited_with_before_and_after(services, clock):
    gp, patient, referral = busy_day(services)
    services.patients.update(desk(services), patient.id, patient.version, PatientDetails(
        patient.nhs_number, "Joan", "Smith-Jones", patient.date_of_birth, phone="0113 496 0000"))
    rows = services.audit.list(admin(services), AuditFilter(patient_id=patient.id))
    actions = [row.action for row in reversed(rows)]
    assert actions == ["patient_create", "referral_create", "referral_status", "referral_status",
                       "referral_view", "patient_update"]
    status = [r for r in rows if r.action == "referral_status"][0]  # newest first
    assert status.before["status"] == "sent" and status.after["status"] == "accepted"
    assert status.after["note"] == "Phoned" and status.workstation
    update = rows[0]
    assert update.before == {"family_name": "Smith"} and update.after == {"family_name": "Smith-Jones"}
    assert update.user_id == desk(services) and update.at == clock.now
    assert services.audit.list(admin(services), AuditFilter(user_id=gp.id))


def test_untouched_chain_verifies(services, db_url, capsys):
    busy_day(services)
    assert services.audit.verify() is None
    assert main(["--database", db_url, "audit", "verify"]) == 0
    assert "verified" in capsys.readouterr().out


def _tamper(url: str, *statements: str) -> None:
    """Change the audit table as only its owner could: drop the append-only triggers first."""
    engine = create_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP TRIGGER audit_event_no_update ON audit_event"))
            connection.execute(text("DROP TRIGGER audit_event_no_truncate ON audit_event"))
        else:
            connection.execute(text("DROP TRIGGER audit_event_no_update"))
            connection.execute(text("DROP TRIGGER audit_event_no_delete"))
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def test_the_database_refuses_to_change_or_remove_audit_rows(services, db_url):
    """Append-only is the database's rule, not only the application's."""
    import pytest
    from sqlalchemy.exc import DBAPIError

    busy_day(services)
    engine = create_engine(db_url)
    attempts = ["UPDATE audit_event SET workstation = 'elsewhere' WHERE id = 3",
                "DELETE FROM audit_event WHERE id = 4"]
    if engine.dialect.name == "postgresql":
        attempts.append("TRUNCATE audit_event")
    try:
        for statement in attempts:
            with pytest.raises(DBAPIError, match="append-only"):
                with engine.begin() as connection:
                    connection.execute(text(statement))
    finally:
        engine.dispose()
    assert services.audit.verify() is None


def test_an_edited_row_is_found(services, db_url, capsys):
    busy_day(services)
    _tamper(db_url, "UPDATE audit_event SET workstation = 'elsewhere' WHERE id = 3")
    assert services.audit.verify() == \
        "Audit row 3: its content was changed after it was written"
    assert main(["--database", db_url, "audit", "verify"]) == 1
    assert "Audit row 3" in capsys.readouterr().out


def test_a_deleted_row_is_found(services, db_url):
    busy_day(services)
    _tamper(db_url, "DELETE FROM audit_event WHERE id = 4")
    assert services.audit.verify().startswith("Audit row 5: the row before it was deleted")


def test_swapped_rows_are_found(services, db_url):
    busy_day(services)
    _tamper(db_url,
            "UPDATE audit_event SET id = 1000 WHERE id = 2",
            "UPDATE audit_event SET id = 2 WHERE id = 3",
            "UPDATE audit_event SET id = 3 WHERE id = 1000")
    assert services.audit.verify().startswith("Audit row 2: the row before it")


def test_filter_by_local_dates(services, clock):
    from datetime import date, timedelta

    busy_day(services)
    viewer = admin(services)
    clock.advance(days=2)
    make_patient(services, "Late", "Entry")
    today = clock().date()
    recent = services.audit.list(viewer, AuditFilter(date_from=today))
    assert [(r.action, r.after.get("given_name")) for r in recent] == [
        ("patient_create", "Late")]
    earlier = services.audit.list(viewer, AuditFilter(date_to=today - timedelta(days=1)))
    assert earlier and all(r.at.date() < today for r in earlier)
    assert services.audit.list(viewer, AuditFilter(date_from=date(2030, 1, 1))) == []
