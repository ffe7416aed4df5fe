"""The service categories shared by every service catalogue.

Catalogue plugins file each service under one of these codes, so searches and
reports work across catalogues. Codes never change meaning once released.
"""

from __future__ import annotations

from types import MappingProxyType

from practice_rx.forms.model import Choice

SERVICE_CATEGORIES: tuple[Choice, ...] = (
    Choice("befriending", "Befriending and social groups"),
    Choice("physical_activity", "Physical activity"),
    Choice("arts_culture", "Arts, creativity and culture"),
    Choice("nature", "Nature and green activities"),
    Choice("money_advice", "Money, debt and benefits advice"),
    Choice("housing", "Housing"),
    Choice("employment_volunteering", "Employment, skills and volunteering"),
    Choice("mental_wellbeing", "Mental wellbeing"),
    Choice("carers", "Carers' support"),
    Choice("bereavement", "Bereavement"),
    Choice("food", "Food"),
    Choice("long_term_conditions", "Long-term condition support groups"),
    Choice("digital_inclusion", "Digital inclusion"),
    Choice("other", "Other"),
)

SERVICE_CATEGORY_LABELS = MappingProxyType(
    {category.code: category.label for category in SERVICE_CATEGORIES}
)
