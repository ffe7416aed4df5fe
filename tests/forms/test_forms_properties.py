"""Property tests: plugin data can never crash the parser, and cleaning is stable."""

from __future__ import annotations

import json
from datetime import date
from itertools import pairwise
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from practice_rx.errors import ValidationError
from practice_rx.forms import (
    FORM_ERROR_KEY,
    OTHER_CODE,
    Choice,
    FieldType,
    FormDefinition,
    FormDefinitionError,
    FormField,
    Section,
    ShowIf,
    clean_answers,
    form_from_dict,
)
from practice_rx.forms.model import CHOICE_TYPES, MAX_NUMBER, MULTI_CHOICE_TYPES
from practice_rx.forms.parse import MAX_VERSION

TODAY = date(2026, 11, 24)
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,  # nothing written into the repository
    suppress_health_check=[HealthCheck.too_slow],
)

# -- JSON-like junk --------------------------------------------------------------

WORDS = st.sampled_from(
    ["id", "version", "title", "sections", "key", "fields", "label", "type", "choices", "code",
     "show_if", "field", "equals", "required", "min_value", "max_value", "max_length",
     "not_future", "must_be_yes", "help", "description", "text", "yes_no", "coded_reason",
     "single_choice", "other", "a", "a_b"]
)  # fmt: skip
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | WORDS
JSON_LIKE = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(WORDS | st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=30,
)

# -- valid forms -----------------------------------------------------------------

KEYS = st.from_regex(r"[a-z][a-z0-9]{0,6}(_[a-z0-9]{1,4}){0,2}", fullmatch=True)  # never "_other"
LABELS = st.text(min_size=1, max_size=20).filter(str.strip)
NUMBERS = st.integers(-MAX_NUMBER, MAX_NUMBER) | st.floats(
    -float(MAX_NUMBER), float(MAX_NUMBER), allow_nan=False
)


@st.composite
def choices(draw: st.DrawFn) -> tuple[Choice, ...]:
    codes = draw(st.lists(KEYS | st.just(OTHER_CODE), min_size=1, max_size=5, unique=True))
    return tuple(Choice(code, draw(LABELS)) for code in codes)


@st.composite
def a_field(draw: st.DrawFn, key: str, earlier: list[FormField]) -> FormField:
    kind = draw(st.sampled_from(FieldType))
    required = draw(st.booleans())
    options: dict[str, Any] = {}
    if kind in CHOICE_TYPES:
        options["choices"] = draw(choices())
    if kind in (FieldType.TEXT, FieldType.LONG_TEXT, FieldType.CODED_REASON):
        options["max_length"] = draw(st.none() | st.integers(1, 50))
    if kind is FieldType.NUMBER:
        low, high = draw(st.none() | NUMBERS), draw(st.none() | NUMBERS)
        if low is not None and high is not None and low > high:
            low, high = high, low
        options.update(min_value=low, max_value=high)
    if kind is FieldType.DATE:
        options["not_future"] = draw(st.booleans())
    if kind is FieldType.YES_NO and required:
        options["must_be_yes"] = draw(st.booleans())
    targets = [field for field in earlier if field.type in CHOICE_TYPES | {FieldType.YES_NO}]
    depends = draw(st.booleans())
    if targets and depends:
        target = draw(st.sampled_from(targets))
        if target.type is FieldType.YES_NO:
            equals: str | bool = draw(st.booleans())
        else:
            equals = draw(st.sampled_from([choice.code for choice in target.choices]))
        options["show_if"] = ShowIf(target.key, equals)
    help_text = draw(st.sampled_from(["", "Some help."]))
    return FormField(key, draw(LABELS), kind, help=help_text, required=required, **options)


@st.composite
def forms(draw: st.DrawFn) -> FormDefinition:
    keys = draw(st.lists(KEYS, min_size=1, max_size=8, unique=True))
    fields: list[FormField] = []
    for key in keys:
        fields.append(draw(a_field(key, fields)))
    cuts = draw(st.sets(st.integers(1, len(fields) - 1), max_size=2)) if len(fields) > 1 else set()
    bounds = [0, *sorted(cuts), len(fields)]
    count = len(bounds) - 1
    section_keys = draw(st.lists(KEYS, min_size=count, max_size=count, unique=True))
    sections = tuple(
        Section(section_key, draw(LABELS), tuple(fields[start:end]))
        for section_key, (start, end) in zip(section_keys, pairwise(bounds), strict=True)
    )
    return FormDefinition(
        id=draw(KEYS),
        version=draw(st.integers(1, MAX_VERSION)),
        title=draw(LABELS),
        sections=sections,
        description=draw(st.sampled_from(["", "About this form."])),
    )


# -- answers -----------------------------------------------------------------------

