"""The parts of an outcome measure: items, the scales they are answered on, the scoring."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from practice_rx.errors import PracticeRxError


class ScoreMethod(StrEnum):
    """How answers become scores.

    ``each``: every item is a score of its own (ONS4 is never summed). ``sum``:
    the items are added up into ``total`` (UCLA-3, WEMWBS); with a conversion
    table the raw total becomes a metric score (SWEMWBS), and ``raw`` is kept too.
    """

    EACH = "each"
    SUM = "sum"


@dataclass(frozen=True)
class ScaleOption:
    """One answer: the number scored, and the words the person chooses."""

    value: int
    label: str


@dataclass(frozen=True)
class Scale:
    """The answers an item allows, lowest value first (a 0–10 scale labels its ends)."""

    key: str
    options: tuple[ScaleOption, ...]

    @property
    def values(self) -> frozenset[int]:
        """Every value an answer on this scale may have."""
        return frozenset(option.value for option in self.options)

    def label(self, value: int) -> str:
        """The answer's wording, or the number itself for an unlabelled point of a range."""
        return next((o.label for o in self.options if o.value == value), str(value))


@dataclass(frozen=True)
class MeasureItem:
    """One question. ``higher_is_better`` matters when items are reported apart."""

    key: str
    text: str
    scale: str
    higher_is_better: bool = True


@dataclass(frozen=True)
class MeasureDefinition:
    """A questionnaire, kept by ``(id, version)`` like a form, so old scores stay readable.

    ``higher_is_better`` is the direction of the summed score (UCLA-3: lower is
    better); ``conversion`` maps a raw total to a metric score.
    """

    id: str
    version: int
    title: str
    items: tuple[MeasureItem, ...]
    scales: Mapping[str, Scale]
    method: ScoreMethod
    source: str = ""
    higher_is_better: bool = True
    conversion: Mapping[int, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The definition as JSON-safe data (conversion keys as text), which
        :func:`practice_rx.measures.measure_from_dict` reads back to an equal measure."""
        data: dict[str, Any] = {
            "id": self.id, "version": self.version, "title": self.title,
            "method": self.method.value, "higher_is_better": self.higher_is_better,
            "scales": {key: [{"value": o.value, "label": o.label} for o in scale.options]
                       for key, scale in self.scales.items()},
            "items": [{"key": i.key, "text": i.text, "scale": i.scale,
                       "higher_is_better": i.higher_is_better} for i in self.items],
        }
        if self.source:
            data["source"] = self.source
        if self.conversion:
            data["conversion"] = {str(raw): metric for raw, metric in self.conversion.items()}
        return data

    def item(self, key: str) -> MeasureItem:
        """The item with this key."""
        return next(item for item in self.items if item.key == key)

    def score_keys(self) -> Sequence[str]:
        """The scores this measure yields, in the order they are shown."""
        if self.method is ScoreMethod.EACH:
            return [item.key for item in self.items]
        return ["total", "raw"] if self.conversion else ["total"]

    def score_label(self, key: str) -> str:
        """How a score is named on screen and in letters: 'Total', or the item's question."""
        if key == "total":
            return "Metric score" if self.conversion else "Total"
        if key == "raw":
            return "Raw total"
        return self.item(key).text

    def better_when_higher(self, key: str) -> bool:
        """Whether a rise in this score is an improvement (not so for UCLA-3 or anxiety)."""
        if self.method is ScoreMethod.EACH:
            return self.item(key).higher_is_better
        return self.higher_is_better


class MeasureDefinitionError(PracticeRxError, ValueError):
    """A measure definition (usually from a plugin) cannot be used; lists every problem."""

    def __init__(self, problems: Sequence[str], source: str = "") -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        where = f" in {source}" if source else ""
        lines = "\n".join(f"- {problem}" for problem in self.problems)
        super().__init__(f"The outcome measure{where} is not valid:\n{lines}")
