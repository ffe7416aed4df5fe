"""The coded reasons for a social prescribing referral, in one place.

The national form offers exactly these (a test keeps them in step), and the
core uses them to label and count reasons in reports. Codes never change
meaning once released; add new ones at the end.
"""

from __future__ import annotations

from types import MappingProxyType

from practice_rx.forms.model import OTHER_CODE, Choice

REFERRAL_REASONS: tuple[Choice, ...] = (
    Choice("loneliness", "Loneliness or social isolation"),
    Choice("low_mood", "Low mood, anxiety or stress"),
    Choice("long_term_condition", "Support with long-term condition(s)"),
    Choice("physical_activity", "Physical activity and healthy lifestyle"),
    Choice("money", "Money, debt or benefits"),
    Choice("housing", "Housing"),
    Choice("employment", "Employment, education or volunteering"),
    Choice("caring", "Caring responsibilities"),
    Choice("bereavement", "Bereavement"),
    Choice("frequent_attendance", "Frequent attendance"),
    Choice(OTHER_CODE, "Other"),
)

REFERRAL_REASON_LABELS = MappingProxyType(
    {reason.code: reason.label for reason in REFERRAL_REASONS}
)
