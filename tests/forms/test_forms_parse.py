"""Form definitions from plugins: every mistake is reported with where it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from practice_rx.errors import PracticeRxError
from practice_rx.forms import (
    Choice,
    FieldType,
    FormDefinition,
    FormDefinitionError,
    FormField,
    Section,
    ShowIf,
    form_from_dict,
    load_form_file,
)


def valid() -> dict[str, Any]:
    return {
        "id": "test_form",
        "version": 2,
        "title": "Test form",
        "description": "A form for tests.",
        "sections": [
            {
                "key": "about",
                "title": "About",
                "help": "Some help.",
                "fields": [
                    {"key": "name", "label": "Name", "type": "text", "max_length": 50},
                    {
                        "key": "has_pet",
                        "label": "Has a pet",
                        "type": "yes_no",
                        "required": True,
                    },
                    {
                        "key": "pet_name",
                        "label": "Pet's name",
                        "type": "text",
                        "show_if": {"field": "has_pet", "equals": True},
                    },
                ],
            },
            {
                "key": "more",
                "title": "More",
                "fields": [
                    {
                        "key": "age",
                        "label": "Age",
                        "type": "number",
                        "min_value": 0,
                        "max_value": 130,
                    },
                    {"key": "seen_on", "label": "Seen on", "type": "date", "not_future": True},
                    {
                        "key": "colour",
                        "label": "Colour",
                        "type": "single_choice",
                        "choices": [
                            {"code": "red", "label": "Red"},
                            {"code": "blue", "label": "Blue"},
                        ],
                    },
                    {
                        "key": "why",
                        "label": "Why",
                        "type": "coded_reason",
                        "max_length": 100,
                        "choices": [
                            {"code": "bored", "label": "Bored"},
                            {"code": "other", "label": "Other"},
                        ],
                    },
                    {
                        "key": "why_bored",
                        "label": "Why bored",
                        "type": "long_text",
                        "show_if": {"field": "why", "equals": "bored"},
                    },
                ],
            },
        ],
    }


def test_a_valid_definition_builds_the_form() -> None:
    form = form_from_dict(valid())

    assert form.id == "test_form" and form.version == 2
    assert [field.key for field in form.fields()] == [
        "name", "has_pet", "pet_name", "age", "seen_on", "colour", "why", "why_bored",
    ]  # fmt: skip
    assert form.field("pet_name").show_if == ShowIf("has_pet", True)
    assert form.field("colour").choices == (Choice("red", "Red"), Choice("blue", "Blue"))
    assert form.field("why").type is FieldType.CODED_REASON
    assert form.field("why").other_text_key == "why_other"
    assert form.field("age").min_value == 0 and form.field("age").max_value == 130


def test_to_dict_is_json_and_reads_back_equal() -> None:
    form = form_from_dict(valid())

    stored = json.loads(json.dumps(form.to_dict()))

    assert FormDefinition.from_dict(stored) == form
    assert stored == valid()


def test_a_form_built_in_code_round_trips() -> None:
    form = FormDefinition(
        id="coded",
        version=1,
        title="Coded",
        sections=(
            Section(
                "only",
                "Only",
                (
                    FormField("ok", "OK", FieldType.YES_NO, required=True, must_be_yes=True),
                    FormField("when", "When", FieldType.DATE, show_if=ShowIf("ok", False)),
                    FormField("score", "Score", FieldType.NUMBER, min_value=0.5),
                ),
            ),
        ),
    )

    assert form_from_dict(form.to_dict()) == form


def test_field_lookup_names_the_form_when_missing() -> None:
    form = form_from_dict(valid())

    with pytest.raises(KeyError, match="no field 'nope'"):
        form.field("nope")


def test_the_error_is_a_practice_rx_error_listing_each_problem() -> None:
    data = valid()
    data["version"] = 0
    data["sections"][1]["fields"][0]["key"] = "Age"

    with pytest.raises(FormDefinitionError) as caught:
        form_from_dict(data, source="plugin 'leeds'")

    assert isinstance(caught.value, PracticeRxError)
    assert len(caught.value.problems) == 2
    assert "plugin 'leeds'" in str(caught.value)
    assert all(problem in str(caught.value) for problem in caught.value.problems)


_DELETE = object()


def _change(data: dict[str, Any], path: str, value: object) -> None:
    """Set (or delete) one place in a definition, e.g. ``sections.0.fields.1.type``."""
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    key: int | str = int(last) if last.isdigit() else last
    if value is _DELETE:
        del target[key]
    else:
        target[key] = value


F0 = "sections.0.fields"
F1 = "sections.1.fields"
P0 = "sections[0].fields"
P1 = "sections[1].fields"
ALL_TYPES = "text, long_text, number, date, yes_no, single_choice, multiple_choice, coded_reason"
YES_NO_MUST = {"key": "has_pet", "label": "Has a pet", "type": "yes_no", "must_be_yes": True}

BROKEN = [
    pytest.param("id", _DELETE, "form: 'id' is required", id="missing id"),
    pytest.param("id", "Test-Form", "form: 'id' must be snake_case", id="id not snake"),
    pytest.param("id", "a" * 65, "form: 'id' must be snake_case", id="key too long"),
    pytest.param("version", 0, "form: 'version' must be a whole number from 1", id="version 0"),
    pytest.param("version", True, "form: 'version' must be a whole number", id="version bool"),
    pytest.param("version", "1", "form: 'version' must be a whole number", id="version text"),
    pytest.param("version", 1.0, "form: 'version' must be a whole number", id="version float"),
    pytest.param("title", "  ", "form: 'title' must not be empty", id="title empty"),
    pytest.param("title", 3, "form: 'title' must be text, not 3", id="title number"),
    pytest.param("title", "x" * 201, "form: 'title' must be 200 characters", id="title long"),
    pytest.param("author", "me", "form: unknown key 'author' (allowed: id, ", id="unknown key"),
    pytest.param("sections", [], "form: 'sections' must not be empty", id="no sections"),
    pytest.param("sections", {}, "form: 'sections' must be a list", id="sections mapping"),
    pytest.param("sections.0", "x", "sections[0]: a section must be a mapping", id="section str"),
    pytest.param(
        "sections.1.key",
        "about",
        "sections[1]: section key 'about' is already used by sections[0]",
        id="section key repeated",
    ),
    pytest.param(F0, _DELETE, "sections[0]: 'fields' is required", id="section no fields"),
    pytest.param("sections.0.colour", 1, "sections[0]: unknown key 'colour'", id="section key"),
    pytest.param(F1 + ".0", ["x"], f"{P1}[0]: a field must be a mapping, not a list", id="field"),
    pytest.param(F1 + ".0.key", "Age", f"{P1}[0]: 'key' must be snake_case", id="key case"),
    pytest.param(F1 + ".0.key", "a__b", f"{P1}[0]: 'key' must be snake_case", id="key __"),
    pytest.param(
        F1 + ".0.key",
        "name",
        f"{P1}[0]: field key 'name' is already used by {P0}[0]",
        id="field key repeated across sections",
    ),
    pytest.param(F1 + ".0.label", _DELETE, f"{P1}[0]: 'label' is required", id="no label"),
    pytest.param(
        F1 + ".0.type",
        "slider",
        f"{P1}[0]: 'type' 'slider' is not known; use one of: {ALL_TYPES}",
        id="unknown type",
    ),
    pytest.param(F1 + ".0.type", _DELETE, f"{P1}[0]: 'type' is required", id="no type"),
    pytest.param(F1 + ".0.hint", "x", f"{P1}[0]: unknown key 'hint'", id="field unknown key"),
    pytest.param(
        F1 + ".0.required", "yes", f"{P1}[0]: 'required' must be true or false", id="required"
    ),
    pytest.param(
        F1 + ".0.min_value",
        200,
        f"{P1}[0]: 'min_value' (200) must not be more than 'max_value' (130)",
        id="min above max",
    ),
    pytest.param(F1 + ".0.min_value", "0", f"{P1}[0]: 'min_value' must be a number", id="min"),
    pytest.param(
        F1 + ".0.max_value", float("inf"), f"{P1}[0]: 'max_value' must be between", id="max inf"
    ),
    pytest.param(
        F1 + ".1.max_length",
        10,
        f"{P1}[1]: 'max_length' does not apply to a date field",
        id="option of another type",
    ),
    pytest.param(
        F0 + ".0.max_length",
        0,
        f"{P0}[0]: 'max_length' must be a whole number of 1 or more",
        id="max_length zero",
    ),
    pytest.param(
        F1 + ".1.not_future", 1, f"{P1}[1]: 'not_future' must be true or false", id="not_future"
    ),
    pytest.param(F1 + ".2.choices", _DELETE, f"{P1}[2]: 'choices' is required", id="no choices"),
    pytest.param(F1 + ".2.choices", [], f"{P1}[2]: 'choices' must not be empty", id="choices []"),
    pytest.param(
        F0 + ".0.choices",
        [{"code": "a", "label": "A"}],
        f"{P0}[0]: 'choices' does not apply to a text field",
        id="choices on text",
    ),
    pytest.param(
        F1 + ".2.choices.1.code",
        "red",
        f"{P1}[2].choices[1]: code 'red' is already used by {P1}[2].choices[0]",
        id="choice code repeated",
    ),
    pytest.param(
        F1 + ".2.choices.0.code", "Red", f"{P1}[2].choices[0]: 'code' must be snake_case", id="code"
    ),
    pytest.param(
        F1 + ".2.choices.0.label", "", f"{P1}[2].choices[0]: 'label' must not be empty", id="label"
    ),
    pytest.param(
        F1 + ".2.choices.0", "red", f"{P1}[2].choices[0]: a choice must be a mapping", id="choice"
    ),
    pytest.param(
        F1 + ".2.choices.0.colour", 1, f"{P1}[2].choices[0]: unknown key 'colour'", id="choice key"
    ),
    pytest.param(
        F0 + ".2.show_if.field",
        "age",
        f"{P0}[2].show_if: 'field' must name a field earlier in the form; 'age' is not one",
        id="show_if on a later field",
    ),
    pytest.param(
        F0 + ".2.show_if.field",
        "pet_name",
        f"{P0}[2].show_if: 'field' must name a field earlier in the form; 'pet_name' is not one",
        id="show_if on itself",
    ),
    pytest.param(
        F0 + ".2.show_if.field",
        "nothing",
        f"{P0}[2].show_if: 'field' must name a field earlier in the form; 'nothing' is not one",
        id="show_if on no field",
    ),
    pytest.param(
        F0 + ".2.show_if.equals",
        "yes",
        f"{P0}[2].show_if: 'equals' must be true or false, as 'has_pet' is a yes_no field",
        id="show_if yes_no with text",
    ),
    pytest.param(
        F1 + ".4.show_if.equals",
        "tired",
        f"{P1}[4].show_if: 'equals' 'tired' must be one of the codes of 'why': bored, other",
        id="show_if with an unknown code",
    ),
    pytest.param(
        F0 + ".2.show_if.field",
        "name",
        f"{P0}[2].show_if: 'name' is a text field; show_if can only depend on",
        id="show_if on a text field",
    ),
    pytest.param(
        F0 + ".2.show_if.equals",
        _DELETE,
        f"{P0}[2].show_if: 'equals' is required",
        id="show_if without equals",
    ),
    pytest.param(
        F0 + ".2.show_if", "has_pet", f"{P0}[2].show_if: must be a mapping", id="show_if str"
    ),
    pytest.param(
        F0 + ".2.show_if.not", True, f"{P0}[2].show_if: unknown key 'not'", id="show_if key"
    ),
    pytest.param(
        F0 + ".1",
        YES_NO_MUST,
        f"{P0}[1]: 'must_be_yes' needs 'required: true'",
        id="must_be_yes without required",
    ),
    pytest.param(
        F1 + ".4.key",
        "why_other",
        f"{P1}[4]: field key 'why_other' is kept for the 'other' text of 'why'",
        id="field key clashes with other text",
    ),
]


@pytest.mark.parametrize(("path", "value", "expected"), BROKEN)
def test_each_mistake_is_reported_with_its_path(path: str, value: object, expected: str) -> None:
    data = valid()
    _change(data, path, value)

    with pytest.raises(FormDefinitionError) as caught:
        form_from_dict(data)

    problems = caught.value.problems
    assert any(problem.startswith(expected) for problem in problems), problems


@pytest.mark.parametrize("data", [None, [], "form", 3, {"id": "x"}])
def test_not_a_form_at_all_is_reported(data: object) -> None:
    with pytest.raises(FormDefinitionError, match="form: "):
        form_from_dict(data)  # type: ignore[arg-type]


def test_several_problems_are_all_listed_in_order() -> None:
    data = valid()
    del data["title"]
    data["sections"][0]["fields"][0]["type"] = "texts"
    data["sections"][1]["fields"][2]["choices"] = []

    with pytest.raises(FormDefinitionError) as caught:
        form_from_dict(data)

    assert [problem.split(":")[0] for problem in caught.value.problems] == [
        "form",
        "sections[0].fields[0]",
        "sections[1].fields[2]",
    ]


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_load_form_file_reads_json_and_yaml(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"form{suffix}"
    path.write_text(json.dumps(valid()), encoding="utf-8")  # JSON is valid YAML too

    assert load_form_file(path) == form_from_dict(valid())
    assert load_form_file(str(path)) == form_from_dict(valid())


def test_load_form_file_names_the_file_in_every_error(tmp_path: Path) -> None:
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("id: [unclosed\n", encoding="utf-8")
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{", encoding="utf-8")
    wrong = tmp_path / "form.toml"
    wrong.write_text("", encoding="utf-8")
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("id: x\n", encoding="utf-8")

    for path, expected in [
        (bad_yaml, "is not valid YAML"),
        (bad_json, "is not valid JSON"),
        (wrong, "must end in .json, .yaml or .yml"),
        (tmp_path / "missing.json", "cannot be read"),
        (invalid, "'version' is required"),
    ]:
        with pytest.raises(FormDefinitionError) as caught:
            load_form_file(path)
        assert str(path) in str(caught.value)
        assert expected in str(caught.value)
