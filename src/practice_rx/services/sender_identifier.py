"""The sender's own identifier of an inbound referral: the same referral is taken in once.

An imported FHIR ServiceRequest's identifier (system + value) is kept on the referral,
under a unique index (migration 0010). Importing it again is refused, naming the
referral it already became; two imports racing each other are settled by the index.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from practice_rx.errors import ValidationError
from practice_rx.storage.models import Referral

#: the error key a duplicate is reported under (the importer maps it to a bundle path)
FIELD = "sender_identifier"


@dataclass(frozen=True)
class SenderIdentifier:
    """How the sending system names this referral: a namespace (URI) and a value in it."""

    system: str
    value: str


def existing(session: Session, identifier: SenderIdentifier) -> int | None:
    """The referral already imported with this identifier, if any (in any practice)."""
    return session.scalar(select(Referral.id).where(
        Referral.sender_identifier_system == identifier.system,
        Referral.sender_identifier_value == identifier.value))


def duplicate(referral_id: int) -> ValidationError:
    """The refusal: which referral it already is, and what to do instead."""
    return ValidationError.single(
        FIELD, f"Sender's identifier: this referral was already imported, as referral "
        f"PRX-{referral_id:06d}; open that referral instead (nothing was saved)")


def refuse_if_imported(session: Session, identifier: SenderIdentifier | None) -> None:
    """Refuse an identifier already taken in, in the transaction that would save it."""
    found = existing(session, identifier) if identifier is not None else None
    if found is not None:
        raise duplicate(found)


def is_duplicate(error: IntegrityError) -> bool:
    """Whether the unique index on the sender's identifier refused the row (a race lost)."""
    return "sender_identifier" in str(error.orig)
