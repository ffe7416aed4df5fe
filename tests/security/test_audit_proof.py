"""An audit trail you can prove: every kind of tampering is found and named, on both backends.

Each attack runs as someone with the schema owner's rights would (the
append-only triggers dropped first), and is checked twice: by
``AuditService.verify()`` and by ``practice-rx audit verify`` (exit 1, the
message naming the row or the entity, never a patient identifier).
"""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from practice_rx.cli import main
from practice_rx.errors import PracticeRxError
from practice_rx.services import Services
from practice_rx.services.audit import row_hash
from practice_rx.services.audit_anchor import anchor_path, read_anchor
from practice_rx.services.audit_key import AuditKey, key_id_of
from practice_rx.storage.models import AuditEvent
from tests.security.test_audit import busy_day
from tests.support.factories import make_patient


def _tamper(url: str, *statements: str) -> None:
    """Change the database as its owner could: the append-only triggers dropped first."""
    engine = create_engine(url)
    with engine.begin() as connection:
        on = " ON audit_event" if connection.dialect.name == "postgresql" else ""
        for trigger in ("audit_event_no_update", "audit_event_no_delete",
                        "audit_event_no_truncate"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger}{on}"))
        notes_on = " ON referral_note" if on else ""
        for trigger in ("referral_note_no_update", "referral_note_no_delete",
                        "referral_note_no_change"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger}{notes_on}"))
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def _cli(db_url: str, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--database", db_url, "audit", "verify"])
    return code, capsys.readouterr().out


def _found(services, db_url, capsys, expected: str) -> str:
    """Both verify() and the command find the tampering and say ``expected``."""
    problem = services.audit.verify()
    assert problem is not None and expected in problem, problem
    code, out = _cli(db_url, capsys)
    assert code == 1 and expected in out, out
    assert "Joan" not in out and "Smith" not in out and "999" not in out.replace("audit", "")
    return problem


def _last_id(db_url: str) -> int:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        last = connection.execute(text("SELECT max(id) FROM audit_event")).scalar()
    engine.dispose()
    return last


def _rehash(db_url: str, seal, first_id: int = 1) -> None:
    """Recompute the chain from ``first_id`` on with ``seal`` (row -> hash), as a forger would."""
    _tamper(db_url)  # drops the triggers
    engine = create_engine(db_url)
    with Session(engine) as session, session.begin():
        rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        previous = "0" * 64
        for row in rows:
            if row.id >= first_id:
                row.prev_hash = previous
                row.hash = seal(row)
            previous = row.hash
    engine.dispose()


def test_untouched_trail_is_proven_keyed_and_anchored(services, db_url, capsys, audit_key_file):
    busy_day(services)
    assert services.audit.verify() is None
    code, out = _cli(db_url, capsys)
    assert code == 0 and "verified" in out
    assert stat.S_IMODE(os.stat(audit_key_file).st_mode) == 0o600
    hashes = [row.hash for row in services.audit.list(_admin(services))]
    assert all(key_id_of(h) for h in hashes) and all(len(h) <= 64 for h in hashes)
    anchor = read_anchor(anchor_path(audit_key_file, services.db.engine.url))
    assert anchor.last_id == _last_id(db_url) and anchor.last_hash == hashes[0]


def _admin(services) -> int:
    from tests.support.factories import admin

    return admin(services)


def test_an_edited_row(services, db_url, capsys):
    busy_day(services)
    _tamper(db_url, "UPDATE audit_event SET user_id = NULL WHERE id = 3")
    _found(services, db_url, capsys, "Audit row 3: its content was changed")


def test_a_deleted_row(services, db_url, capsys):
    busy_day(services)
    _tamper(db_url, "DELETE FROM audit_event WHERE id = 4")
    _found(services, db_url, capsys, "Audit row 5: the row before it was deleted")


def test_swapped_rows(services, db_url, capsys):
    busy_day(services)
    _tamper(db_url, "UPDATE audit_event SET id = 1000 WHERE id = 2",
            "UPDATE audit_event SET id = 2 WHERE id = 3",
            "UPDATE audit_event SET id = 3 WHERE id = 1000")
    _found(services, db_url, capsys, "Audit row 2: the row before it")


@pytest.mark.parametrize("cut", [1, 5])
def test_the_tail_cut_off(services, db_url, capsys, cut):
    busy_day(services)
    last = _last_id(db_url)
    _tamper(db_url, f"DELETE FROM audit_event WHERE id > {last - cut}")
    _found(services, db_url, capsys,
           f"ends at row {last - cut}, but the anchor recorded row {last}")


def test_every_row_deleted(services, db_url, capsys):
    busy_day(services)
    last = _last_id(db_url)
    _tamper(db_url, "DELETE FROM audit_event")
    _found(services, db_url, capsys, f"has no rows, but the anchor recorded row {last}")


def test_postgres_truncate(services, db_url, capsys, backend):
    if backend != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    busy_day(services)
    _tamper(db_url, "TRUNCATE audit_event")
    _found(services, db_url, capsys, "has no rows, but the anchor recorded row")


def test_an_edit_with_the_chain_recomputed_in_plain_sha256(services, db_url, capsys):
    busy_day(services)
    _tamper(db_url, "UPDATE audit_event SET workstation = 'elsewhere' WHERE id = 3")
    _rehash(db_url, row_hash, first_id=3)
    _found(services, db_url, capsys, "Audit row 3: not sealed with the audit key")


def test_the_whole_chain_recomputed_in_plain_sha256(services, db_url, capsys):
    busy_day(services)
    last = _last_id(db_url)
    _tamper(db_url, "UPDATE audit_event SET workstation = 'elsewhere' WHERE id = 2")
    _rehash(db_url, row_hash)
    _found(services, db_url, capsys, f"Audit row {last}: not the row the anchor recorded")


def test_the_chain_recomputed_with_another_key(services, db_url, capsys):
    busy_day(services)
    forged = AuditKey(services.audit.audit.key_path(), b"\x01" * 32)
    _rehash(db_url, lambda row: forged.seal(_canonical(row)))
    _found(services, db_url, capsys, f"Audit row 1: sealed with audit key {forged.key_id}")


def _canonical(row):
    from practice_rx.services.audit import canonical

    return canonical(row)


def test_a_patient_edited_in_the_database(services, db_url, capsys):
    _, patient, _ = busy_day(services)
    _tamper(db_url, f"UPDATE patient SET family_name = 'Jones' WHERE id = {patient.id}")
    _found(services, db_url, capsys, f"Patient {patient.id}: its family_name is not what")


def test_a_patient_added_in_the_database(services, db_url, capsys):
    busy_day(services)
    _tamper(db_url, "INSERT INTO patient (nhs_number, given_name, family_name, search_key, "
            "date_of_birth, sex, address, postcode, phone, email, preferred_contact, "
            "contact_times, first_language, interpreter_needed, accessibility_needs, "
            "carer_details, created_at, updated_at, version) VALUES ('9990000018', 'Ann', "
            "'Lee', 'ann lee', '1950-01-01', 'female', '', '', '', '', 'phone', '', 'English', "
            "false, '', '', '2026-01-01', '2026-01-01', 1)")
    _found(services, db_url, capsys, "not in the audit trail (added to the database directly)")


@pytest.mark.parametrize("column, value, named", [
    ("status", "'completed'", "its status is not what"),
    ("consent_given", "false", "its consent_given does not match its recorded answers"),
    ("response_due_on", "'2030-01-01'", "its response_due_on is not what"),
])
def test_a_referral_edited_in_the_database(services, db_url, capsys, column, value, named):
    _, _, referral = busy_day(services)
    _tamper(db_url, f"UPDATE referral SET {column} = {value} WHERE id = {referral.id}")
    _found(services, db_url, capsys, f"Referral {referral.id}: {named}")


@pytest.mark.parametrize("statement, named", [
    ("UPDATE referral_note SET text = 'Patient withdrew consent'", ": its text is not what"),
    ("DELETE FROM referral_note", " is missing: it was deleted"),
])
def test_a_note_forged_in_the_database(services, db_url, capsys, statement, named):
    from practice_rx.storage import models

    if not hasattr(models, "ReferralNote"):
        pytest.skip("notes are rows from schema 0005")
    gp, _, referral = busy_day(services)
    referral = services.referrals.get(gp.id, referral.id)
    services.referrals.add_note(gp.id, referral.id, referral.version, "Safeguarding concern")
    _tamper(db_url, statement)
    _found(services, db_url, capsys, f"Referral {referral.id}: note 1{named}")


def test_a_referral_moved_to_another_patient(services, db_url, capsys):
    _, _, referral = busy_day(services)
    other = make_patient(services, "Ann", "Lee")
    _tamper(db_url, f"UPDATE referral SET patient_id = {other.id} WHERE id = {referral.id}")
    _found(services, db_url, capsys, f"Referral {referral.id}: its patient is not the one")


def test_a_deleted_event(services, db_url, capsys):
    _, _, referral = busy_day(services)
    _tamper(db_url, "DELETE FROM referral_event WHERE id = (SELECT max(id) FROM referral_event "
            f"WHERE referral_id = {referral.id})")
    _found(services, db_url, capsys, f"Referral {referral.id}: its change from sent to accepted")


def test_an_edited_event(services, db_url, capsys):
    _, _, referral = busy_day(services)
    _tamper(db_url, "UPDATE referral_event SET note = 'Patient withdrew consent' "
            f"WHERE referral_id = {referral.id} AND to_status = 'sent'")
    _found(services, db_url, capsys, "(draft to sent): its note is not what the audit trail")


def test_a_back_dated_event_time(services, db_url, capsys):
    _, _, referral = busy_day(services)
    _tamper(db_url, "UPDATE referral_event SET occurred_at = '2026-01-01 09:00:00' "
            f"WHERE referral_id = {referral.id} AND to_status = 'accepted'")
    _found(services, db_url, capsys, "its time it happened is not what")


def test_an_event_added_in_the_database(services, db_url, capsys):
    gp, _, referral = busy_day(services)
    _tamper(db_url, "INSERT INTO referral_event (referral_id, from_status, to_status, at, "
            f"occurred_at, user_id, note, snomed_code) VALUES ({referral.id}, 'accepted', "
            f"'declined', '2026-11-24 10:00:00', '2026-11-24 10:00:00', {gp.id}, '', '')")
    _found(services, db_url, capsys, "is not in the audit trail (added directly)")


def test_a_missing_key_is_named_and_nothing_is_saved(services, db_url, capsys, audit_key_file,
                                                     db, clock):
    busy_day(services)
    audit_key_file.unlink()
    _found(services, db_url, capsys, "no audit key file at")
    fresh = Services(db, clock)  # a workstation without the practice's key
    with pytest.raises(PracticeRxError, match="no key file at"):
        make_patient(fresh, "Ann", "Lee")
    assert not audit_key_file.exists()


def test_another_workstations_key_is_refused(services, db, clock, tmp_path, monkeypatch):
    busy_day(services)
    monkeypatch.setenv("PRACTICE_RX_AUDIT_KEY_FILE", str(tmp_path / "other" / "audit.key"))
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "audit.key").write_text("ab" * 32)
    with pytest.raises(PracticeRxError, match="is not the key this database's audit trail"):
        make_patient(Services(db, clock), "Ann", "Lee")


