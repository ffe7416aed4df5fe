"""Checking and normalising the answers given to a form.

Answers arrive from the UI, imports or old drafts; what comes out is JSON-safe
and in one canonical shape (dates as ``YYYY-MM-DD``, yes/no as booleans, choices
as codes in the form's order), so it can be stored beside the form definition
and cleaned again with the same result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime

from practice_rx.domain.identifiers import parse_date
from practice_rx.domain.text import text_problem
from practice_rx.errors import ValidationError
from practice_rx.forms.model import (
    MAX_NUMBER,
    MULTI_CHOICE_TYPES,
    OTHER_CODE,
    FieldType,
    FormDefinition,
    FormField,
)

FORM_ERROR_KEY = "_form"
"""Error key for answers the form does not ask for (field keys start with a letter)."""

_YES_NO = {"yes": True, "no": False}
_INTEGER = re.compile(r"[+-]?\d{1,300}")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_COLLECTIONS = (list, tuple, set, frozenset)
_REQUIRED = {
    FieldType.TEXT: "required",
    FieldType.LONG_TEXT: "required",
    FieldType.NUMBER: "required",
    FieldType.DATE: "required",
    FieldType.YES_NO: "answer yes or no",
    FieldType.SINGLE_CHOICE: "choose one",
    FieldType.MULTIPLE_CHOICE: "choose at least one",
    FieldType.CODED_REASON: "choose at least one",
}


class _Invalid(Exception):
    """One field's value cannot be accepted; the message is the part after the label."""


def is_visible(field: FormField, answers: Mapping[str, object]) -> bool:
    """Whether the field is shown, given the answers so far (cleaned, or as the UI holds them)."""
    if field.show_if is None:
        return True
    value = answers.get(field.show_if.field)
    expected = field.show_if.equals
    if isinstance(expected, bool):
        if isinstance(value, str):
            value = _YES_NO.get(value.strip().lower())
        return value is expected
    if isinstance(value, str):
        return value.strip() == expected
    if isinstance(value, _COLLECTIONS):
        return any(isinstance(item, str) and item.strip() == expected for item in value)
    return False


def clean_answers(
    form: FormDefinition,
    answers: Mapping[str, object],
    *,
    complete: bool = True,
    today: date | None = None,
) -> dict[str, object]:
    """Return the answers checked and normalised, or raise ``ValidationError``.

    ``complete=False`` is for drafts: required answers may be missing (and a
    ``must_be_yes`` question may say no), but a value that is given must be valid.
    Answers to hidden fields are dropped. Each error is keyed by field key; answers
    the form does not ask for are reported under :data:`FORM_ERROR_KEY`.
    """
    today = today or date.today()
    errors: dict[str, str] = {}
    cleaned: dict[str, object] = {}
    unknown = _unknown_keys(form, answers)
    if unknown:
        errors[FORM_ERROR_KEY] = f"These answers are not questions on this form: {unknown}"
    for field in form.fields():
        if not is_visible(field, cleaned):  # earlier values are final, so chains work
            continue
        try:
            value = _clean_field(form, field, answers.get(field.key), complete, today)
            other = _clean_other_text(field, value, answers, complete)
        except _Invalid as error:
            errors[field.key] = f"{field.label}: {error}"
            continue
        if value is not None:
            cleaned[field.key] = value
        if other and field.other_text_key:
            cleaned[field.other_text_key] = other
    if errors:
        raise ValidationError(errors)
    return cleaned


def _unknown_keys(form: FormDefinition, answers: Mapping[str, object]) -> str:
    known = {field.key for field in form.fields()}
    known |= {field.other_text_key for field in form.fields() if field.other_text_key}
    unknown = sorted(
        repr(key[:40]) if isinstance(key, str) else type(key).__name__
        for key in answers
        if key not in known
    )
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    return ", ".join(unknown[:5]) + more


def _clean_field(
    form: FormDefinition, field: FormField, raw: object, complete: bool, today: date
) -> object | None:
    if _is_empty(raw):
        if complete and field.required:
            raise _Invalid(_REQUIRED[field.type] + _condition(form, field))
        return None
    value = _CLEANERS[field.type](field, raw, today)
    if complete and field.must_be_yes and value is False:
        raise _Invalid("must be yes before the referral can be sent")
    return value


def _is_empty(raw: object) -> bool:
    """Nothing given: no value, blank text or no choices."""
    if isinstance(raw, str):
        return not raw.strip()
    return raw is None or (isinstance(raw, _COLLECTIONS) and not raw)


