"""Validation and formatting of the identifiers a practice types in.

Every function raises :class:`ValidationError` naming the field and what is
expected, so the same message reaches the CLI, the UI and the tests.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from nhs_number import REGION_SCOTLAND
from nhs_number import is_valid as nhs_number_is_valid

from practice_rx.errors import ValidationError

_NHS_SEPARATORS = re.compile(r"[\s-]")
_TEN_ASCII_DIGITS = re.compile(r"[0-9]{10}", re.ASCII)
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_ALLOWED = re.compile(r"^\+?[0-9 ()-]+$")
MAX_AGE_YEARS = 130


def nhs_check_digit(first_nine: str) -> int | None:
    """Modulus 11 check digit of nine digits; ``None`` when no valid number can end them."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def normalise_nhs_number(value: object, field: str = "nhs_number") -> str:
    """Return the ten ASCII digits of an NHS number typed with or without spaces or dashes.

    Only 0-9 count: fullwidth, Arabic-Indic or superscript digits would store a
    second spelling of one number and get past the duplicate check. Validity is
    the ``nhs-number`` package's (check digit, and a real date of birth in the
    first six digits of a Scottish CHI number), so the two never disagree.
    """
    if value is not None and not isinstance(value, str):
        raise ValidationError.single(field, "NHS number: enter it as text, for example 943 476 5919")
    digits = _NHS_SEPARATORS.sub("", value or "")
    if not digits:
        raise ValidationError.single(field, "NHS number: enter the patient's 10-digit NHS number")
    if not digits.isascii() and any(char.isdigit() for char in digits):
        raise ValidationError.single(
            field, "NHS number: use the digits 0 to 9 only (type it again on an English keyboard)"
        )
    if not _TEN_ASCII_DIGITS.fullmatch(digits):
        raise ValidationError.single(
            field, "NHS number: must be 10 digits, for example 943 476 5919"
        )
    if nhs_check_digit(digits[:9]) != int(digits[9]):
        raise ValidationError.single(
            field, "NHS number: the check digit does not match; check it was typed correctly"
        )
    if not nhs_number_is_valid(digits):
        if REGION_SCOTLAND.contains_number(digits):
            raise ValidationError.single(
                field, "NHS number: in the Scottish CHI range the first six digits must be a "
                "date of birth (DDMMYY); check it was typed correctly"
            )
        raise ValidationError.single(field, "NHS number: not a valid NHS number")
    return digits


def format_nhs_number(digits: str) -> str:
    """Show an NHS number as 3-3-4 (``943 476 5919``)."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits


def normalise_postcode(value: str, field: str = "postcode") -> str:
    """Return a UK postcode upper case with one space before the inward code."""
    match = _POSTCODE.match((value or "").strip().upper())
    if not match:
        raise ValidationError.single(field, "Postcode: enter a UK postcode, for example LS1 4AP")
    return f"{match.group(1)} {match.group(2)}"


def check_date_of_birth(value: date, today: date, field: str = "date_of_birth") -> date:
    """A date of birth must not be in the future nor more than 130 years ago."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError.single(field, "Date of birth: give a date without a time")
    if value > today:
        raise ValidationError.single(field, "Date of birth: must be today or in the past")
    try:
        oldest = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    if value < oldest:
        raise ValidationError.single(
            field, f"Date of birth: must be within the last {MAX_AGE_YEARS} years"
        )
    return value


def parse_date(value: object, field: str, label: str) -> date:
    """Read a date typed as ``24/11/2026`` or ``2026-11-24``; impossible dates are refused.

    A datetime is refused rather than cut to its date: it means a caller mixed
    up a moment and a day, and the day might be the wrong one.
    """
    if isinstance(value, datetime):
        raise ValidationError.single(field, f"{label}: give a date without a time")
    if isinstance(value, date):
        return value
    if value is not None and not isinstance(value, str):
        raise ValidationError.single(field, f"{label}: enter a date, for example 24/11/2026")
    text = (value or "").strip()
    match = re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})", text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError.single(
            field, f"{label}: enter a real date, for example 24/11/2026"
        ) from None


def normalise_email(value: str, field: str = "email") -> str:
    """An email address, trimmed; empty means none."""
    text = (value or "").strip()
    if text and not _EMAIL.match(text):
        raise ValidationError.single(field, "Email: enter an address like name@example.org")
    return text


def normalise_phone(value: str, field: str = "phone") -> str:
    """A UK phone number: 10 or 11 digits (or +44 and 9 or 10); empty means none."""
    text = (value or "").strip()
    if not text:
        return ""
    digits = re.sub(r"\D", "", text)
    if text.startswith("+44"):
        digits = "0" + digits[2:]
    if not _PHONE_ALLOWED.match(text) or not (10 <= len(digits) <= 11) or digits[0] != "0":
        raise ValidationError.single(
            field, "Phone: enter a UK number of 10 or 11 digits, for example 0113 496 0000"
        )
    return text


def format_date(value: date) -> str:
    """Dates on screen and on letters: ``24 Nov 2026``, never ambiguous."""
    return f"{value.day} {value:%b %Y}"


def age_on(born: date, today: date) -> int:
    """Whole years from ``born`` to ``today``, as a patient banner shows it."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def local_time(value: datetime) -> datetime:
    """Stored times are UTC; people read them in the workstation's time zone."""
    return value.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def format_moment(value: datetime) -> str:
    """A stored (UTC) time as ``24 Nov 2026 14:05`` local time, 24-hour."""
    local = local_time(value)
    return f"{format_date(local.date())} {local:%H:%M}"
