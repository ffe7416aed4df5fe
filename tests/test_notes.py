"""Notes are append-only rows (issue 11, finding 4): nobody can replace what was written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from practice_rx.errors import PermissionDenied, ValidationError
from practice_rx.services.referrals import DraftChanges, check_note_text
from practice_rx.storage import migrate
from practice_rx.storage.database import Database
from practice_rx.storage.models import AuditEvent, ReferralNote
from tests.support.factories import make_patient, make_service, make_user, ready_draft

SAFEGUARDING = "Patient disclosed safeguarding concern"


@pytest.fixture
def sent(services):
    gp = make_user(services)
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    return gp, services.referrals.send(gp.id, draft.id, draft.version)


def test_a_note_is_a_row_with_its_author_and_the_database_time(services, sent):
    gp, referral = sent
    before = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=5)
    services.referrals.add_note(gp.id, referral.id, referral.version, f"  {SAFEGUARDING} ")
    [note] = services.referrals.get(gp.id, referral.id).notes
    after = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=5)
    assert (note.text, note.author_id, note.corrects_id) == (SAFEGUARDING, gp.id, None)
    # stamped by the database, not the workstation's (here, the test's frozen) clock
    assert before <= note.at <= after and note.at != services.clock()


def test_a_sent_referrals_notes_cannot_be_replaced(services, sent):
    """The forgery of the finding: a link worker replacing a GP's note through update_draft."""
    gp, referral = sent
    worker = make_user(services, "link_worker", "Sam Ahmed")
    referral = services.referrals.add_note(gp.id, referral.id, referral.version, SAFEGUARDING)
    with pytest.raises(TypeError):
        DraftChanges(notes="[01 Jan 2026 09:00 Dr Asha Patel] Patient withdrew consent")
    with pytest.raises(PermissionDenied):  # update_draft is for writing referrals, not notes
        services.referrals.update_draft(worker.id, referral.id, referral.version, DraftChanges())
    services.referrals.add_note(worker.id, referral.id, referral.version, "Rang the patient")
    notes = services.referrals.get(gp.id, referral.id).notes
    assert [(n.text, n.author_id) for n in notes] == [
        (SAFEGUARDING, gp.id), ("Rang the patient", worker.id)]


def test_a_correction_is_a_new_note_and_the_old_one_stays(services, sent):
    gp, referral = sent
    referral = services.referrals.add_note(gp.id, referral.id, referral.version, "Seen 3 May")
    first = services.referrals.get(gp.id, referral.id).notes[0]
    services.referrals.add_note(gp.id, referral.id, referral.version, "Seen 4 May, not 3",
                                corrects=first.id)
    notes = services.referrals.get(gp.id, referral.id).notes
    assert [(n.text, n.corrects_id) for n in notes] == [
        ("Seen 3 May", None), ("Seen 4 May, not 3", first.id)]
    with services.db.reading() as session:  # the correction's audit row names what it corrects
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "referral_note")
                               .order_by(AuditEvent.id))
        assert [(row.before, row.after) for row in rows] == [
            ({}, {"note_id": first.id, "note": "Seen 3 May"}),
            ({}, {"note_id": notes[1].id, "note": "Seen 4 May, not 3", "corrects": first.id}),
        ]


def test_a_correction_must_name_a_note_of_the_same_referral(services, sent):
    gp, referral = sent
    other = ready_draft(services, gp, make_patient(services, "Ann", "Lee"), make_service(services))
    other = services.referrals.add_note(gp.id, other.id, other.version, "Elsewhere")
    elsewhere = services.referrals.get(gp.id, other.id).notes[0]
    for corrects in (elsewhere.id, 999_999):
        with pytest.raises(ValidationError) as caught:
            services.referrals.add_note(gp.id, referral.id, referral.version, "x",
                                        corrects=corrects)
        assert caught.value.errors == {
            "corrects": "Correction: choose a note of this referral to correct"}
    assert services.referrals.get(gp.id, referral.id).notes == []


def test_each_note_is_audited(services, sent):
    gp, referral = sent
    services.referrals.add_note(gp.id, referral.id, referral.version, SAFEGUARDING)
    with services.db.reading() as session:
        note_id = session.scalar(select(ReferralNote.id))
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "referral_note"))
        assert [(row.user_id, row.entity_id, row.after) for row in rows] == [
            (gp.id, referral.id, {"note_id": note_id, "note": SAFEGUARDING})]


@pytest.mark.parametrize("statement", [
    "UPDATE referral_note SET text = 'Patient withdrew consent'",
    "DELETE FROM referral_note",
])
def test_the_database_refuses_to_change_or_remove_a_note(services, sent, statement):
    gp, referral = sent
    services.referrals.add_note(gp.id, referral.id, referral.version, SAFEGUARDING)
    with pytest.raises(DBAPIError, match="append-only"):
        with services.db.engine.begin() as connection:
            connection.execute(text(statement))
    assert [n.text for n in services.referrals.get(gp.id, referral.id).notes] == [SAFEGUARDING]


