"""Thousands of random inputs: each is accepted or refused with a clear message, never a crash."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from practice_rx.domain import identifiers as ids
from practice_rx.errors import ValidationError
from practice_rx.services.patients import PatientDetails

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
        assert len(digits) == 10 and ids.nhs_check_digit(digits[:9]) == int(digits[9])
        assert ids.normalise_nhs_number(ids.format_nhs_number(digits)) == digits


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
