"""Reading outcome measures from untrusted data (plugins, JSON or YAML), every problem at once.

The shape mirrors a referral form's, so an area writes both the same way::

    id: swemwbs            # snake_case, kept with every score
    version: 1
    title: Short Warwick-Edinburgh Mental Wellbeing Scale
    method: sum            # or each
    scales:
      five_point: [{value: 1, label: None of the time}, ...]
      # or a numeric range: {from: 0, to: 10, labels: {0: Not at all, 10: Completely}}
    items: [{key: optimistic, text: ..., scale: five_point}, ...]
    conversion: {7: 7.00, 8: 9.51, ...}   # sum only: every raw total to its metric score

Numbers used as keys (range labels, conversion totals) may be written as text, as
JSON must ("7": 7.00); :meth:`MeasureDefinition.to_dict` writes them so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from practice_rx.measures.model import (
    MeasureDefinition,
    MeasureDefinitionError,
    MeasureItem,
    Scale,
    ScaleOption,
    ScoreMethod,
)

_SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_KEYS = ("id", "version", "title", "source", "method", "higher_is_better", "scales", "items",
         "conversion")
_ITEM_KEYS = ("key", "text", "scale", "higher_is_better")
_RANGE_KEYS = ("from", "to", "labels")
_OPTION_KEYS = ("value", "label")
MAX_OPTIONS = 101  # a 0–100 visual scale is the widest in use
MAX_VERSION = 2**31 - 1


def measure_from_dict(data: Mapping[str, Any], *, source: str = "") -> MeasureDefinition:
    """Check untrusted data and build the measure; ``MeasureDefinitionError`` lists every problem."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise MeasureDefinitionError(["measure: expected a mapping"], source)
    problems += [f"{key}: unknown key; use some of {', '.join(_KEYS)}"
                 for key in data if key not in _KEYS]
    measure_id = _snake(data.get("id"), "id", problems)
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
        problems.append("version: expected a whole number from 1")
    title = _text(data.get("title"), "title", problems, limit=200)
    method = data.get("method")
    if method not in {m.value for m in ScoreMethod}:
        problems.append(f"method: expected one of {', '.join(m.value for m in ScoreMethod)}")
    scales = _scales(data.get("scales"), problems)
    items = _items(data.get("items"), scales, problems)
    conversion = _conversion(data.get("conversion"), method, items, scales, problems)
    if problems:
        raise MeasureDefinitionError(problems, source)
    return MeasureDefinition(
        id=measure_id, version=version, title=title, items=items, scales=scales,
        method=ScoreMethod(method), source=str(data.get("source") or ""),
        higher_is_better=_flag(data.get("higher_is_better", True)), conversion=conversion)


def _snake(value: Any, path: str, problems: list[str]) -> str:
    if not isinstance(value, str) or not _SNAKE_CASE.fullmatch(value) or len(value) > 64:
        problems.append(f"{path}: expected a snake_case key of up to 64 characters")
        return ""
    return value


