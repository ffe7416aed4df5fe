"""Reading form definitions from untrusted data (plugins, JSON or YAML files).

Every problem is collected with its path, so a plugin author sees them all at
once; nothing but :class:`FormDefinitionError` ever escapes, whatever the input.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from importlib.resources.abc import Traversable
from pathlib import Path, PurePath
from typing import Any

import yaml

from practice_rx.forms.errors import FormDefinitionError
from practice_rx.forms.model import (
    CHOICE_TYPES,
    MAX_NUMBER,
    Choice,
    FieldType,
    FormDefinition,
    FormField,
    Section,
    ShowIf,
)

_SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
MAX_KEY_LENGTH = 64  # keys become stored answer keys and export column names
MAX_TITLE_LENGTH = 200  # the stored form title column
MAX_VERSION = 2**31 - 1  # a 32-bit database integer

_FORM_KEYS = ("id", "version", "title", "description", "sections")
_SECTION_KEYS = ("key", "title", "help", "fields")
_COMMON_FIELD_KEYS = ("key", "label", "type", "help", "required", "show_if")
_OPTIONS_BY_TYPE: dict[FieldType, tuple[str, ...]] = {
    FieldType.TEXT: ("max_length",),
    FieldType.LONG_TEXT: ("max_length",),
    FieldType.NUMBER: ("min_value", "max_value"),
    FieldType.DATE: ("not_future",),
    FieldType.YES_NO: ("must_be_yes",),
    FieldType.SINGLE_CHOICE: ("choices",),
    FieldType.MULTIPLE_CHOICE: ("choices",),
    FieldType.CODED_REASON: ("choices", "max_length"),
}
_ALL_OPTIONS = ("choices", "min_value", "max_value", "max_length", "not_future", "must_be_yes")
_FIELD_KEYS = _COMMON_FIELD_KEYS + _ALL_OPTIONS
_TYPE_VALUES = frozenset(kind.value for kind in FieldType)
_TYPE_NAMES = ", ".join(kind.value for kind in FieldType)
_MISSING = object()


def form_from_dict(data: Mapping[str, Any], *, source: str = "") -> FormDefinition:
    """Check untrusted data and build the form; ``FormDefinitionError`` lists every problem."""
    reader = _Reader()
    form = reader.form(data)
    if form is None:  # only ever after a problem was recorded
        raise FormDefinitionError(reader.problems, source)
    return form


def load_form_file(path: str | os.PathLike[str] | Traversable) -> FormDefinition:
    """Read a form from a ``.json``, ``.yaml`` or ``.yml`` file or package resource."""
    resource: Traversable = Path(path) if isinstance(path, (str, os.PathLike)) else path
    source = str(path)
    suffix = PurePath(resource.name).suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise FormDefinitionError(
            [f"file: must end in .json, .yaml or .yml, not '{suffix}'"], source
        )
    try:
        text = resource.read_text(encoding="utf-8")
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as error:
        raise FormDefinitionError([f"file: cannot be read ({error})"], source) from error
    except (ValueError, yaml.YAMLError, RecursionError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        problem = f"file: is not valid {suffix[1:].upper()} ({reason})"
        raise FormDefinitionError([problem], source) from error
    return form_from_dict(data, source=source)


def _describe(value: object) -> str:
    """A short, safe description of an untrusted value for a message."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "empty"}[value]
    if isinstance(value, int):
        return str(value) if abs(value) < 10**15 else "a very large number"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a value of type {type(value).__name__}"


