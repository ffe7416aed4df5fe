"""One referral as a FHIR R4 ``collection`` Bundle claiming the UK Core profiles.

A collection, not a transaction: the file is a self-contained copy of the referral for
a service to read, however it arrives (a folder, MESH), not an instruction to a FHIR
server to create records, which a transaction is (and which would need a ``request``
on every entry and a server at the other end). References between entries use the
entries' ``urn:uuid:`` full URLs, made from the records' identifiers (uuid5), and the
bundle's timestamp is when the referral last changed, so one referral's export is the
same bytes every time until the referral changes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from practice_rx.domain.statuses import CODE_TERMS, SNOMED_REFERRED, Status
from practice_rx.fhir.inputs import (
    NoteFacts,
    PatientFacts,
    PracticeFacts,
    ReferralBundleInputs,
    RequesterFacts,
    ServiceFacts,
)
from practice_rx.fhir.lifecycle import INTENT, PRIORITY, REQUEST_STATUS
from practice_rx.fhir.questionnaire import questionnaire_reference, response_items
from practice_rx.fhir.systems import (
    NHS_NUMBER_SYSTEM,
    ODS_ORGANISATION_SYSTEM,
    PROFILES,
    REFERRAL_SOURCE_SYSTEM,
    SERVICE_SYSTEM,
    SNOMED_SYSTEM,
    SOURCE_OF_REQUEST_URL,
    full_url,
    referral_system,
    user_system,
)

REFERRAL_TERM = CODE_TERMS[SNOMED_REFERRED]
SEX_TO_GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


def fhir_moment(moment: datetime) -> str:
    """A stored UTC time as a FHIR dateTime (which needs its zone once it has a time)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def referral_bundle(inputs: ReferralBundleInputs) -> dict[str, Any]:
    """The bundle: the ServiceRequest first, then what it refers to."""
    ods = inputs.practice.ods_code
    number = str(inputs.referral_id)
    entries: list[tuple[str, dict[str, Any]]] = []
    practice_url = full_url("Organization", ODS_ORGANISATION_SYSTEM, ods)
    patient_url = full_url("Patient", NHS_NUMBER_SYSTEM, inputs.patient.nhs_number)
    request_url = full_url("ServiceRequest", referral_system(ods), number)
    answers_url = full_url("QuestionnaireResponse", referral_system(ods), number)

    request = _service_request(inputs, patient_url)
    entries.append((request_url, request))
    entries.append((patient_url, _patient(inputs.patient, practice_url)))
    entries.append((practice_url, _organization(inputs.practice)))
    if inputs.requester is None:
        request["requester"] = {"reference": patient_url}
    else:
        role_url, requester_entries = _requester(inputs.requester, ods, practice_url)
        request["requester"] = {"reference": role_url, "display": inputs.requester.name}
        entries.extend(requester_entries)
    if inputs.service is not None:
        service_url, service_entries = _service(inputs.service)
        request["performer"] = [{"reference": service_url, "display": inputs.service.name}]
        entries.extend(service_entries)
    if inputs.form is not None:
        request["supportingInfo"] = [{"reference": answers_url,
                                      "display": "The referral form's answers, with consent"}]
        entries.append((answers_url, _answers(inputs, patient_url, request["requester"])))
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": fhir_moment(inputs.updated_at),
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }


def _service_request(inputs: ReferralBundleInputs, patient_url: str) -> dict[str, Any]:
    ods = inputs.practice.ods_code
    request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "meta": {"profile": [PROFILES["ServiceRequest"]]},
        "extension": [{"url": SOURCE_OF_REQUEST_URL, "valueCodeableConcept": {
            "coding": [{"system": REFERRAL_SOURCE_SYSTEM, "code": inputs.source,
                        "display": inputs.source_label}],
            "text": inputs.source_label}}],
        "identifier": [{"system": referral_system(ods), "value": str(inputs.referral_id)}],
    }
    if inputs.previous_referral_id is not None:
        request["replaces"] = [{"identifier": {"system": referral_system(ods),
                                               "value": str(inputs.previous_referral_id)},
                                "display": f"Referral {inputs.previous_referral_id}"}]
    request.update({
        "status": REQUEST_STATUS[Status(inputs.status)],
        "intent": INTENT,
        "priority": PRIORITY.get(inputs.urgency, "routine"),
        "code": {"coding": [{"system": SNOMED_SYSTEM, "code": SNOMED_REFERRED,
                             "display": REFERRAL_TERM}], "text": REFERRAL_TERM},
        "subject": {"reference": patient_url},
        "authoredOn": fhir_moment(inputs.sent_at or inputs.created_at),
    })
    if inputs.reason_texts:
        request["reasonCode"] = [{"text": text} for text in inputs.reason_texts]
    if inputs.notes:
        request["note"] = [_note(note) for note in inputs.notes]
    return request


def _note(note: NoteFacts) -> dict[str, Any]:
    return {"authorString": note.author, "time": fhir_moment(note.at), "text": note.text}


def _telecom(phone: str, email: str, use: str | None = None) -> list[dict[str, str]]:
    points = [{"system": "phone", "value": phone}] if phone else []
    points += [{"system": "email", "value": email}] if email else []
    return [{**point, "use": use} for point in points] if use else points