def _text(value: Any, path: str, problems: list[str], *, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        problems.append(f"{path}: expected text of 1 to {limit} characters")
        return ""
    return value.strip()


def _flag(value: Any) -> bool:
    return value is True


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number_key(key: Any) -> int | None:
    """A whole number written as a key: itself, or its text as JSON keys must be."""
    if _whole(key):
        return key
    if isinstance(key, str) and key.strip().lstrip("-").isdigit():
        return int(key)
    return None


def _scales(data: Any, problems: list[str]) -> dict[str, Scale]:
    if not isinstance(data, Mapping) or not data:
        problems.append("scales: expected a mapping of scale key to its answers")
        return {}
    scales = {}
    for key, raw in data.items():
        path = f"scales.{key}"
        if _snake(key, path, problems):
            options = _options(raw, path, problems)
            if options:
                scales[key] = Scale(key, options)
    return scales


def _options(raw: Any, path: str, problems: list[str]) -> tuple[ScaleOption, ...]:
    if isinstance(raw, Mapping):  # a numeric range with labelled points
        unknown = [key for key in raw if key not in _RANGE_KEYS]
        if unknown:
            problems.append(f"{path}: unknown key(s) {', '.join(map(str, unknown))}; a range "
                            f"has from, to and labels (or give a list of {{value, label}})")
            return ()
        low, high, labels = raw.get("from"), raw.get("to"), raw.get("labels") or {}
        if not (_whole(low) and _whole(high) and low < high and high - low < MAX_OPTIONS):
            problems.append(f"{path}: expected whole numbers 'from' below 'to', at most "
                            f"{MAX_OPTIONS} points")
            return ()
        points = {_number_key(key): label for key, label in labels.items()} \
            if isinstance(labels, Mapping) else {None: None}
        if any(point is None or not low <= point <= high or not isinstance(label, str)
               for point, label in points.items()):
            problems.append(f"{path}.labels: expected text labels for points from {low} to "
                            f"{high}, e.g. {{{low}: Not at all}}")
            return ()
        return tuple(ScaleOption(v, points.get(v, str(v))) for v in range(low, high + 1))
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_OPTIONS:
        problems.append(f"{path}: expected a list of 2 to {MAX_OPTIONS} answers, or from/to")
        return ()
    options = []
    for number, option in enumerate(raw):
        where = f"{path}[{number}]"
        if not isinstance(option, Mapping) or not _whole(option.get("value")) \
                or any(key not in _OPTION_KEYS for key in option):
            problems.append(f"{where}: expected {{value: a whole number, label: text}}")
            continue
        label = _text(option.get("label"), f"{where}.label", problems, limit=200)
        options.append(ScaleOption(option["value"], label))
    values = [option.value for option in options]
    if len(set(values)) != len(values):
        problems.append(f"{path}: each answer needs a value of its own")
    return tuple(sorted(options, key=lambda option: option.value))


def _items(data: Any, scales: Mapping[str, Scale], problems: list[str]) -> tuple[MeasureItem, ...]:
    if not isinstance(data, list) or not data:
        problems.append("items: expected a list of questions")
        return ()
    items: list[MeasureItem] = []
    for number, raw in enumerate(data):
        path = f"items[{number}]"
        if not isinstance(raw, Mapping):
            problems.append(f"{path}: expected a mapping")
            continue
        problems += [f"{path}.{key}: unknown key; use some of {', '.join(_ITEM_KEYS)}"
                     for key in raw if key not in _ITEM_KEYS]
        key = _snake(raw.get("key"), f"{path}.key", problems)
        if key in {"total", "raw"}:
            problems.append(f"{path}.key: 'total' and 'raw' are kept for the summed scores")
        elif key and key in {item.key for item in items}:
            problems.append(f"{path}.key: '{key}' is used by an earlier item")
        text = _text(raw.get("text"), f"{path}.text", problems, limit=500)
        scale = raw.get("scale")
        if scale not in scales and scales:
            problems.append(f"{path}.scale: expected one of the scales: {', '.join(scales)}")
        items.append(MeasureItem(key, text, str(scale), _flag(raw.get("higher_is_better", True))))
    return tuple(items)


def _conversion(data: Any, method: Any, items: tuple[MeasureItem, ...],
                scales: Mapping[str, Scale], problems: list[str]) -> dict[int, float]:
    if data is None:
        return {}
    if method != ScoreMethod.SUM:
        problems.append("conversion: only a summed measure ('method: sum') converts its total")
        return {}
    table = {_number_key(raw): metric for raw, metric in data.items()} \
        if isinstance(data, Mapping) else {None: None}
    if any(raw is None or isinstance(metric, bool) or not isinstance(metric, (int, float))
           for raw, metric in table.items()):
        problems.append("conversion: expected raw total: metric score pairs of numbers")
        return {}
    data = table
    if any(item.scale not in scales for item in items):
        return {}  # already reported; the totals cannot be known
    low = sum(min(scales[item.scale].values) for item in items)
    high = sum(max(scales[item.scale].values) for item in items)
    missing = [total for total in range(low, high + 1) if total not in data]
    if missing or any(raw not in range(low, high + 1) for raw in data):
        problems.append(f"conversion: expected a metric score for every raw total from {low} "
                        f"to {high}, and no others")
        return {}
    return {raw: float(metric) for raw, metric in data.items()}
