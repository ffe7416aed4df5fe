from datetime import date

import nhs_number
import pytest

from practice_rx.domain import identifiers as ids
from practice_rx.errors import ValidationError
from tests.support.check_digit import modulus_11


@pytest.mark.parametrize("typed", ["9434765919", "943 476 5919", "943-476-5919", " 943 4765919 "])
def test_nhs_number_accepts_spaces_and_dashes(typed):
    assert ids.normalise_nhs_number(typed) == "9434765919"
    assert ids.format_nhs_number("9434765919") == "943 476 5919"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", "enter the patient's 10-digit NHS number"),
        ("943476591", "must be 10 digits"),
        ("94347659190", "must be 10 digits"),
        ("94347659A9", "must be 10 digits"),
        ("9434765918", "check digit does not match"),
    ],
)
def test_nhs_number_errors_name_the_field(typed, expected):
    with pytest.raises(ValidationError) as caught:
        ids.normalise_nhs_number(typed)
    assert caught.value.errors["nhs_number"].startswith("NHS number:")
    assert expected in str(caught.value)


def test_check_digit_of_ten_is_never_valid():
    """Which starts have no valid check digit is the hand rule's answer, not the app's."""
    invalid = [n for n in range(1000) if modulus_11(f"999000{n:03d}") is None]
    assert invalid, "some nine-digit starts can have no valid check digit"
    for last in "0123456789":
        with pytest.raises(ValidationError):
            ids.normalise_nhs_number(f"999000{invalid[0]:03d}{last}")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("ls14ap", "LS1 4AP"), ("LS1 4AP", "LS1 4AP"), ("sw1a  1aa", "SW1A 1AA"), ("M1 1AE", "M1 1AE")],
)
def test_postcode_is_stored_upper_case_with_one_space(typed, stored):
    assert ids.normalise_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["", "LS1", "12345", "LS1 4A", "LSS1 4AP X"])
def test_bad_postcode_says_what_is_expected(typed):
    with pytest.raises(ValidationError, match="Postcode: enter a UK postcode, for example LS1 4AP"):
        ids.normalise_postcode(typed)


def test_date_of_birth_rules():
    today = date(2026, 11, 24)
    assert ids.check_date_of_birth(date(1951, 3, 14), today) == date(1951, 3, 14)
    with pytest.raises(ValidationError, match="Date of birth: must be today or in the past"):
        ids.check_date_of_birth(date(2026, 11, 25), today)
    with pytest.raises(ValidationError, match="within the last 130 years"):
        ids.check_date_of_birth(date(1896, 11, 23), today)
    assert ids.check_date_of_birth(date(1896, 11, 24), today)


@pytest.mark.parametrize("typed", ["31/02/2026", "2026-13-01", "yesterday", "00/01/2000"])
def test_impossible_dates_are_refused(typed):
    with pytest.raises(ValidationError, match="Date of birth: enter a real date"):
        ids.parse_date(typed, "date_of_birth", "Date of birth")


def test_dates_are_read_day_first():
    assert ids.parse_date("03/04/2020", "d", "D") == date(2020, 4, 3)
    assert ids.parse_date("2020-04-03", "d", "D") == date(2020, 4, 3)
    assert ids.format_date(date(2026, 11, 4)) == "4 Nov 2026"


@pytest.mark.parametrize("typed", ["0113 496 0000", "07700 900123", "+44 7700 900123", ""])
def test_good_phone_numbers(typed):
    assert ids.normalise_phone(typed) == typed.strip()


@pytest.mark.parametrize("typed", ["123", "01134960000000", "0113 ABC 0000", "1113 496 0000"])
def test_bad_phone_numbers(typed):
    with pytest.raises(ValidationError, match="Phone: enter a UK number"):
        ids.normalise_phone(typed)


def test_email():
    assert ids.normalise_email(" sam@example.org ") == "sam@example.org"
    with pytest.raises(ValidationError, match="Email: enter an address like name@example.org"):
        ids.normalise_email("sam at example")


ASCII = "9434765919"


@pytest.mark.parametrize(
    "zero",
    [0xFF10, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x1D7CE],  # fullwidth, Arabic-Indic x2, Devanagari…
)
def test_nhs_number_in_other_scripts_digits_is_refused(zero):
    """One number spelt in another script's digits would be a second patient (issue 11, 3)."""
    typed = "".join(chr(zero + int(digit)) for digit in ASCII)
    with pytest.raises(ValidationError) as caught:
        ids.normalise_nhs_number(typed)
    assert caught.value.errors["nhs_number"].startswith("NHS number: use the digits 0 to 9 only")


def test_nhs_number_in_superscript_digits_is_refused_not_a_crash():
    superscript = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
    for typed in (ASCII.translate(superscript), "943 476 591" + "⁹"):
        with pytest.raises(ValidationError, match="NHS number: use the digits 0 to 9 only"):
            ids.normalise_nhs_number(typed)


@pytest.mark.parametrize("typed", [9434765919, None, b"9434765919"])
def test_nhs_number_that_is_not_text(typed):
    with pytest.raises(ValidationError, match="NHS number:"):
        ids.normalise_nhs_number(typed)


def test_chi_range_needs_a_real_date_of_birth():
    """In the Scottish CHI range the first six digits are DDMMYY, as the nhs-number package says."""
    not_a_date = next(f"3002{n:05d}" for n in range(100_000)
                      if modulus_11(f"3002{n:05d}") is not None)
    not_a_date += str(modulus_11(not_a_date))
    assert not nhs_number.is_valid(not_a_date)
    with pytest.raises(ValidationError, match="first six digits must be a date of birth"):
        ids.normalise_nhs_number(not_a_date)
    real_date = next(f"0101{n:05d}" for n in range(100_000)
                     if modulus_11(f"0101{n:05d}") is not None)
    real_date += str(modulus_11(real_date))
    assert nhs_number.is_valid(real_date)
    assert ids.normalise_nhs_number(real_date) == real_date


def test_agrees_with_the_nhs_number_package_on_100000_random_strings():
    """Ours and the package's validity agree on every string; the figure goes in the report."""
    import random

    rng = random.Random(20261124)
    disagreements = []
    for _ in range(100_000):
        typed = f"{rng.randrange(10**10):010d}"
        try:
            ours = ids.normalise_nhs_number(typed) == typed
        except ValidationError:
            ours = False
        if ours != nhs_number.is_valid(typed):
            disagreements.append(typed)
    assert disagreements == []


def test_a_datetime_is_not_a_date_of_birth():
    from datetime import datetime

    with pytest.raises(ValidationError, match="Date of birth: give a date without a time"):
        ids.parse_date(datetime(1951, 3, 14, 9, 0), "date_of_birth", "Date of birth")
    with pytest.raises(ValidationError, match="Date of birth: enter a date"):
        ids.parse_date(19510314, "date_of_birth", "Date of birth")
    with pytest.raises(ValidationError, match="Date of birth: enter a real date"):
        ids.parse_date("١٤/٠٣/١٩٥١", "date_of_birth", "Date of birth")
