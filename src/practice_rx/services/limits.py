"""Text checked against the column it goes into, before the database sees it.

Lengths come from the models themselves, so a column made longer or shorter
in a migration changes the check with it.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import String

from practice_rx.domain.text import MAX_LONG_TEXT, text_problem
from practice_rx.storage.models import Base


def column_length(model: type[Base], key: str) -> int:
    """The declared length of ``model.key``; :data:`MAX_LONG_TEXT` for an unbounded column."""
    column_type = model.__table__.c[key].type
    length = column_type.length if isinstance(column_type, String) else None
    return length or MAX_LONG_TEXT


def text_errors(model: type[Base], values: Mapping[str, object],
                labels: Mapping[str, str]) -> dict[str, str]:
    """A message per field in ``labels`` whose value in ``values`` cannot be stored as text."""
    errors: dict[str, str] = {}
    for key, label in labels.items():
        if key not in values:
            continue
        problem = text_problem(values[key], column_length(model, key))
        if problem:
            errors[key] = f"{label}: {problem}"
    return errors