def _condition(form: FormDefinition, field: FormField) -> str:
    """Why a conditional field is asked for, e.g. " when 'Risk to self or others' is yes"."""
    if field.show_if is None:
        return ""
    target = form.field(field.show_if.field)
    equals = field.show_if.equals
    if isinstance(equals, bool):
        return f" when '{target.label}' is {'yes' if equals else 'no'}"
    verb = "includes" if target.type in MULTI_CHOICE_TYPES else "is"
    return f" when '{target.label}' {verb} '{target.choice_label(equals)}'"


def _clean_text(field: FormField, raw: object, today: date) -> str:
    """Text the form allows and either database stores (no NUL, no lone surrogates)."""
    if not isinstance(raw, str):
        raise _Invalid("enter text")
    text = raw.strip()
    if field.max_length is not None and len(text) > field.max_length:
        raise _Invalid(f"must be {field.max_length} characters or fewer")
    problem = text_problem(text)
    if problem:
        raise _Invalid(problem)
    return text


def _clean_number(field: FormField, raw: object, today: date) -> int | float:
    value: int | float
    if isinstance(raw, bool):
        raise _Invalid(_number_expected(field))
    if isinstance(raw, (int, float)):
        value = raw
    elif isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
        value = int(raw.strip())
    elif isinstance(raw, str) and _DECIMAL.fullmatch(raw.strip()):
        value = float(raw.strip())
    else:
        raise _Invalid(_number_expected(field))
    if not abs(value) <= MAX_NUMBER:  # also refuses nan and inf
        raise _Invalid(_number_expected(field))
    too_small = field.min_value is not None and value < field.min_value
    too_large = field.max_value is not None and value > field.max_value
    if too_small or too_large:
        raise _Invalid(_number_expected(field))
    return value


def _number_expected(field: FormField) -> str:
    low, high = field.min_value, field.max_value
    if low is not None and high is not None:
        return f"enter a number from {_show(low)} to {_show(high)}"
    if low is not None:
        return f"enter a number of {_show(low)} or more"
    if high is not None:
        return f"enter a number of {_show(high)} or less"
    return "enter a number, for example 3 or 2.5"


def _show(number: int | float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _clean_date(field: FormField, raw: object, today: date) -> str:
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    elif isinstance(raw, str):
        try:
            value = parse_date(raw, field.key, field.label)
        except ValidationError:
            raise _Invalid("enter a real date, for example 24/11/2026") from None
    else:
        raise _Invalid("enter a real date, for example 24/11/2026")
    if field.not_future and value > today:
        raise _Invalid("must be today or in the past")
    return value.isoformat()


def _clean_yes_no(field: FormField, raw: object, today: date) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _YES_NO:
        return _YES_NO[raw.strip().lower()]
    raise _Invalid("answer yes or no")


def _clean_single_choice(field: FormField, raw: object, today: date) -> str:
    codes = [choice.code for choice in field.choices]
    if isinstance(raw, str) and raw.strip() in codes:
        return raw.strip()
    raise _Invalid("choose one of the options")


def _clean_multiple_choice(field: FormField, raw: object, today: date) -> list[str]:
    if not isinstance(raw, _COLLECTIONS) or not all(isinstance(item, str) for item in raw):
        raise _Invalid("choose from the options")
    chosen = {item.strip() for item in raw}
    codes = [choice.code for choice in field.choices]
    if not chosen <= set(codes):
        raise _Invalid("choose only from the options")
    return [code for code in codes if code in chosen]


def _clean_other_text(
    field: FormField, value: object, answers: Mapping[str, object], complete: bool
) -> str:
    """The text that must go with the ``other`` code of a coded reason ("" when not asked for)."""
    if not field.other_text_key or not isinstance(value, list) or OTHER_CODE not in value:
        return ""
    raw = answers.get(field.other_text_key)
    other = field.choice_label(OTHER_CODE)
    if _is_empty(raw):
        if complete:
            raise _Invalid(f"give details when you choose '{other}'")
        return ""
    if not isinstance(raw, str):
        raise _Invalid(f"enter the details for '{other}' as text")
    text = raw.strip()
    if field.max_length is not None and len(text) > field.max_length:
        raise _Invalid(f"the details for '{other}' must be {field.max_length} characters or fewer")
    problem = text_problem(text)
    if problem:
        raise _Invalid(f"the details for '{other}' {problem}")
    return text


_CLEANERS: dict[FieldType, Callable[[FormField, object, date], object]] = {
    FieldType.TEXT: _clean_text,
    FieldType.LONG_TEXT: _clean_text,
    FieldType.NUMBER: _clean_number,
    FieldType.DATE: _clean_date,
    FieldType.YES_NO: _clean_yes_no,
    FieldType.SINGLE_CHOICE: _clean_single_choice,
    FieldType.MULTIPLE_CHOICE: _clean_multiple_choice,
    FieldType.CODED_REASON: _clean_multiple_choice,
}
