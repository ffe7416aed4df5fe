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
    Section,
    clean_answers,
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
    seven = {f"k{n}": "x" for n in range(7)}
    assert _errors(form, seven)[FORM_ERROR_KEY] == (
        "These answers are not questions on this form: 'k0', 'k1', 'k2', 'k3', 'k4' and 2 more")
    assert _errors(form, {"x" * 50: 1, 7: 1})[FORM_ERROR_KEY] == (
        f"These answers are not questions on this form: '{'x' * 40}', int")