def test_rows_from_before_keying_still_verify(services, db_url, audit_key_file, db, clock):
    """A trail written before keying (plain SHA-256, no key, no anchor) verifies; then is keyed."""
    busy_day(services)
    _rehash(db_url, row_hash)
    audit_key_file.unlink()
    anchor_path(audit_key_file, db.engine.url).unlink()
    assert services.audit.verify() is None
    later = Services(db, clock)
    make_patient(later, "Ann", "Lee")
    report = later.audit.check()
    assert report.ok and report.unkeyed_rows and report.rows > report.unkeyed_rows


def test_verify_creates_nothing(services, db_url, audit_key_file, capsys):
    audit_key_file.unlink(missing_ok=True)
    assert _cli(db_url, capsys)[0] == 0
    assert not audit_key_file.exists()
    assert not any(audit_key_file.parent.iterdir())


def test_anchor_command_after_a_restore(services, db_url, capsys, audit_key_file):
    """An older database (a restored backup) is refused, until an admin accepts it: audited."""
    busy_day(services)
    last = _last_id(db_url)
    _tamper(db_url, f"DELETE FROM audit_event WHERE id > {last - 2}")
    assert main(["--database", db_url, "audit", "anchor"]) == 2
    assert main(["--database", db_url, "audit", "anchor", "--accept-current"]) == 0
    assert _cli(db_url, capsys)[0] == 1  # the entities still differ from the shortened trail
    anchor = read_anchor(anchor_path(audit_key_file, services.db.engine.url))
    assert anchor.count == anchor.last_id - 0 or anchor.count is not None
    rows = services.audit.list(_admin(services))
    assert rows[1].action == "audit_anchor" and rows[1].after == {"last_id": last - 2}


