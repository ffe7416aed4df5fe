"""A referral form as plain, immutable data.

Plugins supply forms as data so the UI can render any of them generically and a
stored referral can keep the exact definition it was written against. Build a
form from untrusted data with :func:`practice_rx.forms.parse.form_from_dict`;
the constructors here trust their caller.

Conventions:

* ``coded_reason`` is a multiple choice of coded reasons. Choosing the code
  :data:`OTHER_CODE` asks for a short text, kept in the answers under the
  field's :attr:`FormField.other_text_key` (``<key>_other``), so answers stay a
  flat mapping that exports and ``show_if`` can read. ``max_length`` of a
  ``coded_reason`` field limits that text.
* ``show_if`` on a ``multiple_choice`` or ``coded_reason`` target means
  "the answer contains this code".
* ``must_be_yes`` on a required ``yes_no`` field (consent) means a complete
  answer set must say yes; a draft may still say no.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

OTHER_CODE = "other"
MAX_NUMBER = 10**15  # numbers beyond this are typing errors here, and lose precision as floats


class FieldType(StrEnum):
    """The kinds of question a form can ask; stored by value in form definitions."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    CODED_REASON = "coded_reason"


TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.LONG_TEXT})
MULTI_CHOICE_TYPES = frozenset({FieldType.MULTIPLE_CHOICE, FieldType.CODED_REASON})
CHOICE_TYPES = MULTI_CHOICE_TYPES | {FieldType.SINGLE_CHOICE}


@dataclass(frozen=True)
class Choice:
    """One option of a choice field: a stable stored code and the label people see."""

    code: str
    label: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "label": self.label}


@dataclass(frozen=True)
class ShowIf:
    """Show a field only when an earlier field has this value (a multiple choice: contains it)."""

    field: str
    equals: str | bool

    def to_dict(self) -> dict[str, str | bool]:
        return {"field": self.field, "equals": self.equals}


@dataclass(frozen=True)
class FormField:
    """One question; options that do not apply to its type stay at their defaults."""

    key: str
    label: str
    type: FieldType
    help: str = ""
    required: bool = False
    choices: tuple[Choice, ...] = ()
    min_value: int | float | None = None
    max_value: int | float | None = None
    max_length: int | None = None
    not_future: bool = False
    must_be_yes: bool = False
    show_if: ShowIf | None = None

    @property
    def other_text_key(self) -> str | None:
        """Answer key of the text that goes with the ``other`` code (``coded_reason`` only)."""
        return f"{self.key}_other" if self.type is FieldType.CODED_REASON else None

    def choice_label(self, code: str) -> str:
        """The label of a code; the code itself if unknown, so old data still shows."""
        return next((choice.label for choice in self.choices if choice.code == code), code)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form; options at their defaults are left out to keep it short."""
        data: dict[str, Any] = {"key": self.key, "label": self.label, "type": self.type.value}
        if self.help:
            data["help"] = self.help
        if self.required:
            data["required"] = True
        if self.choices:
            data["choices"] = [choice.to_dict() for choice in self.choices]
        for name in ("min_value", "max_value", "max_length"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.not_future:
            data["not_future"] = True
        if self.must_be_yes:
            data["must_be_yes"] = True
        if self.show_if is not None:
            data["show_if"] = self.show_if.to_dict()
        return data


@dataclass(frozen=True)
class Section:
    """A titled group of fields, shown together."""

    key: str
    title: str
    fields: tuple[FormField, ...]
    help: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "title": self.title}
        if self.help:
            data["help"] = self.help
        data["fields"] = [field.to_dict() for field in self.fields]
        return data


@dataclass(frozen=True)
class FormDefinition:
    """A versioned form; ``id`` + ``version`` name one exact definition for ever."""

    id: str
    version: int
    title: str
    sections: tuple[Section, ...]
    description: str = ""

    def fields(self) -> Iterator[FormField]:
        """Every field, in the order the form shows them."""
        for section in self.sections:
            yield from section.fields

    def field(self, key: str) -> FormField:
        """The field with this key; ``KeyError`` if the form has none."""
        for candidate in self.fields():
            if candidate.key == key:
                return candidate
        raise KeyError(f"Form '{self.id}' version {self.version} has no field '{key}'")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, the one stored beside a referral and read back by :meth:`from_dict`."""
        data: dict[str, Any] = {"id": self.id, "version": self.version, "title": self.title}
        if self.description:
            data["description"] = self.description
        data["sections"] = [section.to_dict() for section in self.sections]
        return data

    @classmethod
    def from_dict(cls, data: Any) -> FormDefinition:
        """Read a definition back, checking it as untrusted data (see ``form_from_dict``)."""
        from practice_rx.forms.parse import form_from_dict

        return form_from_dict(data)