def _address(address: str, postcode: str) -> list[dict[str, Any]]:
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    if not lines and not postcode:
        return []
    found: dict[str, Any] = {}
    if lines:
        found["line"] = lines
    if postcode:
        found["postalCode"] = postcode
    found["text"] = ", ".join([*lines, postcode] if postcode else lines)
    return [found]


def _patient(patient: PatientFacts, practice_url: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "meta": {"profile": [PROFILES["Patient"]]},
        "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": patient.nhs_number}],
        "name": [{"use": "official", "family": patient.family_name,
                  "given": [patient.given_name]}],
    }
    if telecom := _telecom(patient.phone, patient.email, "home"):
        resource["telecom"] = telecom
    resource["gender"] = SEX_TO_GENDER.get(patient.sex, "unknown")
    resource["birthDate"] = patient.date_of_birth.isoformat()
    if address := _address(patient.address, patient.postcode):
        resource["address"] = address
    resource["generalPractitioner"] = [{"reference": practice_url}]
    resource["managingOrganization"] = {"reference": practice_url}
    return resource


def _organization(practice: PracticeFacts) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Organization",
        "meta": {"profile": [PROFILES["Organization"]]},
        "identifier": [{"system": ODS_ORGANISATION_SYSTEM, "value": practice.ods_code}],
        "active": True,
        "name": practice.name,
    }
    if telecom := _telecom(practice.phone, practice.email, "work"):
        resource["telecom"] = telecom
    if address := _address(practice.address, practice.postcode):
        resource["address"] = address
    return resource


def _requester(requester: RequesterFacts, ods: str, practice_url: str,
               ) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """PractitionerRole (the person in their role at an organisation) and its Practitioner;
    an agency's organisation, which has no ODS code PracticeRx knows, by name."""
    practitioner_url = full_url("Practitioner", user_system(ods), requester.key)
    role_url = full_url("PractitionerRole", user_system(ods), requester.key)
    entries: list[tuple[str, dict[str, Any]]] = []
    practitioner: dict[str, Any] = {
        "resourceType": "Practitioner",
        "meta": {"profile": [PROFILES["Practitioner"]]},
        "name": [{"text": requester.name}],
    }
    if requester.organisation_ods:
        practitioner["identifier"] = [{"system": user_system(ods), "value": requester.key}]
        organisation_url = practice_url
    else:
        organisation_url = full_url("Organization", user_system(ods),
                                    f"{requester.key}/organisation")
    role: dict[str, Any] = {
        "resourceType": "PractitionerRole",
        "meta": {"profile": [PROFILES["PractitionerRole"]]},
        "active": True,
        "practitioner": {"reference": practitioner_url, "display": requester.name},
        "organization": {"reference": organisation_url,
                         "display": requester.organisation_name},
    }
    if requester.role:
        role["code"] = [{"text": requester.role}]
    if telecom := _telecom(requester.phone, requester.email, "work"):
        role["telecom"] = telecom
    entries += [(role_url, role), (practitioner_url, practitioner)]
    if not requester.organisation_ods:
        entries.append((organisation_url, {
            "resourceType": "Organization", "meta": {"profile": [PROFILES["Organization"]]},
            "name": requester.organisation_name or "Not recorded"}))
    return role_url, entries


def _service(service: ServiceFacts) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    key = f"{service.plugin}/{service.external_id}"
    service_url = full_url("HealthcareService", SERVICE_SYSTEM, key)
    resource: dict[str, Any] = {
        "resourceType": "HealthcareService",
        "meta": {"profile": [PROFILES["HealthcareService"]]},
        "identifier": [{"system": SERVICE_SYSTEM, "value": key}],
        "active": True,
        "name": service.name,
    }
    entries: list[tuple[str, dict[str, Any]]] = [(service_url, resource)]
    if service.provider:
        provider_url = full_url("Organization", SERVICE_SYSTEM, f"{key}/provider")
        resource["providedBy"] = {"reference": provider_url, "display": service.provider}
        entries.append((provider_url, {
            "resourceType": "Organization", "meta": {"profile": [PROFILES["Organization"]]},
            "name": service.provider}))
    if service.category:
        resource["type"] = [{"text": service.category}]
    if telecom := _telecom(service.phone, service.email, "work") + (
            [{"system": "url", "value": service.website}] if service.website else []):
        resource["telecom"] = telecom
    return service_url, entries


def _answers(inputs: ReferralBundleInputs, patient_url: str,
             author: dict[str, str]) -> dict[str, Any]:
    form = inputs.form
    sent = inputs.status != Status.DRAFT
    return {
        "resourceType": "QuestionnaireResponse",
        "meta": {"profile": [PROFILES["QuestionnaireResponse"]]},
        "identifier": {"system": referral_system(inputs.practice.ods_code) + "/answers",
                       "value": str(inputs.referral_id)},
        "questionnaire": questionnaire_reference(form.id, form.version),
        "status": "completed" if sent else "in-progress",
        "subject": {"reference": patient_url},
        "authored": fhir_moment(inputs.sent_at if sent and inputs.sent_at
                                else inputs.updated_at),
        "author": {"reference": author["reference"]},
        "item": response_items(form, inputs.answers),
    }
