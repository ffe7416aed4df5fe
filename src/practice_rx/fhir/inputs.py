"""Everything a referral's bundle shows, as plain data read in one go.

The service reads these in one transaction (``practice_rx.services.fhir_exchange``);
the builder turns them into a bundle without touching the database, so a bundle is a
pure function of its inputs and the same referral always gives the same bundle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from practice_rx.forms import FormDefinition


@dataclass(frozen=True)
class PracticeFacts:
    ods_code: str
    name: str
    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class PatientFacts:
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str = "unknown"
    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class RequesterFacts:
    """Who referred: a user of the practice, or an agency's person (``key`` names them
    stably, for the resource's full URL). ``organisation_ods`` is empty for an agency."""

    key: str
    name: str
    role: str = ""
    phone: str = ""
    email: str = ""
    organisation_name: str = ""
    organisation_ods: str = ""


@dataclass(frozen=True)
class ServiceFacts:
    plugin: str
    external_id: str
    name: str
    provider: str = ""
    category: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""


@dataclass(frozen=True)
class NoteFacts:
    at: datetime
    author: str
    text: str


@dataclass(frozen=True)
class ReferralBundleInputs:
    """One referral and what it points at. ``requester`` is None for a self-referral
    (the person is their own referrer); ``service`` None for a draft without one."""

    referral_id: int
    #: PracticeRx's own id of the patient, for the audit trail (never in the bundle)
    patient_id: int
    status: str
    urgency: str
    reason_texts: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    previous_referral_id: int | None
    source: str
    source_label: str
    practice: PracticeFacts
    patient: PatientFacts
    requester: RequesterFacts | None
    service: ServiceFacts | None
    form: FormDefinition | None
    answers: dict[str, Any]
    notes: tuple[NoteFacts, ...] = ()