@pytest.mark.parametrize(("note", "expected"), [
    ("   ", "Note: enter the text of the note"),
    ("rang\x00back", "Note: must not contain NUL characters"),
    ("rang \ud800 back", "Note: contains a character that is not valid text"),
    ("x" * 5001, "Note: must be 5,000 characters or fewer"),
])
def test_a_note_that_cannot_be_stored_is_refused_the_same_on_both_backends(
        services, sent, note, expected):
    gp, referral = sent
    with pytest.raises(ValidationError, match=expected):
        services.referrals.add_note(gp.id, referral.id, referral.version, note)
    assert services.referrals.get(gp.id, referral.id).notes == []


OLD_NOTES = (
    "[24 Nov 2026 14:05 Dr Asha Patel] Patient disclosed safeguarding concern\n"
    "[25 Nov 2026 09:30 Sam Ahmed] Left a voicemail\n"
    "second line of the voicemail note\n"
    "[26 Nov 2026 10:00 Someone Who Left] Rang back\n"
    "[27 Nov 2026 11:15 Twin Name] Ambiguous author"
)


def _populated_at_0004(url: str) -> None:
    """One referral with notes in the old text column, written as 0004 stored them."""
    engine = create_engine(url)
    migrate.upgrade(engine, "0004")
    at = datetime(2026, 11, 28, 16, 0)
    with engine.begin() as connection:
        for number, name in enumerate(("Dr Asha Patel", "Sam Ahmed", "Twin Name", "Twin Name")):
            connection.execute(text(
                "INSERT INTO user_account (username, display_name, role, job_title, active,"
                " created_at, failed_logins) VALUES (:u, :n, 'clinician', '', true, :at, 0)"),
                {"u": f"user{number}", "n": name, "at": at})
        connection.execute(text(
            "INSERT INTO patient (nhs_number, given_name, family_name, search_key, date_of_birth,"
            " sex, address, postcode, phone, email, preferred_contact, contact_times,"
            " first_language, interpreter_needed, accessibility_needs, carer_details,"
            " created_at, updated_at, version) VALUES ('9990000026', 'Joan', 'Smith',"
            " ' joan smith', '1950-01-01', 'female', '', '', '', '', 'letter', '', 'English',"
            " false, '', '', :at, :at, 1)"), {"at": at})
        connection.execute(text(
            "INSERT INTO referral (patient_id, referrer_id, created_at, updated_at, reasons,"
            " reason_other, urgency, consent_given, consent_to_share, consent_method, form_id,"
            " form_version, answers, status, status_changed_at, notes, version) VALUES"
            " (1, 2, :at, :at, '[]', '', 'routine', true, true, '', 'national', 1, '{}',"
            " 'sent', :at, :notes, 3)"), {"at": at, "notes": OLD_NOTES})
    engine.dispose()


def test_the_migration_moves_existing_notes_into_rows(empty_url):
    _populated_at_0004(empty_url)
    db = Database.open(empty_url)  # upgrades to the newest schema
    with db.reading() as session:
        rows = session.execute(select(ReferralNote.author_id, ReferralNote.at, ReferralNote.text)
                               .order_by(ReferralNote.id)).all()
    db.close()
    moved_at = datetime(2026, 11, 28, 16, 0)  # the referral's updated_at, by its referrer (2)
    assert [tuple(row) for row in rows] == [
        (1, datetime(2026, 11, 24, 14, 5), "Patient disclosed safeguarding concern"),
        (2, datetime(2026, 11, 25, 9, 30),
         "Left a voicemail\nsecond line of the voicemail note"),
        (2, moved_at, "[26 Nov 2026 10:00 Someone Who Left] Rang back"),
        (2, moved_at, "[27 Nov 2026 11:15 Twin Name] Ambiguous author"),
    ]


def test_downgrading_writes_the_notes_back_as_text(empty_url):
    _populated_at_0004(empty_url)
    engine = create_engine(empty_url)
    migrate.upgrade(engine, "0005")
    with engine.begin() as connection:
        from alembic import command

        command.downgrade(migrate.alembic_config(connection), "0004")
    with engine.connect() as connection:
        notes = connection.execute(text("SELECT notes FROM referral")).scalar()
    engine.dispose()
    kept = "[28 Nov 2026 16:00 Sam Ahmed] "  # the referrer, at the referral's updated_at
    assert notes.splitlines() == OLD_NOTES.splitlines()[:3] + [
        kept + "[26 Nov 2026 10:00 Someone Who Left] Rang back",
        kept + "[27 Nov 2026 11:15 Twin Name] Ambiguous author"]


@pytest.mark.parametrize(("note", "message"), [
    ("", "Note: enter the text of the note"),
    (" \n\t ", "Note: enter the text of the note"),
    (None, "Note: enter text"),
    ("rang\x00back", "Note: must not contain NUL characters; type it again"),
    ("x" * 5001, "Note: must be 5,000 characters or fewer (this is 5,001)"),
])
def test_a_note_that_cannot_be_kept_is_refused_on_the_note_field(note, message):
    with pytest.raises(ValidationError) as caught:
        check_note_text(note)
    assert caught.value.errors == {"note": message}


def test_a_note_is_kept_trimmed_up_to_the_longest_length():
    assert check_note_text("  Rang back \n") == "Rang back"
    assert check_note_text("x" * 5000) == "x" * 5000