def test_the_app_role_cannot_rewrite_history(services, db_url, backend, capsys, db, clock):
    """On PostgreSQL the workstations' role may only add and read audit rows; the app works."""
    if backend != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from practice_rx.storage.database import Database

    suffix = make_url(db_url).database.rsplit("_", 2)[-2:]
    owner, app = f"owner_{'_'.join(suffix)}", f"app_{'_'.join(suffix)}"
    assert main(["--database", db_url, "db", "setup-roles", "--owner", owner, "--app-role", app,
                 "--no-passwords"]) == 0
    assert main(["--database", db_url, "db", "setup-roles", "--owner", owner, "--app-role", app,
                 "--no-passwords"]) == 0  # again, after an upgrade: harmless
    app_url = make_url(db_url).set(username=app).render_as_string(hide_password=False)
    app_db = Database.open(app_url)
    try:
        busy_day(Services(app_db, clock))
        engine = create_engine(app_url)
        for statement in ("UPDATE audit_event SET workstation = 'x'", "DELETE FROM audit_event",
                          "TRUNCATE audit_event", "DROP TRIGGER audit_event_no_update ON "
                          "audit_event", "ALTER TABLE audit_event DISABLE TRIGGER USER",
                          "UPDATE alembic_version SET version_num = '0001'"):
            with pytest.raises(DBAPIError, match="permission denied|must be owner"):
                with engine.begin() as connection:
                    connection.execute(text(statement))
        engine.dispose()
        assert Services(app_db, clock).audit.verify() is None
    finally:
        app_db.close()
    assert main(["--database", app_url, "audit", "verify"]) == 0
