"""Why a patient is referred: stable codes with the labels people see."""

from __future__ import annotations

REFERRAL_REASONS: dict[str, str] = {
    "loneliness": "Loneliness or social isolation",
    "low_mood": "Low mood, anxiety or stress",
    "long_term_condition": "Support with long-term condition(s)",
    "physical_activity": "Physical activity and healthy lifestyle",
    "money": "Money, debt or benefits",
    "housing": "Housing",
    "employment": "Employment, education or volunteering",
    "caring": "Caring responsibilities",
    "bereavement": "Bereavement",
    "frequent_attendance": "Frequent attendance",
    "other": "Other",
}

