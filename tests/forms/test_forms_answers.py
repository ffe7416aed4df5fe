"""Answers to a form: normalised when right, one plain message per field when not."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from practice_rx.errors import ValidationError
from practice_rx.forms import (
    FORM_ERROR_KEY,
    Choice,
    FieldType,
    FormDefinition,
    FormField,
    Section,
    ShowIf,
    clean_answers,
    is_visible,
)

TODAY = date(2026, 11, 24)
COLOURS = (Choice("red", "Red"), Choice("green", "Green"), Choice("blue", "Blue"))
WHY = (Choice("bored", "Bored"), Choice("lonely", "Lonely"), Choice("other", "Other"))


def make_form(*fields: FormField) -> FormDefinition:
    return FormDefinition("test", 1, "Test", (Section("main", "Main", fields),))


def clean(form: FormDefinition, answers: dict[str, object], **options: bool) -> dict[str, object]:
    return clean_answers(form, answers, today=TODAY, **options)


def errors_of(form: FormDefinition, answers: dict[str, object], **options: bool) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        clean(form, answers, **options)
    return caught.value.errors


# -- text ----------------------------------------------------------------------

NAME = FormField("name", "Name", FieldType.TEXT, required=True, max_length=5)
NOTES = FormField("notes", "Notes", FieldType.LONG_TEXT)


def test_text_is_stripped_and_empty_optional_text_is_left_out() -> None:
    form = make_form(NAME, NOTES)

    assert clean(form, {"name": "  Ann ", "notes": " \n "}) == {"name": "Ann"}
    assert clean(form, {"name": "Ann", "notes": "Line 1\nLine 2\n"}) == {
        "name": "Ann",
        "notes": "Line 1\nLine 2",
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Name: required"),
        ("   ", "Name: required"),
        ("Annabel", "Name: must be 5 characters or fewer"),
        (42, "Name: enter text"),
    ],
)
def test_text_errors(value: object, message: str) -> None:
    assert errors_of(make_form(NAME), {"name": value}) == {"name": message}


# -- numbers -------------------------------------------------------------------

AGE = FormField("age", "Age", FieldType.NUMBER, min_value=0, max_value=130)
SCORE = FormField("score", "Score", FieldType.NUMBER, min_value=0.5)
COUNT = FormField("count", "Count", FieldType.NUMBER)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(42, 42), ("42", 42), (" 7 ", 7), (2.5, 2.5), ("2.5", 2.5), ("1e2", 100.0), (0, 0)],
)
def test_numbers_are_read_as_int_or_float(value: object, expected: float) -> None:
    cleaned = clean(make_form(AGE), {"age": value})

    assert cleaned == {"age": expected}
    assert type(cleaned["age"]) is type(expected)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (AGE, 131, "Age: enter a number from 0 to 130"),
        (AGE, -1, "Age: enter a number from 0 to 130"),
        (AGE, "forty", "Age: enter a number from 0 to 130"),
        (AGE, True, "Age: enter a number from 0 to 130"),
        (SCORE, 0.25, "Score: enter a number of 0.5 or more"),
        (COUNT, float("nan"), "Count: enter a number, for example 3 or 2.5"),
        (COUNT, "inf", "Count: enter a number, for example 3 or 2.5"),
        (COUNT, 10**16, "Count: enter a number, for example 3 or 2.5"),
        (COUNT, "1" * 400, "Count: enter a number, for example 3 or 2.5"),
        (COUNT, [1], "Count: enter a number, for example 3 or 2.5"),
    ],
)
def test_number_errors(field: FormField, value: object, message: str) -> None:
    assert errors_of(make_form(field), {field.key: value}) == {field.key: message}


def test_number_with_only_a_maximum() -> None:
    form = make_form(FormField("n", "Visits", FieldType.NUMBER, max_value=12))

    assert errors_of(form, {"n": 13}) == {"n": "Visits: enter a number of 12 or less"}


# -- dates ---------------------------------------------------------------------

ONSET = FormField("onset", "Date of onset", FieldType.DATE, not_future=True)
REVIEW = FormField("review", "Review date", FieldType.DATE)


@pytest.mark.parametrize(
    "value",
    ["24/11/2026", "24/11/2026 ", "2026-11-24", date(2026, 11, 24), datetime(2026, 11, 24, 9, 30)],
)
def test_dates_are_stored_as_iso_strings(value: object) -> None:
    assert clean(make_form(ONSET), {"onset": value}) == {"onset": "2026-11-24"}


def test_single_digit_day_and_month_are_accepted() -> None:
    assert clean(make_form(ONSET), {"onset": "1/2/2026"}) == {"onset": "2026-02-01"}


@pytest.mark.parametrize("value", ["31/02/2026", "29/02/2025", "2026-13-01", "yesterday", 20261124])
def test_impossible_dates_are_refused(value: object) -> None:
    assert errors_of(make_form(ONSET), {"onset": value}) == {
        "onset": "Date of onset: enter a real date, for example 24/11/2026"
    }


def test_a_future_date_is_refused_only_where_not_allowed() -> None:
    form = make_form(ONSET, REVIEW)

    assert errors_of(form, {"onset": "25/11/2026"}) == {
        "onset": "Date of onset: must be today or in the past"
    }
    assert clean(form, {"onset": "24/11/2026", "review": "25/11/2026"}) == {
        "onset": "2026-11-24",
        "review": "2026-11-25",
    }


# -- yes / no ------------------------------------------------------------------

AGREES = FormField("agrees", "Agrees", FieldType.YES_NO, required=True)
CONSENT = FormField("consent", "Consent", FieldType.YES_NO, required=True, must_be_yes=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("yes", True), ("No", False), (" YES ", True)],
)
def test_yes_no_becomes_a_bool(value: object, expected: bool) -> None:
    assert clean(make_form(AGREES), {"agrees": value}) == {"agrees": expected}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Agrees: answer yes or no"),
        ("maybe", "Agrees: answer yes or no"),
        (1, "Agrees: answer yes or no"),
        ("true", "Agrees: answer yes or no"),
    ],
)
def test_yes_no_errors(value: object, message: str) -> None:
    assert errors_of(make_form(AGREES), {"agrees": value}) == {"agrees": message}


def test_must_be_yes_is_needed_to_complete_but_not_for_a_draft() -> None:
    form = make_form(CONSENT)

    assert errors_of(form, {"consent": "no"}) == {
        "consent": "Consent: must be yes before the referral can be sent"
    }
    assert clean(form, {"consent": False}, complete=False) == {"consent": False}
    assert clean(form, {"consent": True}) == {"consent": True}


# -- choices -------------------------------------------------------------------

COLOUR = FormField("colour", "Colour", FieldType.SINGLE_CHOICE, required=True, choices=COLOURS)
COLOURS_LIKED = FormField(
    "liked", "Colours liked", FieldType.MULTIPLE_CHOICE, required=True, choices=COLOURS
)
REASONS = FormField(
    "reasons", "Reasons", FieldType.CODED_REASON, required=True, choices=WHY, max_length=10
)


def test_single_choice_takes_one_known_code() -> None:
    form = make_form(COLOUR)

    assert clean(form, {"colour": " green "}) == {"colour": "green"}
    assert errors_of(form, {"colour": "purple"}) == {"colour": "Colour: choose one of the options"}
    assert errors_of(form, {"colour": ["red"]}) == {"colour": "Colour: choose one of the options"}
    assert errors_of(form, {}) == {"colour": "Colour: choose one"}


def test_multiple_choice_is_a_list_in_the_form_order_without_repeats() -> None:
    form = make_form(COLOURS_LIKED)

    assert clean(form, {"liked": ["blue", "red", "blue"]}) == {"liked": ["red", "blue"]}
    assert clean(form, {"liked": ("green",)}) == {"liked": ["green"]}
    assert clean(form, {"liked": {"blue", "green"}}) == {"liked": ["green", "blue"]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "Colours liked: choose at least one"),
        (None, "Colours liked: choose at least one"),
        (["red", "purple"], "Colours liked: choose only from the options"),
        ("red", "Colours liked: choose from the options"),
        ([1], "Colours liked: choose from the options"),
    ],
)
def test_multiple_choice_errors(value: object, message: str) -> None:
    assert errors_of(make_form(COLOURS_LIKED), {"liked": value}) == {"liked": message}


def test_coded_reason_other_needs_its_text() -> None:
    form = make_form(REASONS)

    assert clean(form, {"reasons": ["other", "bored"], "reasons_other": " Cats "}) == {
        "reasons": ["bored", "other"],
        "reasons_other": "Cats",
    }
    assert errors_of(form, {"reasons": ["other"]}) == {
        "reasons": "Reasons: give details when you choose 'Other'"
    }
    assert errors_of(form, {"reasons": ["other"], "reasons_other": "x" * 11}) == {
        "reasons": "Reasons: the details for 'Other' must be 10 characters or fewer"
    }
    assert errors_of(form, {"reasons": ["other"], "reasons_other": 3}) == {
        "reasons": "Reasons: enter the details for 'Other' as text"
    }
    assert errors_of(form, {}) == {"reasons": "Reasons: choose at least one"}


def test_other_text_is_dropped_when_other_is_not_chosen() -> None:
    form = make_form(REASONS)

    assert clean(form, {"reasons": ["bored"], "reasons_other": "stale"}) == {"reasons": ["bored"]}


def test_a_draft_may_choose_other_without_the_text_yet() -> None:
    assert clean(make_form(REASONS), {"reasons": ["other"]}, complete=False) == {
        "reasons": ["other"]
    }


# -- show_if -------------------------------------------------------------------

RISK = FormField("risk", "Risk to self or others", FieldType.YES_NO, required=True)
RISK_DETAILS = FormField(
    "risk_details",
    "Risk to self or others – details",
    FieldType.LONG_TEXT,
    required=True,
    show_if=ShowIf("risk", True),
)
ONLY_IF_BLUE = FormField(
    "blue_note", "Blue note", FieldType.TEXT, required=True, show_if=ShowIf("liked", "blue")
)
ONLY_IF_RED = FormField(
    "red_note", "Red note", FieldType.TEXT, required=True, show_if=ShowIf("colour", "red")
)


def test_a_field_shown_by_a_yes_is_required_only_then() -> None:
    form = make_form(RISK, RISK_DETAILS)

    assert errors_of(form, {"risk": "yes"}) == {
        "risk_details": (
            "Risk to self or others – details: required when 'Risk to self or others' is yes"
        )
    }
    assert clean(form, {"risk": False}) == {"risk": False}
    assert clean(form, {"risk": True, "risk_details": "Has said so"}) == {
        "risk": True,
        "risk_details": "Has said so",
    }


def test_answers_to_hidden_fields_are_dropped_even_if_malformed() -> None:
    form = make_form(RISK, RISK_DETAILS)

    assert clean(form, {"risk": "no", "risk_details": 12}) == {"risk": False}


def test_show_if_on_a_multiple_choice_means_contains() -> None:
    form = make_form(COLOURS_LIKED, ONLY_IF_BLUE)

    assert errors_of(form, {"liked": ["red", "blue"]}) == {
        "blue_note": "Blue note: required when 'Colours liked' includes 'Blue'"
    }
    assert clean(form, {"liked": ["red"], "blue_note": "x"}) == {"liked": ["red"]}


def test_show_if_on_a_single_choice_names_the_choice() -> None:
    form = make_form(COLOUR, ONLY_IF_RED)

    assert errors_of(form, {"colour": "red"}) == {
        "red_note": "Red note: required when 'Colour' is 'Red'"
    }


def test_a_field_whose_controlling_field_is_hidden_is_hidden_too() -> None:
    extra = FormField(
        "extra", "Extra", FieldType.YES_NO, required=True, show_if=ShowIf("risk", True)
    )
    chained = FormField(
        "chained", "Chained", FieldType.TEXT, required=True, show_if=ShowIf("extra", True)
    )
    form = make_form(RISK, extra, chained)

    assert clean(form, {"risk": False, "extra": True}) == {"risk": False}
    assert errors_of(form, {"risk": True, "extra": True}) == {
        "chained": "Chained: required when 'Extra' is yes"
    }


def test_a_field_depending_on_an_invalid_answer_is_not_also_reported() -> None:
    form = make_form(RISK, RISK_DETAILS)

    assert errors_of(form, {"risk": "perhaps"}) == {
        "risk": "Risk to self or others: answer yes or no"
    }


@pytest.mark.parametrize(
    ("field", "answers", "visible"),
    [
        (RISK_DETAILS, {"risk": True}, True),
        (RISK_DETAILS, {"risk": "yes"}, True),
        (RISK_DETAILS, {"risk": False}, False),
        (RISK_DETAILS, {}, False),
        (ONLY_IF_BLUE, {"liked": ["blue"]}, True),
        (ONLY_IF_BLUE, {"liked": ["red"]}, False),
        (ONLY_IF_RED, {"colour": "red"}, True),
        (ONLY_IF_RED, {"colour": "blue"}, False),
        (NAME, {}, True),
    ],
)
def test_is_visible(field: FormField, answers: dict[str, object], visible: bool) -> None:
    assert is_visible(field, answers) is visible


# -- the whole answer set ------------------------------------------------------


def test_unknown_answers_are_refused_under_the_form_key() -> None:
    form = make_form(NAME)

    errors = errors_of(form, {"name": "Ann", "nmae": "Ann"})

    assert errors == {FORM_ERROR_KEY: "These answers are not questions on this form: 'nmae'"}


def test_every_bad_field_gets_its_own_message() -> None:
    form = make_form(NAME, AGE, ONSET, COLOUR)

    errors = errors_of(form, {"name": "", "age": "old", "onset": "31/02/2026", "colour": "red"})

    assert set(errors) == {"name", "age", "onset"}


def test_a_draft_may_miss_required_answers_but_not_hold_bad_ones() -> None:
    form = make_form(NAME, AGE, COLOUR, REASONS, RISK, RISK_DETAILS)

    assert clean(form, {"risk": True}, complete=False) == {"risk": True}
    assert errors_of(form, {"age": 500}, complete=False) == {
        "age": "Age: enter a number from 0 to 130"
    }


def test_the_result_is_json_safe_and_cleans_to_itself() -> None:
    form = make_form(NAME, AGE, ONSET, AGREES, COLOUR, COLOURS_LIKED, REASONS)
    answers: dict[str, object] = {
        "name": " Ann ",
        "age": "41",
        "onset": date(2026, 1, 3),
        "agrees": "yes",
        "colour": "red",
        "liked": {"blue", "red"},
        "reasons": ("other",),
        "reasons_other": "Dog",
    }

    cleaned = clean(form, answers)

    assert json.loads(json.dumps(cleaned)) == cleaned
    assert clean(form, cleaned) == cleaned


def test_today_defaults_to_the_real_date() -> None:
    form = make_form(ONSET)

    assert clean_answers(form, {"onset": date.today()}) == {"onset": date.today().isoformat()}
