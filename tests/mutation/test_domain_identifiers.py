"""NHS numbers, postcodes, dates of birth, phone numbers and emails against known answers.

NHS numbers: 943 476 5919 is NHS Digital's documented test number; the check digits of
the others were worked out by hand with the modulus 11 rule (weights 10 down to 2).
"""

from __future__ import annotations

import time
from datetime import date, datetime

import pytest

from practice_rx.domain.identifiers import (
    age_on,
    check_date_of_birth,
    format_date,
    format_moment,
    format_nhs_number,
    local_time,
    nhs_check_digit,
    normalise_email,
    normalise_nhs_number,
    normalise_phone,
    normalise_postcode,
    parse_date,
)
from practice_rx.errors import ValidationError


def _refused(call, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.errors


@pytest.mark.parametrize(("first_nine", "check"), [
    ("943476591", 9),   # 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 % 11 = 2; 11-2 = 9
    ("999000005", 0),   # 90+81+72+5*2 = 253 = 23*11; 11-0 = 11, which means 0
    ("999000001", 8),   # 90+81+72+1*2 = 245; 245 % 11 = 3; 11-3 = 8
    ("000000000", 0),
    ("000000001", 9),   # 2 % 11 = 2 -> 9
    ("000000006", None),  # 12 % 11 = 1 -> 10: no valid number ends these nine digits
    ("100000000", 1),   # 10 % 11 = 10 -> 1
])
def test_check_digit_by_the_modulus_11_rule(first_nine: str, check: int | None) -> None:
    assert nhs_check_digit(first_nine) == check


def test_a_valid_number_is_kept_as_ten_digits_however_it_is_typed() -> None:
    assert normalise_nhs_number("943 476 5919") == "9434765919"
    assert normalise_nhs_number("943-476-5919") == "9434765919"
    assert normalise_nhs_number(" 9434765919 ") == "9434765919"
    assert normalise_nhs_number("999 000 0050") == "9990000050"  # check digit 0


@pytest.mark.parametrize(("value", "message"), [
    (None, "NHS number: enter the patient's 10-digit NHS number"),
    ("", "NHS number: enter the patient's 10-digit NHS number"),
    (" - ", "NHS number: enter the patient's 10-digit NHS number"),
    (9434765919, "NHS number: enter it as text, for example 943 476 5919"),
    ("９４３４７６５９１９", ("NHS number: use the digits 0 to 9 only (type it again on an "
                         "English keyboard)")),
    ("943476591", "NHS number: must be 10 digits, for example 943 476 5919"),
    ("94347659190", "NHS number: must be 10 digits, for example 943 476 5919"),
    ("943476591x", "NHS number: must be 10 digits, for example 943 476 5919"),
    ("9434765918", "NHS number: the check digit does not match; check it was typed correctly"),
    ("0000000060", "NHS number: the check digit does not match; check it was typed correctly"),
    ("0123456789", ("NHS number: in the Scottish CHI range the first six digits must be a date "
                   "of birth (DDMMYY); check it was typed correctly")),
])
def test_a_refused_number_names_the_field_and_the_fault(value: object, message: str) -> None:
    assert _refused(normalise_nhs_number, value) == {"nhs_number": message}
    assert list(_refused(normalise_nhs_number, value, field="nhs")) == ["nhs"]


def test_numbers_are_shown_three_three_four() -> None:
    assert format_nhs_number("9434765919") == "943 476 5919"
    assert format_nhs_number("943476591") == "943476591"
    assert format_nhs_number("") == ""


def test_postcodes_are_upper_case_with_one_space() -> None:
    assert normalise_postcode("ls1 4ap") == "LS1 4AP"
    assert normalise_postcode("  LS14AP ") == "LS1 4AP"
    assert normalise_postcode("sw1a1aa") == "SW1A 1AA"
    message = "Postcode: enter a UK postcode, for example LS1 4AP"
    assert _refused(normalise_postcode, "LS1") == {"postcode": message}
    assert _refused(normalise_postcode, "") == {"postcode": message}
    assert _refused(normalise_postcode, None) == {"postcode": message}
    assert _refused(normalise_postcode, "XXXX", field="pc") == {"pc": message}


def test_date_of_birth_within_130_years_and_not_in_the_future() -> None:
    today = date(2026, 11, 24)
    assert check_date_of_birth(today, today) == today
    assert check_date_of_birth(date(1896, 11, 24), today) == date(1896, 11, 24)
    assert _refused(check_date_of_birth, date(1896, 11, 23), today) == {
        "date_of_birth": "Date of birth: must be within the last 130 years"}
    assert _refused(check_date_of_birth, date(2026, 11, 25), today) == {
        "date_of_birth": "Date of birth: must be today or in the past"}
    assert _refused(check_date_of_birth, datetime(2000, 1, 1), today, field="dob") == {
        "dob": "Date of birth: give a date without a time"}
    assert _refused(check_date_of_birth, "2000-01-01", today) == {
        "date_of_birth": "Date of birth: give a date without a time"}
    leap = date(2024, 2, 29)  # 1894 has no 29 February: the oldest allowed is 28 February
    assert check_date_of_birth(date(1894, 2, 28), leap) == date(1894, 2, 28)
    assert "130 years" in _refused(check_date_of_birth, date(1894, 2, 27), leap)["date_of_birth"]


def test_dates_are_read_in_both_spellings_and_impossible_ones_refused() -> None:
    assert parse_date("24/11/2026", "due", "Due") == date(2026, 11, 24)
    assert parse_date(" 1.2.2026 ", "due", "Due") == date(2026, 2, 1)
    assert parse_date("01-02-2026", "due", "Due") == date(2026, 2, 1)
    assert parse_date("2026-11-24", "due", "Due") == date(2026, 11, 24)
    assert parse_date(date(2026, 1, 5), "due", "Due") == date(2026, 1, 5)
    real = {"due": "Due: enter a real date, for example 24/11/2026"}
    assert _refused(parse_date, "31/02/2026", "due", "Due") == real
    assert _refused(parse_date, "", "due", "Due") == real
    assert _refused(parse_date, None, "due", "Due") == real
    assert _refused(parse_date, "1/2/26", "due", "Due") == real
    assert _refused(parse_date, datetime(2026, 1, 1), "due", "Due") == {
        "due": "Due: give a date without a time"}
    assert _refused(parse_date, 20261124, "due", "Due") == {
        "due": "Due: enter a date, for example 24/11/2026"}


def test_email_is_trimmed_and_checked() -> None:
    assert normalise_email("  jo@example.org ") == "jo@example.org"
    assert normalise_email("") == ""
    assert normalise_email(None) == ""
    message = "Email: enter an address like name@example.org"
    assert _refused(normalise_email, "jo@example") == {"email": message}
    assert _refused(normalise_email, "jo example.org", field="mail") == {"mail": message}


def test_phone_numbers_are_uk_numbers_of_ten_or_eleven_digits() -> None:
    assert normalise_phone(" 0113 496 0000 ") == "0113 496 0000"
    assert normalise_phone("01134960000") == "01134960000"
    assert normalise_phone("0113496000") == "0113496000"
    assert normalise_phone("+44 113 496 0000") == "+44 113 496 0000"
    assert normalise_phone("(0113) 496-0000") == "(0113) 496-0000"
    assert normalise_phone("") == "" and normalise_phone(None) == ""
    message = "Phone: enter a UK number of 10 or 11 digits, for example 0113 496 0000"
    for bad in ("011349600", "011349600000", "1113 496 0000", "0113 496 000x", "+1 212 555 0100",
                "+44 0113 496 0000"):
        assert _refused(normalise_phone, bad) == {"phone": message}, bad
    assert _refused(normalise_phone, "12", field="tel") == {"tel": message}


def test_dates_and_ages_as_a_banner_shows_them() -> None:
    assert format_date(date(2026, 11, 4)) == "4 Nov 2026"
    assert age_on(date(2000, 11, 24), date(2026, 11, 24)) == 26
    assert age_on(date(2000, 11, 25), date(2026, 11, 24)) == 25
    assert age_on(date(2000, 12, 1), date(2026, 11, 24)) == 25
    assert age_on(date(2000, 1, 1), date(2026, 11, 24)) == 26


def test_stored_utc_times_are_shown_in_the_workstation_zone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        summer, winter = local_time(datetime(2026, 7, 1, 12, 5)), local_time(datetime(2026, 1, 1, 9))
        shown = format_moment(datetime(2026, 7, 1, 23, 30))
    finally:
        monkeypatch.undo()
        time.tzset()
    assert summer == datetime(2026, 7, 1, 13, 5) and summer.tzinfo is None
    assert winter == datetime(2026, 1, 1, 9)
    assert shown == "2 Jul 2026 00:30"