class _Reader:
    """Walks one definition, building what it can and recording each problem with its path."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.field_paths: dict[str, str] = {}  # every field key seen so far -> its path
        self.built: dict[str, FormField] = {}  # fields that were valid, in form order

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    # -- structure -----------------------------------------------------------

    def form(self, data: object) -> FormDefinition | None:
        path = "form"
        if not isinstance(data, Mapping):
            self.problem(path, f"must be a mapping of keys to values, not {_describe(data)}")
            return None
        self.unknown_keys(data, _FORM_KEYS, path)
        form_id = self.snake(data, "id", path)
        version = self.version(data, path)
        title = self.text(data, "title", path, max_length=MAX_TITLE_LENGTH)
        description = self.text(data, "description", path, required=False)
        sections = []
        section_paths: dict[str, str] = {}
        for index, raw in self.items(data, "sections", path):
            section = self.section(raw, f"sections[{index}]", section_paths)
            if section is not None:
                sections.append(section)
        self.check_other_text_keys()
        if self.problems or form_id is None or version is None or title is None:
            return None
        return FormDefinition(form_id, version, title, tuple(sections), description or "")

    def section(self, data: object, path: str, seen: dict[str, str]) -> Section | None:
        if not isinstance(data, Mapping):
            self.problem(path, f"a section must be a mapping, not {_describe(data)}")
            return None
        self.unknown_keys(data, _SECTION_KEYS, path)
        key = self.snake(data, "key", path)
        if key is not None:
            if key in seen:
                self.problem(path, f"section key '{key}' is already used by {seen[key]}")
            seen.setdefault(key, path)
        title = self.text(data, "title", path)
        help_text = self.text(data, "help", path, required=False)
        fields = []
        for index, raw in self.items(data, "fields", path):
            field = self.field(raw, f"{path}.fields[{index}]")
            if field is not None:
                fields.append(field)
        if key is None or title is None:
            return None
        return Section(key, title, tuple(fields), help_text or "")

    def field(self, data: object, path: str) -> FormField | None:
        if not isinstance(data, Mapping):
            self.problem(path, f"a field must be a mapping, not {_describe(data)}")
            return None
        self.unknown_keys(data, _FIELD_KEYS, path)
        show_if = self.show_if(data, path)  # before this key is known, so it cannot name itself
        key = self.snake(data, "key", path)
        if key is not None:
            if key in self.field_paths:
                self.problem(path, f"field key '{key}' is already used by {self.field_paths[key]}")
            self.field_paths.setdefault(key, path)
        label = self.text(data, "label", path)
        kind = self.field_type(data, path)
        help_text = self.text(data, "help", path, required=False)
        required = self.flag(data, "required", path)
        if kind is None:
            return None
        allowed = _OPTIONS_BY_TYPE[kind]
        for option in _ALL_OPTIONS:
            if option in data and option not in allowed:
                self.problem(path, f"'{option}' does not apply to a {kind.value} field")
        choices = self.choices(data, path) if kind in CHOICE_TYPES else ()
        min_value = self.number(data, "min_value", path) if "min_value" in allowed else None
        max_value = self.number(data, "max_value", path) if "max_value" in allowed else None
        if min_value is not None and max_value is not None and min_value > max_value:
            self.problem(
                path,
                f"'min_value' ({_describe(min_value)}) must not be more than "
                f"'max_value' ({_describe(max_value)})",
            )
        max_length = self.max_length(data, path) if "max_length" in allowed else None
        not_future = self.flag(data, "not_future", path) if "not_future" in allowed else False
        must_be_yes = self.flag(data, "must_be_yes", path) if "must_be_yes" in allowed else False
        if must_be_yes and not required:
            self.problem(path, "'must_be_yes' needs 'required: true'")
        if key is None or label is None or choices is None:
            return None
        field = FormField(
            key=key,
            label=label,
            type=kind,
            help=help_text or "",
            required=required,
            choices=choices,
            min_value=min_value,
            max_value=max_value,
            max_length=max_length,
            not_future=not_future,
            must_be_yes=must_be_yes,
            show_if=show_if,
        )
        self.built.setdefault(key, field)
        return field

    def check_other_text_keys(self) -> None:
        """A coded reason's ``<key>_other`` answer must not clash with a field key."""
        for field in self.built.values():
            other = field.other_text_key
            if other is not None and other in self.field_paths:
                self.problem(
                    self.field_paths[other],
                    f"field key '{other}' is kept for the 'other' text of '{field.key}'",
                )

    # -- options -------------------------------------------------------------

    def field_type(self, data: Mapping[Any, Any], path: str) -> FieldType | None:
        value = data.get("type", _MISSING)
        if value is _MISSING:
            self.problem(path, f"'type' is required (one of: {_TYPE_NAMES})")
            return None
        if not isinstance(value, str):
            self.problem(path, f"'type' must be one of: {_TYPE_NAMES}; not {_describe(value)}")
        elif value not in _TYPE_VALUES:
            self.problem(path, f"'type' {_describe(value)} is not known; use one of: {_TYPE_NAMES}")
        else:
            return FieldType(value)
        return None

    def choices(self, data: Mapping[Any, Any], path: str) -> tuple[Choice, ...] | None:
        items = self.items(data, "choices", path)
        if not items:
            return None
        choices: list[Choice] = []
        seen: dict[str, str] = {}
        for index, raw in items:
            item_path = f"{path}.choices[{index}]"
            if not isinstance(raw, Mapping):
                self.problem(item_path, f"a choice must be a mapping, not {_describe(raw)}")
                continue
            self.unknown_keys(raw, ("code", "label"), item_path)
            code = self.snake(raw, "code", item_path)
            label = self.text(raw, "label", item_path)
            if code is not None and code in seen:
                self.problem(item_path, f"code '{code}' is already used by {seen[code]}")
                continue
            if code is not None:
                seen[code] = item_path
            if code is not None and label is not None:
                choices.append(Choice(code, label))
        return tuple(choices) if len(choices) == len(items) else None

    def show_if(self, data: Mapping[Any, Any], path: str) -> ShowIf | None:
        raw = data.get("show_if")
        if raw is None:
            return None
        path = f"{path}.show_if"
        if not isinstance(raw, Mapping):
            self.problem(path, f"must be a mapping with 'field' and 'equals', not {_describe(raw)}")
            return None
        self.unknown_keys(raw, ("field", "equals"), path)
        target_key = self.snake(raw, "field", path)
        equals = raw.get("equals", _MISSING)
        if equals is _MISSING:
            self.problem(path, "'equals' is required")
        if target_key is None or equals is _MISSING:
            return None
        if target_key not in self.field_paths:
            self.problem(
                path, f"'field' must name a field earlier in the form; '{target_key}' is not one"
            )
            return None
        target = self.built.get(target_key)
        if target is None:  # the target has problems of its own, already reported
            return None
        if target.type is FieldType.YES_NO:
            if not isinstance(equals, bool):
                self.problem(
                    path, f"'equals' must be true or false, as '{target_key}' is a yes_no field"
                )
                return None
        elif target.type in CHOICE_TYPES:
            codes = [choice.code for choice in target.choices]
            if not isinstance(equals, str) or equals not in codes:
                self.problem(
                    path,
                    f"'equals' {_describe(equals)} must be one of the codes of "
                    f"'{target_key}': {', '.join(codes)}",
                )
                return None
        else:
            self.problem(
                path,
                f"'{target_key}' is a {target.type.value} field; show_if can only depend on "
                "a yes_no, single_choice, multiple_choice or coded_reason field",
            )
            return None
        return ShowIf(target_key, equals)

    # -- primitive values ----------------------------------------------------

    def unknown_keys(self, data: Mapping[Any, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in data:
            if key not in allowed:
                self.problem(path, f"unknown key {_describe(key)} (allowed: {', '.join(allowed)})")

    def items(self, data: Mapping[Any, Any], name: str, path: str) -> list[tuple[int, Any]]:
        """The entries of a required, non-empty list."""
        value = data.get(name, _MISSING)
        if value is _MISSING:
            self.problem(path, f"'{name}' is required")
        elif not isinstance(value, (list, tuple)):
            self.problem(path, f"'{name}' must be a list, not {_describe(value)}")
        elif not value:
            self.problem(path, f"'{name}' must not be empty")
        else:
            return list(enumerate(value))
        return []

    def text(
        self,
        data: Mapping[Any, Any],
        name: str,
        path: str,
        *,
        required: bool = True,
        max_length: int | None = None,
    ) -> str | None:
        value = data.get(name, _MISSING)
        if value is _MISSING:
            if required:
                self.problem(path, f"'{name}' is required")
                return None
            return ""
        if not isinstance(value, str):
            self.problem(path, f"'{name}' must be text, not {_describe(value)}")
            return None
        if required and not value.strip():
            self.problem(path, f"'{name}' must not be empty")
            return None
        if max_length is not None and len(value) > max_length:
            self.problem(path, f"'{name}' must be {max_length} characters or fewer")
            return None
        return value

    def snake(self, data: Mapping[Any, Any], name: str, path: str) -> str | None:
        value = self.text(data, name, path)
        if value is None:
            return None
        if not _SNAKE_CASE.fullmatch(value) or len(value) > MAX_KEY_LENGTH:
            self.problem(
                path,
                f"'{name}' must be snake_case (lower-case letters, digits and single "
                f"underscores, starting with a letter, at most {MAX_KEY_LENGTH} characters), "
                f"not {_describe(value)}",
            )
            return None
        return value

    def flag(self, data: Mapping[Any, Any], name: str, path: str) -> bool:
        value = data.get(name, False)
        if not isinstance(value, bool):
            self.problem(path, f"'{name}' must be true or false, not {_describe(value)}")
            return False
        return value

    def number(self, data: Mapping[Any, Any], name: str, path: str) -> int | float | None:
        value = data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(path, f"'{name}' must be a number, not {_describe(value)}")
            return None
        if not abs(value) <= MAX_NUMBER:  # also refuses nan and inf
            self.problem(
                path,
                f"'{name}' must be between -{MAX_NUMBER:,} and {MAX_NUMBER:,}, "
                f"not {_describe(value)}",
            )
            return None
        return value

    def max_length(self, data: Mapping[Any, Any], path: str) -> int | None:
        value = data.get("max_length")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.problem(
                path, f"'max_length' must be a whole number of 1 or more, not {_describe(value)}"
            )
            return None
        return value

    def version(self, data: Mapping[Any, Any], path: str) -> int | None:
        value = data.get("version", _MISSING)
        if value is _MISSING:
            self.problem(path, "'version' is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VERSION:
            self.problem(
                path,
                f"'version' must be a whole number from 1 to {MAX_VERSION}, not {_describe(value)}",
            )
            return None
        return value
