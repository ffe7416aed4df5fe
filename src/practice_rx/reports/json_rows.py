"""JSON columns as rows, on both backends.

``referral.reasons`` is a JSON list and ``measure_result.scores`` a JSON object. SQLite
expands them with ``json_each``; PostgreSQL stores SQLAlchemy's ``JSON`` as ``json`` (not
``jsonb``) and expands it with ``json_array_elements_text`` / ``json_each_text``. Both
accept a function in FROM that names an earlier table's column, so no LATERAL is needed.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Float, TableValuedAlias, cast, func


def list_elements(column: ColumnElement, backend: str) -> TableValuedAlias:
    """One row per element of a JSON list of strings, as column ``value``."""
    if backend == "postgresql":
        return func.json_array_elements_text(column).table_valued("value")
    return func.json_each(column).table_valued("value")


def object_items(column: ColumnElement, backend: str) -> TableValuedAlias:
    """One row per key of a JSON object, as columns ``key`` and ``value`` (text on
    PostgreSQL; use :func:`as_number`)."""
    if backend == "postgresql":
        return func.json_each_text(column).table_valued("key", "value")
    return func.json_each(column).table_valued("key", "value")


def as_number(value: ColumnElement) -> ColumnElement[float]:
    return cast(value, Float)


def object_value(column: ColumnElement, key: ColumnElement, backend: str) -> ColumnElement:
    """The value under ``key`` of a JSON object (text on PostgreSQL; use :func:`as_number`)."""
    if backend == "postgresql":
        return func.json_extract_path_text(column, key)
    return func.json_extract(column, '$."' + key + '"')  # quoted: any key
