"""Declarative referral forms: forms are data that plugins supply and any UI can render.

A stored referral keeps its form's id, version and ``to_dict()`` definition, so
it stays readable after a plugin ships a new version of the form.
"""

from __future__ import annotations

from practice_rx.forms.answers import FORM_ERROR_KEY, clean_answers, is_visible
from practice_rx.forms.categories import SERVICE_CATEGORIES, SERVICE_CATEGORY_LABELS
from practice_rx.forms.errors import FormDefinitionError
from practice_rx.forms.model import (
    OTHER_CODE,
    Choice,
    FieldType,
    FormDefinition,
    FormField,
    Section,
    ShowIf,
)
from practice_rx.forms.parse import form_from_dict, load_form_file
from practice_rx.forms.reasons import REFERRAL_REASON_LABELS, REFERRAL_REASONS

__all__ = [
    "FORM_ERROR_KEY",
    "OTHER_CODE",
    "REFERRAL_REASONS",
    "REFERRAL_REASON_LABELS",
    "SERVICE_CATEGORIES",
    "SERVICE_CATEGORY_LABELS",
    "Choice",
    "FieldType",
    "FormDefinition",
    "FormDefinitionError",
    "FormField",
    "Section",
    "ShowIf",
    "clean_answers",
    "form_from_dict",
    "is_visible",
    "load_form_file",
]