JUNK = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6)
DATES = st.dates(max_value=TODAY).flatmap(
    lambda day: st.sampled_from(
        [
            day,
            day.isoformat(),
            f"{day.day}/{day.month}/{day.year:04d}",
            f" {day.day:02d}/{day.month:02d}/{day.year:04d} ",
        ]
    )
)


def value_for(field: FormField) -> st.SearchStrategy[object]:
    codes = [choice.code for choice in field.choices]
    text = st.text(max_size=min(field.max_length or 12, 12))
    number = st.floats(field.min_value, field.max_value, allow_nan=False, allow_infinity=False)
    plausible: dict[FieldType, st.SearchStrategy[object]] = {
        FieldType.TEXT: text,
        FieldType.LONG_TEXT: text,
        FieldType.NUMBER: number | number.map(str) | st.integers(-100, 100),
        FieldType.DATE: DATES,
        FieldType.YES_NO: st.booleans() | st.sampled_from(["yes", "no", " Yes ", "NO"]),
        FieldType.SINGLE_CHOICE: st.sampled_from(codes) if codes else JUNK,
        FieldType.MULTIPLE_CHOICE: st.lists(st.sampled_from(codes)) if codes else JUNK,
        FieldType.CODED_REASON: st.lists(st.sampled_from(codes)) if codes else JUNK,
    }
    junk = JUNK | st.lists(JUNK, max_size=2)
    # hypothesis leans towards 0, so 0 is the common case: a plausible value
    return st.integers(0, 5).flatmap(lambda roll: junk if roll == 5 else plausible[field.type])


@st.composite
def forms_with_answers(draw: st.DrawFn) -> tuple[FormDefinition, dict[str, object]]:
    form = draw(forms())
    answers: dict[str, object] = {}
    for field in form.fields():
        if draw(st.integers(0, 4)) < 4:  # mostly answered
            answers[field.key] = draw(value_for(field))
        if field.other_text_key and draw(st.booleans()):
            answers[field.other_text_key] = draw(st.text(max_size=8))
    if draw(st.integers(0, 9)) == 9:  # now and then an answer the form does not ask for
        answers[draw(st.text(max_size=6))] = draw(JUNK)
    return form, answers


# -- properties --------------------------------------------------------------------


@PROPERTY
@given(JSON_LIKE)
def test_any_json_like_data_gives_a_form_or_a_form_definition_error(data: Any) -> None:
    try:
        form_from_dict(data)
    except FormDefinitionError as error:
        assert error.problems


@PROPERTY
@given(forms(), st.data())
def test_a_valid_form_with_one_part_spoiled_never_crashes_the_parser(
    form: FormDefinition, data: st.DataObject
) -> None:
    raw = form.to_dict()
    node: Any = raw
    while True:  # walk down to a random place and put junk there
        keys = list(range(len(node))) if isinstance(node, list) else list(node)
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if not isinstance(child, (dict, list)) or not child or data.draw(st.booleans()):
            node[key] = data.draw(JSON_LIKE)
            break
        node = child
    try:
        form_from_dict(raw)
    except FormDefinitionError as error:
        assert error.problems


@PROPERTY
@given(forms())
def test_valid_forms_round_trip_through_json(form: FormDefinition) -> None:
    stored = json.loads(json.dumps(form.to_dict(), allow_nan=False))

    assert form_from_dict(stored) == form


@PROPERTY
@given(forms_with_answers(), st.booleans())
def test_cleaning_either_fails_per_field_or_is_idempotent(
    form_and_answers: tuple[FormDefinition, dict[str, object]], complete: bool
) -> None:
    form, answers = form_and_answers
    keys = {field.key for field in form.fields()}
    try:
        cleaned = clean_answers(form, answers, complete=complete, today=TODAY)
    except ValidationError as error:
        event("refused")
        assert error.errors and set(error.errors) <= keys | {FORM_ERROR_KEY}
        for key, message in error.errors.items():
            if key != FORM_ERROR_KEY:
                assert message.startswith(f"{form.field(key).label}: ")
        return
    event("accepted")
    other_keys = {field.other_text_key for field in form.fields() if field.other_text_key}
    assert set(cleaned) <= keys | other_keys
    assert json.loads(json.dumps(cleaned, allow_nan=False)) == cleaned
    assert clean_answers(form, cleaned, complete=complete, today=TODAY) == cleaned
    if complete:
        assert clean_answers(form, answers, complete=False, today=TODAY) == cleaned
    for field in form.fields():
        if field.type in MULTI_CHOICE_TYPES and field.key in cleaned:
            chosen = cleaned[field.key]
            assert isinstance(chosen, list)
            assert chosen == [choice.code for choice in field.choices if choice.code in chosen]
