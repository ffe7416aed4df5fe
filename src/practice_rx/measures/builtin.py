"""The measures PracticeRx ships: only the free ONS ones (WEMWBS and SWEMWBS need a
licence from their owners, so an area installs them through a plugin)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml

from practice_rx.measures.model import MeasureDefinition
from practice_rx.measures.parse import measure_from_dict

BUILTIN_MEASURES = ("ons4", "ucla3", "ons_lonely")


@cache
def builtin_measures() -> tuple[MeasureDefinition, ...]:
    folder = files(__package__) / "definitions"
    return tuple(measure_from_dict(yaml.safe_load((folder / f"{name}.yaml").read_text("utf-8")),
                                   source=f"{name}.yaml") for name in BUILTIN_MEASURES)
