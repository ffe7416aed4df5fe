"""Reading a plugin's service catalogue from a CSV, JSON or YAML file.

Each row becomes a :class:`ServiceDetails`; a bad row is reported with its
number and field and skipped, so one typo does not hide a whole catalogue.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from importlib.resources.abc import Traversable
from os import PathLike
from pathlib import Path
from typing import Any

import yaml

from practice_rx.errors import ValidationError
from practice_rx.services.catalogue import ServiceDetails

_FIELDS = {field.name: field for field in fields(ServiceDetails)}


@dataclass(frozen=True)
class CatalogueFile:
    """What a catalogue file held: the good rows, and a message for each bad or repeated one
    (pass them to ``report.each`` so the practice sees them)."""

    services: list[ServiceDetails]
    problems: list[str]


def service_from_row(row: Any, where: str) -> ServiceDetails:
    """One service from a mapping, or a ValidationError naming ``where`` and the field."""
    if not isinstance(row, dict):
        raise ValidationError.single("row", f"{where}: expected a mapping of field to value")
    unknown = sorted(str(key) for key in row if key not in _FIELDS)
    if unknown:
        raise ValidationError.single(
            "row", f"{where}: unknown field(s) {', '.join(unknown)}; expected some of "
            f"{', '.join(_FIELDS)}")
    values: dict[str, Any] = {}
    for key, raw in row.items():
        if key == "response_days":
            values[key] = _days(raw, where)
        elif key == "last_modified":
            values[key] = _moment(raw, where)
        elif key == "is_link_worker":
            values[key] = str(raw).strip().lower() in ("1", "true", "yes")
        else:
            values[key] = "" if raw is None else str(raw).strip()
    for required in ("external_id", "name", "category"):
        values.setdefault(required, "")
    details = ServiceDetails(**values)
    try:
        details.check()
    except ValidationError as error:
        raise ValidationError({key: f"{where}: {message}" for key, message in
                               error.errors.items()}) from error
    return details


def _days(raw: Any, where: str) -> int | None:
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a YAML .inf
        raise ValidationError.single(
            "response_days", f"{where}: Response window: enter a whole number of working days"
        ) from None


def utc_moment(raw: Any) -> datetime | None:
    """An ISO 8601 date and time as naive UTC (as the database keeps times); a time without
    a zone is taken as UTC. None for an empty value; ValueError (TypeError) otherwise."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, date):
        moment = datetime(raw.year, raw.month, raw.day)
    elif isinstance(raw, str):
        moment = datetime.fromisoformat(raw.strip())
    else:
        raise TypeError(f"expected a date and time, not {type(raw).__name__}")
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _moment(raw: Any, where: str) -> datetime | None:
    try:
        return utc_moment(raw)
    except (TypeError, ValueError):
        raise ValidationError.single(
            "last_modified", f"{where}: Last modified: enter an ISO 8601 date and time, "
            "such as 2026-11-24T09:30:00Z") from None


def load_catalogue_file(path: str | PathLike[str] | Traversable) -> CatalogueFile:
    """Every good row of a catalogue file, and a message for each bad one.

    Raises :class:`~practice_rx.errors.ValidationError` (field ``file``) when the file
    cannot be read at all: an unknown extension, or text that is not CSV, JSON or YAML.
    """
    source = path if isinstance(path, Traversable) else Path(path)
    text = source.read_text(encoding="utf-8")
    name = source.name
    try:
        if name.endswith(".csv"):
            rows: Any = list(csv.DictReader(io.StringIO(text)))
        elif name.endswith(".json"):
            rows = json.loads(text)
        elif name.endswith((".yaml", ".yml")):
            rows = yaml.safe_load(text)
        else:
            raise ValidationError.single("file", f"{name}: use a .csv, .json or .yaml file")
    except (json.JSONDecodeError, yaml.YAMLError, csv.Error) as error:
        raise ValidationError.single("file", f"{name}: cannot be read ({error})") from error
    if isinstance(rows, dict) and "services" in rows:
        rows = rows["services"]
    if not isinstance(rows, list):
        raise ValidationError.single("file", f"{name}: expected a list of services")
    services, problems = [], []
    for number, row in enumerate(rows, start=1):
        try:
            services.append((f"row {number}", service_from_row(row, f"{name} row {number}")))
        except ValidationError as error:
            problems.extend(error.errors.values())
    kept, repeats = first_of_each_id(services)
    return CatalogueFile(kept, problems + [f"{name} {message}" for message in repeats])


def first_of_each_id(
    services: Iterable[tuple[str, ServiceDetails]],
) -> tuple[list[ServiceDetails], list[str]]:
    """The first service for each external id, and a message for each repeat.

    Services are matched by (plugin, external_id), so a repeat would break the
    sync (and the application's start); keeping the first is predictable.
    """
    first_seen: dict[str, str] = {}
    kept, problems = [], []
    for where, details in services:
        seen = first_seen.setdefault(details.external_id, where)
        if seen == where:
            kept.append(details)
        else:
            problems.append(f"{where}: Service id: '{details.external_id}' is already used by "
                            f"{seen}; the first is kept")
    return kept, problems
