"""The name search's word index: it follows every save, is written for patients already
held when a database is upgraded, and finds exactly what the folded key matches."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import create_engine, select, text

from practice_rx.services.patients import PatientDetails
from practice_rx.storage import migrate
from practice_rx.storage.database import Database
from practice_rx.storage.name_words import PatientNameWord
from tests.support.factories import desk, make_patient


def _words(services, patient_id: int) -> list[str]:
    with services.db.reading() as session:
        return list(session.scalars(select(PatientNameWord.word).where(
            PatientNameWord.patient_id == patient_id).order_by(PatientNameWord.word)))


def test_a_new_patient_has_each_folded_word_once(services):
    patient = make_patient(services, "Łukasz Jones", "Smith-Jones")
    assert _words(services, patient.id) == ["jones", "lukasz", "smith"]


def test_a_change_of_name_replaces_the_words_and_the_old_name_is_not_found(services):
    patient = make_patient(services, "Aylin", "Ozdemir")
    services.patients.update(desk(services), patient.id, patient.version, PatientDetails(
        patient.nhs_number, "Aylin", "Kaya", patient.date_of_birth, phone="0113 496 0000"))
    assert _words(services, patient.id) == ["aylin", "kaya"]
    assert services.patients.find(desk(services), "ozdem") == []
    assert [p.family_name for p in services.patients.find(desk(services), "kay")] == ["Kaya"]


@pytest.mark.parametrize(("typed", "found"), [
    ("diaz", ["Diaz"]), ("dia", ["Diaz"]), ("z", ["Zöller"]),  # words ending at the alphabet's end
    ("o'b", ["O'Brien"]), ("ob", []),  # punctuation is part of the word, as the key holds it
    ("zol", ["Zöller"]), ("ZÖL", ["Zöller"]), ("smith jo", ["Smith"]),
    ("jo smith", ["Smith"]), ("jo smithers", []), ("mi", []),  # a word's start, never its middle
])
def test_a_search_finds_words_by_their_start_as_the_key_does(services, typed, found):
    for given, family in (("Ana", "Diaz"), ("Uwe", "Zöller"), ("Sean", "O'Brien"),
                          ("Joan", "Smith")):
        make_patient(services, given, family)
    assert sorted(p.family_name for p in services.patients.find(desk(services), typed)) == found


def test_upgrading_writes_the_words_of_patients_already_held(empty_url):
    engine = create_engine(empty_url)
    migrate.upgrade(engine, "0011")
    at = datetime(2026, 1, 1)
    with engine.begin() as connection:
        for number, given, family, key in (("9990000018", "Łukasz", "Ørsted", " orsted lukasz"),
                                           ("9990000026", "Joan", "Smith-Jones",
                                            " smith jones joan")):
            connection.execute(text(
                "INSERT INTO patient (nhs_number, given_name, family_name, search_key,"
                " date_of_birth, sex, address, postcode, phone, email, preferred_contact,"
                " contact_times, first_language, interpreter_needed, accessibility_needs,"
                " carer_details, created_at, updated_at, version) VALUES (:n, :g, :f, :k,"
                " '1950-01-01', 'male', '', '', '', '', 'phone', '', 'English', false, '', '',"
                " :at, :at, 1)"), {"n": number, "g": given, "f": family, "k": key, "at": at})
    engine.dispose()
    db = Database.open(empty_url)
    with db.engine.connect() as connection:
        assert connection.execute(text(
            "SELECT p.family_name, w.word FROM patient_name_word w JOIN patient p"
            " ON p.id = w.patient_id ORDER BY p.family_name, w.word")).all() == [
            ("Smith-Jones", "joan"), ("Smith-Jones", "jones"), ("Smith-Jones", "smith"),
            ("Ørsted", "lukasz"), ("Ørsted", "orsted")]
    db.close()


def test_postgresql_compares_the_words_bytewise_whatever_the_database_locale(services):
    """A locale's collation (en_GB.UTF-8, say) ignores punctuation, so "smj" could sort
    before words starting "smi" and the range would miss them: the column is ``C``."""
    if services.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite compares text bytewise always")
    with services.db.engine.connect() as connection:
        assert connection.execute(text(
            "SELECT collation_name FROM information_schema.columns"
            " WHERE table_name = 'patient_name_word' AND column_name = 'word'")).scalar_one() == "C"
