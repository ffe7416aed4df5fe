"""Thousands of random inputs: each is accepted or refused with a clear message, never a crash."""

from __future__ import annotations

from datetime import date

import nhs_number
from hypothesis import given, settings
from hypothesis import strategies as st

from practice_rx.domain import identifiers as ids
from practice_rx.errors import ValidationError
from practice_rx.services.patients import PatientDetails
from tests.support.check_digit import modulus_11

MANY = settings(max_examples=3000, deadline=None)
TODAY = date(2026, 11, 24)
typed = st.one_of(st.text(max_size=30), st.text(alphabet="0123456789 -/", max_size=14))


def accepted_or_named(action, field: str, label: str):
    try:
        return action()
    except ValidationError as error:
        assert list(error.errors) == [field]
        assert error.errors[field].startswith(f"{label}: ")
        return None


@MANY
@given(typed)
def test_nhs_numbers(text):
    digits = accepted_or_named(lambda: ids.normalise_nhs_number(text), "nhs_number", "NHS number")
    if digits is not None:
        # expected from outside the code: the nhs-number package and the hand rule
        assert nhs_number.is_valid(digits)
        assert len(digits) == 10 and modulus_11(digits[:9]) == int(digits[9])
        assert ids.normalise_nhs_number(ids.format_nhs_number(digits)) == digits
    else:  # refused: ten ASCII digits among spaces and dashes must then be invalid outside too
        compact = text.replace(" ", "").replace("-", "")
        if len(compact) == 10 and compact.isascii() and compact.isdigit():
            assert not nhs_number.is_valid(compact)


@MANY
@given(st.one_of(st.text(max_size=12), st.from_regex(r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}", fullmatch=True)))
def test_postcodes(text):
    postcode = accepted_or_named(lambda: ids.normalise_postcode(text), "postcode", "Postcode")
    if postcode is not None:
        assert postcode == postcode.upper() and postcode.count(" ") == 1
        assert ids.normalise_postcode(postcode) == postcode


@MANY
@given(typed)
def test_dates(text):
    parsed = accepted_or_named(lambda: ids.parse_date(text, "date_of_birth", "Date of birth"),
                               "date_of_birth", "Date of birth")
    assert parsed is None or isinstance(parsed, date)


@settings(max_examples=1500, deadline=None)
@given(st.builds(PatientDetails, nhs_number=typed, given_name=st.text(max_size=5),
                 family_name=st.text(max_size=5), date_of_birth=typed, postcode=typed,
                 phone=typed, email=st.text(max_size=12), sex=st.text(max_size=6),
                 preferred_contact=st.sampled_from(["phone", "text", "email", "letter", "fax"])))
def test_patient_details(details):
    try:
        values = details.clean(TODAY)
    except ValidationError as error:
        assert error.errors and all(":" in message for message in error.errors.values())
    else:
        assert values["nhs_number"].isdigit() and values["date_of_birth"] <= TODAY


# -- through the services, on both backends: refused the same, never a database error --------

import itertools  # noqa: E402

from hypothesis import HealthCheck  # noqa: E402

from practice_rx.services.catalogue import ServiceDetails  # noqa: E402
from tests.support.factories import admin, desk, test_nhs_number  # noqa: E402

ON_BOTH = settings(max_examples=120, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])
#: what a database refuses or SQLite alone stores: NUL, lone surrogates, over-long text
awkward = st.builds(lambda head, odd, tail: head + odd + tail, st.text(max_size=12),
                    st.sampled_from(["", "\x00", "\ud800", "\udfff", "x" * 101, "y" * 5001]),
                    st.text(max_size=12))
_serials = itertools.count(50_000)


def refused_by_field(error: ValidationError, labels: dict[str, str]) -> None:
    assert error.errors
    for key, message in error.errors.items():
        assert key in labels and message.startswith(f"{labels[key]}: "), (key, message)


@ON_BOTH
@given(given_name=awkward, family_name=awkward, address=awkward, email=awkward,
       contact_times=awkward, date_of_birth=st.one_of(typed, st.datetimes(), st.dates()))
def test_patients_on_both_backends(services, given_name, family_name, address, email,
                                   contact_times, date_of_birth):
    from practice_rx.services.patients import LABELS

    details = PatientDetails(nhs_number=test_nhs_number(next(_serials)), given_name=given_name,
                             family_name=family_name, date_of_birth=date_of_birth,
                             address=address, email=email, contact_times=contact_times,
                             phone="0113 496 0000")
    try:
        patient = services.patients.create(desk(services), details)
    except ValidationError as error:
        refused_by_field(error, {**LABELS, "date_of_birth": "Date of birth"})
        return
    stored = services.patients.open(desk(services), patient.id)
    assert (stored.given_name, stored.family_name, stored.address) == (
        given_name.strip(), family_name.strip(), address.strip())


@ON_BOTH
@given(username=awkward, name=awkward, job_title=awkward)
def test_users_on_both_backends(services, username, name, job_title):
    from practice_rx.services.users import USER_LABELS

    try:
        user = services.users.add(admin(services), username, name, "clinician",
                                  "a long password", job_title)
    except ValidationError as error:
        refused_by_field(error, USER_LABELS)
        return
    assert services.users.get(user.id).username == username.strip()


@ON_BOTH
@given(name=awkward, description=awkward, website=awkward)
def test_services_on_both_backends(services, name, description, website):
    from practice_rx.services.catalogue import SERVICE_LABELS

    details = ServiceDetails(external_id=f"svc-{next(_serials)}", name=name,
                             category="physical_activity", description=description,
                             website=website)
    try:
        service = services.catalogue.add_local(desk(services), details)
    except ValidationError as error:
        refused_by_field(error, SERVICE_LABELS)
        return
    assert services.catalogue.get(service.id).description == description
