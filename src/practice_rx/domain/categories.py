"""Service categories shared by every catalogue, so searches and reports work across them."""

from __future__ import annotations

SERVICE_CATEGORIES: dict[str, str] = {
    "befriending": "Befriending and social groups",
    "physical_activity": "Physical activity",
    "arts_culture": "Arts, creativity and culture",
    "nature": "Nature and green activities",
    "money_advice": "Money, debt and benefits advice",
    "housing": "Housing",
    "employment_volunteering": "Employment, skills and volunteering",
    "mental_wellbeing": "Mental wellbeing",
    "carers": "Carers' support",
    "bereavement": "Bereavement",
    "food": "Food",
    "long_term_conditions": "Long-term condition support groups",
    "digital_inclusion": "Digital inclusion",
    "other": "Other",
}
