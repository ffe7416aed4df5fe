"""Every input is refused the same on both backends (issue 11, finding 9).

Before, PostgreSQL raised ``DataError`` for a name longer than its column or a
NUL, while SQLite stored a 1 MB name; now the service layer refuses each with a
``ValidationError`` naming the field and saying what is expected, and nothing
is saved.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from practice_rx.errors import ValidationError
from practice_rx.services.catalogue import ServiceDetails
from practice_rx.services.patients import PatientDetails
from practice_rx.services.practice import PracticeDetails
from practice_rx.services.referrals import DraftChanges
from practice_rx.storage.models import Patient, Practice, Service
from tests.support.factories import (
    admin,
    complete_answers,
    desk,
    make_patient,
    make_service,
    make_user,
    ready_draft,
    test_nhs_number,
)

MEGABYTE = "A" * 1_000_000


def details(**changes) -> PatientDetails:
    values = dict(nhs_number=test_nhs_number(4242), given_name="Joan", family_name="Smith",
                  date_of_birth="1951-03-14", phone="0113 496 0000")
    values.update(changes)
    return PatientDetails(**values)


def count(services, model) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("changes", "field", "expected"), [
    ({"given_name": MEGABYTE}, "given_name", "Given name: must be 100 characters or fewer"),
    ({"family_name": "S" * 101}, "family_name", "Family name: must be 100 characters or fewer"),
    ({"family_name": "Sm\x00ith"}, "family_name", "Family name: must not contain NUL"),
    ({"address": "1 High St\ud800"}, "address", "Address: contains a character that is not valid"),
    ({"address": "x" * 5001}, "address", "Address: must be 5,000 characters or fewer"),
    ({"email": "a" * 190 + "@example.org"}, "email", "Email: must be 200 characters or fewer"),
    ({"phone": "0113" + " " * 40 + "496 0000"}, "phone", "Phone: must be 40 characters or fewer"),
    ({"contact_times": "m" * 201}, "contact_times",
     "Best times to contact: must be 200 characters or fewer"),
    ({"given_name": 42}, "given_name", "Given name: enter text"),
    ({"date_of_birth": datetime(1951, 3, 14, 9, 30)}, "date_of_birth",
     "Date of birth: give a date without a time"),
    ({"interpreter_needed": "no"}, "interpreter_needed", "Interpreter needed: answer yes or no"),
])
def test_patient_details_that_cannot_be_stored_are_refused(services, changes, field, expected):
    with pytest.raises(ValidationError) as caught:
        services.patients.create(desk(services), details(**changes))
    assert caught.value.errors[field].startswith(expected)
    assert count(services, Patient) == 0


def test_the_longest_names_the_columns_hold_are_kept_exactly(services):
    patient = services.patients.create(desk(services), details(given_name="G" * 100,
                                                               family_name="Ö" * 100))
    stored = services.patients.open(desk(services), patient.id)
    assert (stored.given_name, stored.family_name) == ("G" * 100, "Ö" * 100)


def test_an_update_is_checked_the_same(services):
    patient = make_patient(services)
    with pytest.raises(ValidationError, match="Family name: must not contain NUL"):
        services.patients.update(desk(services), patient.id, patient.version,
                                 details(nhs_number=patient.nhs_number, family_name="A\x00"))
    assert services.patients.open(desk(services), patient.id).family_name == "Smith"


@pytest.mark.parametrize(("username", "name", "field", "expected"), [
    ("u" * 81, "Sam", "username", "Username: must be 80 characters or fewer"),
    ("sam", "S" * 201, "display_name", "Name: must be 200 characters or fewer"),
    ("sam\x00", "Sam", "username", "Username: must not contain NUL"),
    ("sam", "Sam\udc00", "display_name", "Name: contains a character that is not valid"),
])
def test_users(services, username, name, field, expected):
    with pytest.raises(ValidationError) as caught:
        services.users.add(admin(services), username, name, "clinician", "a long password")
    assert caught.value.errors[field].startswith(expected)
    assert services.users.by_username(username) is None


@pytest.mark.parametrize(("changes", "field", "expected"), [
    ({"name": "N" * 201}, "name", "Service name: must be 200 characters or fewer"),
    ({"website": "https://" + "w" * 300}, "website", "Website: must be 300 characters or fewer"),
    ({"description": "d\x00"}, "description", "Description: must not contain NUL"),
    ({"response_days": "ten"}, "response_days", "Response window: enter working days"),
])
def test_services(services, changes, field, expected):
    values = {"external_id": "walk-1", "name": "Walking group", "category": "physical_activity",
              **changes}
    with pytest.raises(ValidationError) as caught:
        services.catalogue.add_local(desk(services), ServiceDetails(**values))
    assert caught.value.errors[field].startswith(expected)
    assert count(services, Service) == 0


@pytest.mark.parametrize(("changes", "field", "expected"), [
    ({"name": "P" * 201}, "name", "Practice name: must be 200 characters or fewer"),
    ({"address": "1 High St\x00"}, "address", "Address: must not contain NUL"),
])
def test_practice(services, changes, field, expected):
    values = {"ods_code": "A81001", "name": "Beeston Hill Surgery", **changes}
    with pytest.raises(ValidationError) as caught:
        services.practice.save(admin(services), PracticeDetails(**values))
    assert caught.value.errors[field].startswith(expected)
    assert count(services, Practice) == 0


@pytest.mark.parametrize(("answer", "expected"), [
    ("Meeting people\x00", "must not contain NUL"),
    ("Meeting \ud83d people", "contains a character that is not valid text"),
    ("m" * 5001, "characters or fewer"),
])
def test_form_answers(services, answer, expected):
    user = make_user(services)
    referral = ready_draft(services, user, make_patient(services), make_service(services))
    with pytest.raises(ValidationError) as caught:
        services.referrals.update_draft(user.id, referral.id, referral.version,
                                        DraftChanges(answers=complete_answers(what_matters=answer)))
    assert expected in caught.value.errors["what_matters"]
    stored = services.referrals.get(user.id, referral.id)
    assert stored.answers["what_matters"] == complete_answers()["what_matters"]


def test_a_status_note_that_cannot_be_stored_is_refused(services):
    user = make_user(services)
    referral = ready_draft(services, user, make_patient(services), make_service(services))
    with pytest.raises(ValidationError, match="Note: must not contain NUL"):
        services.referrals.send(user.id, referral.id, referral.version, "Sent\x00")
    assert services.referrals.get(user.id, referral.id).status == "draft"
