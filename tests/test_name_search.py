"""Names are found whatever their accents and case, the same on both backends."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import create_engine, text

from practice_rx.domain.search_key import fold, search_key
from practice_rx.storage import migrate
from practice_rx.storage.database import Database
from tests.support.factories import desk, make_patient

NAMES = [("Aylin", "Özdemir"), ("Élodie", "Martin"), ("Łukasz", "Nowak"), ("Mette", "Ørsted"),
         ("Emre", "Şahin"), ("Joan", "Smith-Jones")]


@pytest.mark.parametrize(("typed", "found"), [
    ("ozdemir", "Özdemir"), ("Özdemir", "Özdemir"), ("ÖZDEMIR aylin", "Özdemir"),
    ("elodie", "Martin"), ("Élodie", "Martin"), ("lukasz", "Nowak"), ("Łukasz", "Nowak"),
    ("orsted", "Ørsted"), ("sahin", "Şahin"), ("Şahin emre", "Şahin"), ("jones", "Smith-Jones"),
])
def test_accents_and_case_do_not_stop_a_name_being_found(services, typed, found):
    for given, family in NAMES:
        make_patient(services, given, family)
    matches = services.patients.find(desk(services), typed)
    assert [p.family_name for p in matches] == [found]


def test_the_key_follows_a_change_of_name(services):
    from practice_rx.services.patients import PatientDetails

    patient = make_patient(services, "Aylin", "Ozdemir")
    services.patients.update(desk(services), patient.id, patient.version, PatientDetails(
        patient.nhs_number, "Aylin", "Özdemir-Kaya", patient.date_of_birth,
        phone="0113 496 0000"))
    assert [p.family_name for p in services.patients.find(desk(services), "kaya")] == [
        "Özdemir-Kaya"]


def test_the_migration_fills_the_key_for_existing_patients(empty_url):
    engine = create_engine(empty_url)
    migrate.upgrade(engine, "0003")
    at = datetime(2026, 1, 1)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO patient (nhs_number, given_name, family_name, date_of_birth, sex, address,"
            " postcode, phone, email, preferred_contact, contact_times, first_language,"
            " interpreter_needed, accessibility_needs, carer_details, created_at, updated_at,"
            " version) VALUES ('9990000018', 'Łukasz', 'Ørsted', '1950-01-01', 'male', '', '',"
            " '', '', 'phone', '', 'English', false, '', '', :at, :at, 1)"), {"at": at})
    engine.dispose()
    db = Database.open(empty_url)
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT search_key FROM patient")).scalar_one() == \
            search_key("Łukasz", "Ørsted") == " orsted lukasz"
    db.close()


def test_folding_keeps_plain_names_as_they_are():
    assert fold("Smith") == "smith" and fold("O'Brien") == "o'brien"


@pytest.mark.parametrize("typed", ["smi\x00th", "\ud800smith", "\x00", "９９９"])
def test_what_no_name_can_hold_is_left_out_of_a_search_on_both_backends(services, typed):
    from practice_rx.services.worklist import WorklistFilter, WorklistQuery

    make_patient(services, "Joan", "Smith")
    found = services.patients.find(desk(services), typed)
    assert all(p.family_name == "Smith" for p in found)
    page = services.worklist.page(desk(services), WorklistQuery(WorklistFilter(text=typed)))
    assert page.total == 0
