"""The URIs a bundle uses: NHS and HL7 UK ones from the specifications, and PracticeRx's own.

PracticeRx owns no domain, so its own systems sit under ``https://practice-rx.example``
(``.example`` is reserved by RFC 2606: it never resolves and cannot clash with a real
system). Referral numbers are unique within one PracticeRx database, and the practice's
ODS code is what names that installation to the outside world, so the identifier systems
of records carry the ODS code of the referral's practice.
"""

from __future__ import annotations

import uuid

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_ORGANISATION_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
SNOMED_SYSTEM = "http://snomed.info/sct"

UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/"
PROFILES = {name: f"{UK_CORE}UKCore-{name}" for name in (
    "ServiceRequest", "Patient", "Organization", "Practitioner", "PractitionerRole",
    "HealthcareService", "Questionnaire", "QuestionnaireResponse")}
SOURCE_OF_REQUEST_URL = f"{UK_CORE}Extension-UKCore-SourceOfServiceRequest"

PRACTICE_RX_BASE = "https://practice-rx.example/fhir"
#: PracticeRx's codes for where a referral came from (``ReferralSource``)
REFERRAL_SOURCE_SYSTEM = f"{PRACTICE_RX_BASE}/CodeSystem/referral-source"
SERVICE_SYSTEM = f"{PRACTICE_RX_BASE}/Id/service"


def referral_system(ods_code: str) -> str:
    """The identifier system of the referral numbers of the practice ``ods_code``."""
    return f"{PRACTICE_RX_BASE}/Id/referral/{ods_code.upper()}"


def user_system(ods_code: str) -> str:
    return f"{PRACTICE_RX_BASE}/Id/user/{ods_code.upper()}"


def questionnaire_url(form_id: str) -> str:
    """The canonical URL of a form; its version goes after ``|`` in a reference."""
    return f"{PRACTICE_RX_BASE}/Questionnaire/{form_id}"


def answer_system(form_id: str, field_key: str) -> str:
    """The code system of one choice field's codes (stable: codes never change meaning)."""
    return f"{PRACTICE_RX_BASE}/CodeSystem/{form_id}/{field_key}"


def full_url(kind: str, system: str, value: str) -> str:
    """A ``urn:uuid:`` made from what identifies the resource, so an export is reproducible."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{kind}|{system}|{value}')}"
