"""A link worker's contacts with a person: how, whether it happened, and when to give up.

Typically 6–12 contacts over about three months. An attempt that did not reach
the person counts towards the practice's agreed number of attempts, after which
"not contactable" is offered (never chosen for the link worker).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

MAX_CONTACT_MINUTES = 480  # a working day; longer is a typing slip
DEFAULT_ATTEMPTS_BEFORE_NOT_CONTACTABLE = 3


class ContactType(StrEnum):
    FACE_TO_FACE = "face_to_face"
    PHONE = "phone"
    VIDEO = "video"
    HOME_VISIT = "home_visit"
    GROUP_SESSION = "group_session"
    TEXT = "text"
    EMAIL = "email"

    @property
    def label(self) -> str:
        return CONTACT_TYPE_LABELS[self]


CONTACT_TYPE_LABELS = {
    ContactType.FACE_TO_FACE: "Face to face",
    ContactType.PHONE: "Phone",
    ContactType.VIDEO: "Video",
    ContactType.HOME_VISIT: "Home visit",
    ContactType.GROUP_SESSION: "Group session",
    ContactType.TEXT: "Text message",
    ContactType.EMAIL: "Email",
}


def failed_attempts_since_last_contact(made: Iterable[bool]) -> int:
    """How many attempts in a row, at the end of the contacts in time order, did not
    reach the person (a contact made starts the count again)."""
    count = 0
    for reached in made:
        count = 0 if reached else count + 1
    return count


def may_offer_not_contactable(made: Iterable[bool], attempts_agreed: int) -> bool:
    """Whether the practice's agreed number of failed attempts in a row has been reached."""
    return failed_attempts_since_last_contact(made) >= attempts_agreed
