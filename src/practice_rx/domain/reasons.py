"""Why a patient is referred: stable codes with the labels people see."""

from __future__ import annotations

from collections.abc import Iterable

from practice_rx.errors import ValidationError

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


def clean_reasons(codes: Iterable[str]) -> list[str]:
    """The reason codes in their listed order, refusing any code that is not a reason."""
    chosen = set(codes)
    unknown = chosen - REFERRAL_REASONS.keys()
    if unknown:
        raise ValidationError.single(
            "reasons", f"Reasons: unknown reason code(s) {', '.join(sorted(unknown))}"
        )
    return [code for code in REFERRAL_REASONS if code in chosen]
