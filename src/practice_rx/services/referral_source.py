"""Where a referral came from, checked before it is stored, and who may enter it.

A referral raised in the practice is written and sent by a clinician; one that
arrives from an agency, or from the person themself, is entered by reception or
a link worker. The role check follows the referral's source, so it is made here
and used by the referral service, never left to a screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from practice_rx.domain.permissions import Action
from practice_rx.domain.referral_sources import ReceivedBy, ReferralSource
from practice_rx.errors import ValidationError
from practice_rx.services.limits import text_errors
from practice_rx.storage.models import Referral

#: The referral's columns that say where it came from (audited with every change).
SOURCE_FIELDS = ("source", "referrer_organisation", "referrer_name", "referrer_contact",
                 "received_by")

SOURCE_LABELS = {"source": "Referred by", "referrer_organisation": "Referring organisation",
                 "referrer_name": "Referring person", "referrer_contact": "Their contact details",
                 "received_by": "How it arrived"}


@dataclass(frozen=True)
class SourceDetails:
    """Where a referral came from; the practice (the default) needs nothing more.

    For an agency the organisation (where the source needs one) and the referring
    person's name; for a self-referral the person is the patient, whose details are
    on their record, so organisation and person stay empty. ``received_by`` is how
    an inbound referral arrived (a :class:`ReceivedBy` code).
    """

    source: str = ReferralSource.PRACTICE
    organisation: str = ""
    person: str = ""
    contact: str = ""
    received_by: str = ""

    def clean(self) -> dict[str, str]:
        """The values for the referral's columns; every problem at once as a ValidationError."""
        values = {"source": self.source, "referrer_organisation": self.organisation,
                  "referrer_name": self.person, "referrer_contact": self.contact,
                  "received_by": self.received_by}
        errors = text_errors(Referral, values, SOURCE_LABELS)
        if errors:
            raise ValidationError(errors)
        values = {key: value.strip() for key, value in values.items()}
        if values["source"] not in ReferralSource._value2member_map_:
            raise ValidationError.single(
                "source", "Referred by: choose where the referral came from")
        source = ReferralSource(values["source"])
        errors.update(_source_problems(source, values))
        if errors:
            raise ValidationError(errors)
        return values


def _source_problems(source: ReferralSource, values: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    organisation, person = values["referrer_organisation"], values["referrer_name"]
    if not source.inbound:
        for key in ("referrer_organisation", "referrer_name", "referrer_contact", "received_by"):
            if values[key]:
                errors[key] = (f"{SOURCE_LABELS[key]}: only for a referral from outside the "
                               "practice; the practice's referrer is the clinician who writes it")
        return errors
    if values["received_by"] not in ReceivedBy._value2member_map_:
        errors["received_by"] = "How it arrived: choose phone, email, letter, in person or online"
    if source is ReferralSource.SELF:
        for key, value in (("referrer_organisation", organisation), ("referrer_name", person)):
            if value:
                errors[key] = (f"{SOURCE_LABELS[key]}: leave empty for a self-referral; the "
                               "person referring is the patient")
        return errors
    if source.needs_organisation and not organisation:
        errors["referrer_organisation"] = (
            f"Referring organisation: enter the name of the {source.label.lower()} that referred")
    if not person:
        errors["referrer_name"] = "Referring person: enter the name of the person who referred"
    return errors


def source_of(referral: Referral | None) -> ReferralSource:
    """A stored referral's source (the practice for one from before sources were kept)."""
    code = referral.source if referral is not None else ""
    return ReferralSource(code) if code in ReferralSource._value2member_map_ \
        else ReferralSource.PRACTICE


def draft_action(source: ReferralSource | str, sending: bool = False) -> Action:
    """The permission that writing (or sending) a draft from ``source`` needs."""
    if ReferralSource(source).inbound:
        return Action.ENTER_INBOUND_REFERRALS
    return Action.SEND_REFERRALS if sending else Action.WRITE_REFERRALS
