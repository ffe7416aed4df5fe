"""Outcome measures as data: questionnaires, their answer scales and how they are scored.

A measure is declared like a referral form (a plugin registers one as a dict or
YAML file), so an area can install a licensed measure such as SWEMWBS with its
own wording and conversion table, while PracticeRx ships only the free ONS ones.
"""

from practice_rx.measures.builtin import BUILTIN_MEASURES, builtin_measures
from practice_rx.measures.model import (
    MeasureDefinition,
    MeasureDefinitionError,
    MeasureItem,
    Scale,
    ScaleOption,
    ScoreMethod,
)
from practice_rx.measures.parse import measure_from_dict
from practice_rx.measures.scoring import AnswersError, MeasureScores, change, score

__all__ = [
    "BUILTIN_MEASURES", "AnswersError", "MeasureDefinition", "MeasureDefinitionError",
    "MeasureItem", "MeasureScores", "Scale", "ScaleOption", "ScoreMethod", "builtin_measures",
    "change", "measure_from_dict", "score",
]
