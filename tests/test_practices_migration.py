"""Migration 0008 keeps every row of a single-practice database and gives it to that
practice; a database with no practice yet keeps its rows for the first practice saved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import create_engine, func, select, text

from practice_rx.services import Services
from practice_rx.services.practice import PracticeDetails
from practice_rx.storage import migrate
from practice_rx.storage.database import Database
from practice_rx.storage.models import Patient, Practice, Referral, User, UserPractice

AT = datetime(2026, 11, 30, 10, 0)
USERS = ((1, "gp", "clinician"), (2, "desk", "receptionist"), (3, "worker", "link_worker"),
         (4, "boss", "admin"))


def _fill_0007(url: str, with_practice: bool) -> None:
    engine = create_engine(url)
    migrate.upgrade(engine, "0007")
    with engine.begin() as connection:
        if with_practice:
            connection.execute(text(
                "INSERT INTO practice (id, ods_code, name, address, postcode, phone, email,"
                " response_days, contact_days, chase_again_days, contact_attempts) VALUES"
                " (7, 'Y99901', 'Beeston Hill', '', '', '', '', 10, 10, 5, 3)"))
        for user_id, username, role in USERS:
            connection.execute(text(
                "INSERT INTO user_account (id, username, display_name, role, job_title, active,"
                " created_at, failed_logins) VALUES (:id, :u, :u, :r, '', true, :at, 0)"),
                {"id": user_id, "u": username, "r": role, "at": AT})
        for patient_id in (1, 2):
            connection.execute(text(
                "INSERT INTO patient (id, nhs_number, given_name, family_name, search_key,"
                " date_of_birth, sex, address, postcode, phone, email, preferred_contact,"
                " contact_times, first_language, interpreter_needed, accessibility_needs,"
                " carer_details, created_at, updated_at, version) VALUES (:id, :nhs, 'Joan',"
                " 'Smith', ' joan smith', '1950-01-01', 'female', '', '', '', '', 'phone', '',"
                " 'English', false, '', '', :at, :at, 3)"),
                {"id": patient_id, "nhs": f"999000001{patient_id}", "at": AT})
        for referral_id in (1, 2, 3):
            connection.execute(text(
                "INSERT INTO referral (id, patient_id, referrer_id, created_at, updated_at,"
                " reasons, reason_other, urgency, consent_given, consent_to_share,"
                " consent_method, form_id, form_version, answers, status, status_changed_at,"
                " version, source, referrer_organisation, referrer_name, referrer_contact,"
                " received_by) VALUES (:id, :patient, 1, :at, :at, '[\"housing\"]', '',"
                " 'routine', true, true, 'in_person', 'national', 1, '{}', 'sent', :at, 4,"
                " 'practice', '', '', '', '')"),
                {"id": referral_id, "patient": 1 + referral_id % 2, "at": AT})
    engine.dispose()


def _rows(db: Database):
    with db.reading() as session:
        return (
            [tuple(r) for r in session.execute(select(Patient.id, Patient.practice_id,
                                                      Patient.version).order_by(Patient.id))],
            [tuple(r) for r in session.execute(select(
                Referral.id, Referral.patient_id, Referral.practice_id, Referral.status,
                Referral.reasons, Referral.version).order_by(Referral.id))],
            [tuple(r) for r in session.execute(select(User.id, User.all_practices)
                                               .order_by(User.id))],
            sorted(tuple(r) for r in session.execute(select(UserPractice.user_id,
                                                            UserPractice.practice_id))),
        )


def test_a_single_practice_database_becomes_that_practices(empty_url):
    _fill_0007(empty_url, with_practice=True)
    db = Database.open(empty_url)  # upgrades to the newest schema
    patients, referrals, users, links = _rows(db)
    with db.reading() as session:
        list_size = session.scalar(select(Practice.list_size))
    db.close()
    assert patients == [(1, 7, 3), (2, 7, 3)]
    assert referrals == [(1, 2, 7, "sent", ["housing"], 4), (2, 1, 7, "sent", ["housing"], 4),
                         (3, 2, 7, "sent", ["housing"], 4)]
    # link workers and admins work across the network; everyone works for the practice
    assert users == [(1, False), (2, False), (3, True), (4, True)]
    assert links == [(1, 7), (2, 7), (3, 7), (4, 7)]
    assert list_size is None


def test_rows_from_before_any_practice_go_to_the_first_one_saved(empty_url):
    _fill_0007(empty_url, with_practice=False)
    db = Database.open(empty_url)
    patients, referrals, _, links = _rows(db)
    assert {p for _, p, _ in patients} == {None} and {r[2] for r in referrals} == {None}
    assert links == []
    services = Services(db)
    practice = services.practice.save(4, PracticeDetails("Y99901", "Beeston Hill"))
    patients, referrals, _, links = _rows(db)
    with db.reading() as session:
        versions = session.scalar(select(func.sum(Patient.version)))
    db.close()
    assert {p for _, p, _ in patients} == {practice.id}
    assert {r[2] for r in referrals} == {practice.id}
    assert links == [(user_id, practice.id) for user_id, *_ in USERS]
    assert versions == 6  # claimed, not edited: no version moved
