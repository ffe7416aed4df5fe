"""Where a referral came from: the practice, another agency, or the person themself.

NHS England counts self-referral and referrals from outside the practice as
social prescribing too, so the source is recorded with every referral, with the
referring organisation and person when it is not the practice.
"""

from __future__ import annotations

from enum import StrEnum


class ReferralSource(StrEnum):
    PRACTICE = "practice"
    HEALTH_SERVICE = "health_service"
    SOCIAL_CARE = "social_care"
    COUNCIL_HOUSING = "council_housing"
    VOLUNTARY_COMMUNITY = "voluntary_community"
    SELF = "self_referral"
    OTHER = "other"

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self]

    @property
    def inbound(self) -> bool:
        """Received by the practice or link worker service rather than raised in it."""
        return self is not ReferralSource.PRACTICE

    @property
    def needs_organisation(self) -> bool:
        """An agency's referral names the agency; the person and 'other' need not."""
        return self not in (ReferralSource.PRACTICE, ReferralSource.SELF, ReferralSource.OTHER)


SOURCE_LABELS = {
    ReferralSource.PRACTICE: "The practice (GP, nurse or care navigator)",
    ReferralSource.HEALTH_SERVICE: "Another health service (community, mental health, hospital)",
    ReferralSource.SOCIAL_CARE: "Social care",
    ReferralSource.COUNCIL_HOUSING: "The council or housing",
    ReferralSource.VOLUNTARY_COMMUNITY: "A voluntary or community organisation",
    ReferralSource.SELF: "The person themself (self-referral)",
    ReferralSource.OTHER: "Other",
}


class ReceivedBy(StrEnum):
    """How an inbound referral reached the practice."""

    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    IN_PERSON = "in_person"
    ONLINE_FORM = "online_form"

    @property
    def label(self) -> str:
        return RECEIVED_LABELS[self]


RECEIVED_LABELS = {
    ReceivedBy.PHONE: "By phone",
    ReceivedBy.EMAIL: "By email",
    ReceivedBy.LETTER: "By letter",
    ReceivedBy.IN_PERSON: "In person",
    ReceivedBy.ONLINE_FORM: "Online form",
}
