"""Adding, finding and correcting patients, on both backends."""

from __future__ import annotations

from datetime import date

import pytest

from practice_rx.errors import ConflictError, ValidationError
from practice_rx.services.patients import PatientDetails
from tests.support.factories import desk, make_patient, test_nhs_number


def details(**changes) -> PatientDetails:
    values = dict(nhs_number=test_nhs_number(901), given_name="Maya", family_name="O'Neill",
                  date_of_birth="14/03/1951", postcode="ls1 4ap", phone="0113 496 0000")
    values.update(changes)
    return PatientDetails(**values)


def test_create_normalises_what_was_typed(services):
    nhs = test_nhs_number(901)
    patient = services.patients.create(desk(services), details(nhs_number=f"{nhs[:3]}-{nhs[3:6]}-{nhs[6:]}"))
    assert patient.nhs_number == nhs
    assert patient.postcode == "LS1 4AP"
    assert patient.date_of_birth == date(1951, 3, 14)
    assert services.patients.by_nhs_number(desk(services), nhs).id == patient.id


def test_every_bad_field_is_reported_at_once(services):
    with pytest.raises(ValidationError) as caught:
        services.patients.create(desk(services), details(nhs_number="9434765918", given_name=" ",
                                         date_of_birth="31/02/1990", postcode="nowhere",
                                         email="x@", preferred_contact="pigeon"))
    assert set(caught.value.errors) == {"nhs_number", "given_name", "date_of_birth", "postcode",
                                        "email", "preferred_contact"}
    assert caught.value.errors["date_of_birth"] == \
        "Date of birth: enter a real date, for example 24/11/2026"


def test_contact_method_needs_its_details(services):
    with pytest.raises(ValidationError, match="Email: needed because"):
        services.patients.create(desk(services), details(preferred_contact="email"))


def test_duplicate_nhs_number_is_refused(services):
    services.patients.create(desk(services), details())
    with pytest.raises(ValidationError, match="already belongs to a patient"):
        services.patients.create(desk(services), details(given_name="Other"))


def test_find_by_number_names_and_birth_date(services):
    joan = make_patient(services, "Joan", "Smith", date_of_birth="1951-03-14")
    make_patient(services, "John", "Smithers", date_of_birth="1980-01-01")
    make_patient(services, "Ali", "Khan")
    assert [p.id for p in services.patients.find(desk(services), joan.nhs_number)] == [joan.id]
    assert {p.given_name for p in services.patients.find(desk(services), "smi")} == {"Joan", "John"}
    assert [p.given_name for p in services.patients.find(desk(services), "jo smith", date(1951, 3, 14))] == ["Joan"]
    assert services.patients.find(desk(services), "_") == []


def test_update_with_stale_version_conflicts(services):
    patient = services.patients.create(desk(services), details())
    services.patients.update(desk(services), patient.id, patient.version, details(phone="0113 496 0001"))
    with pytest.raises(ConflictError):
        services.patients.update(desk(services), patient.id, patient.version, details(phone="0113 496 0002"))
    assert services.patients.open(desk(services), patient.id).phone == "0113 496 0001"
