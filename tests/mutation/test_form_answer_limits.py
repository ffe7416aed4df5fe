"""Form answers at their limits: the exact length, the exact maximum, every choice at
once, storable text, and the list of answers the form does not ask for.

Found by mutation testing (docs/testing.md): off-by-one changes at each limit survived.
"""

from __future__ import annotations

from datetime import date

import pytest

from practice_rx.errors import ValidationError
from practice_rx.forms import (
    FORM_ERROR_KEY,
    Choice,
    FieldType,
    FormDefinition,
    FormField,
    ShowIf,
    Section,
    clean_answers,
    is_visible,
)

TODAY = date(2026, 11, 24)


def _form(*fields: FormField) -> FormDefinition:
    return FormDefinition("limits", 1, "Limits", (Section("main", "Main", fields),))


def _errors(form: FormDefinition, answers: dict[object, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        clean_answers(form, answers, today=TODAY)
    return caught.value.errors


def test_text_of_exactly_the_longest_length_is_kept() -> None:
    form = _form(FormField("name", "Name", FieldType.TEXT, max_length=5))
    assert clean_answers(form, {"name": "Annie"}, today=TODAY) == {"name": "Annie"}
    assert _errors(form, {"name": "Annies"}) == {"name": "Name: must be 5 characters or fewer"}


def test_text_answers_must_be_storable() -> None:
    form = _form(FormField("notes", "Notes", FieldType.LONG_TEXT))
    assert _errors(form, {"notes": "a\x00b"}) == {
        "notes": "Notes: must not contain NUL characters; type it again"}


def test_a_number_of_exactly_the_maximum_is_kept() -> None:
    form = _form(FormField("n", "Visits", FieldType.NUMBER, min_value=0, max_value=12))
    assert clean_answers(form, {"n": 12}, today=TODAY) == {"n": 12}
    assert clean_answers(form, {"n": 0}, today=TODAY) == {"n": 0}
    half = _form(FormField("s", "Score", FieldType.NUMBER, min_value=0.5, max_value=2.5))
    assert _errors(half, {"s": 3}) == {"s": "Score: enter a number from 0.5 to 2.5"}


def test_every_choice_at_once_is_a_valid_multiple_choice() -> None:
    colours = (Choice("red", "Red"), Choice("green", "Green"))
    form = _form(FormField("c", "Colours", FieldType.MULTIPLE_CHOICE, choices=colours))
    assert clean_answers(form, {"c": ["green", "red"]}, today=TODAY) == {"c": ["red", "green"]}


def test_answers_the_form_does_not_ask_are_listed_five_then_counted() -> None:
    form = _form(FormField("name", "Name", FieldType.TEXT))
    five = {f"k{n}": "x" for n in range(5)}
    assert _errors(form, five)[FORM_ERROR_KEY] == (
        "These answers are not questions on this form: 'k0', 'k1', 'k2', 'k3', 'k4'")
    six = {f"k{n}": "x" for n in range(6)}
    assert _errors(form, six)[FORM_ERROR_KEY] == (
        "These answers are not questions on this form: 'k0', 'k1', 'k2', 'k3', 'k4' and 1 more")
    seven = {f"k{n}": "x" for n in range(7)}
    assert _errors(form, seven)[FORM_ERROR_KEY] == (
        "These answers are not questions on this form: 'k0', 'k1', 'k2', 'k3', 'k4' and 2 more")
    assert _errors(form, {"x" * 50: 1, 7: 1})[FORM_ERROR_KEY] == (
        f"These answers are not questions on this form: '{'x' * 40}', int")


def test_a_number_of_exactly_the_largest_allowed_is_kept() -> None:
    form = _form(FormField("n", "Steps", FieldType.NUMBER))
    assert clean_answers(form, {"n": 10**15}, today=TODAY) == {"n": 10**15}
    assert _errors(form, {"n": 10**15 + 1}) == {
        "n": "Steps: enter a number, for example 3 or 2.5"}


def test_whole_limits_given_as_decimals_are_shown_as_whole_numbers() -> None:
    form = _form(FormField("n", "Sessions", FieldType.NUMBER, min_value=1.0, max_value=6.0))
    assert _errors(form, {"n": 7}) == {"n": "Sessions: enter a number from 1 to 6"}


YES_NO_NO = (
    FormField("carer", "Has a carer", FieldType.YES_NO),
    FormField("why", "Why no carer", FieldType.TEXT, required=True,
              show_if=ShowIf("carer", False)),
)


def test_a_field_asked_when_the_answer_is_no_says_so_when_missing() -> None:
    assert _errors(_form(*YES_NO_NO), {"carer": "no"}) == {
        "why": "Why no carer: required when 'Has a carer' is no"}
    assert clean_answers(_form(*YES_NO_NO), {"carer": "yes"}, today=TODAY) == {"carer": True}


def test_a_field_asked_for_a_choice_is_hidden_until_that_choice_is_made() -> None:
    how = FormField("how", "Contact by", FieldType.SINGLE_CHOICE,
                    choices=(Choice("phone", "Phone"), Choice("letter", "Letter")))
    when = FormField("when", "Best time to call", FieldType.TEXT,
                     show_if=ShowIf("how", "phone"))
    assert is_visible(when, {}) is False  # nothing chosen yet
    assert is_visible(when, {"how": None}) is False
    assert is_visible(when, {"how": 3}) is False  # not an answer the form could hold
    assert is_visible(when, {"how": " phone "}) is True
    assert clean_answers(_form(how, when), {"how": "letter", "when": "9am"}, today=TODAY) == {
        "how": "letter"}  # a hidden field's answer is dropped


REASONS = FormField("reasons", "Reasons", FieldType.CODED_REASON, required=True, max_length=5,
                    choices=(Choice("loneliness", "Loneliness"), Choice("other", "Something else")))


def test_the_details_of_other_may_be_exactly_the_longest_length() -> None:
    form = _form(REASONS)
    assert clean_answers(form, {"reasons": ["other"], "reasons_other": "Pets!"}, today=TODAY) \
        == {"reasons": ["other"], "reasons_other": "Pets!"}
    assert _errors(form, {"reasons": ["other"], "reasons_other": "Pets!!"}) == {
        "reasons": "Reasons: the details for 'Something else' must be 5 characters or fewer"}


def test_the_details_of_other_must_be_storable() -> None:
    assert _errors(_form(REASONS), {"reasons": ["other"], "reasons_other": "a\x00b"}) == {
        "reasons": "Reasons: the details for 'Something else' must not contain NUL "
                   "characters; type it again"}
