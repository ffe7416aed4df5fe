"""Another agency's UK Core ServiceRequest bundle, read into what an inbound referral needs.

Pure: it parses and checks (``fhir.resources`` for structure, :func:`check_uk_core` for
the profile) and reads the facts; matching the patient and saving the draft is the
service's (``practice_rx.services.fhir_exchange``). Every problem is collected, keyed by
the path of the bad element, before anything is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from practice_rx.domain.referral_sources import ReferralSource
from practice_rx.errors import ValidationError
from practice_rx.fhir.lifecycle import URGENCY
from practice_rx.fhir.questionnaire import answer_values
from practice_rx.fhir.structure import structure_problems
from practice_rx.fhir.systems import (
    NHS_NUMBER_SYSTEM,
    REFERRAL_SOURCE_SYSTEM,
    SERVICE_SYSTEM,
    SOURCE_OF_REQUEST_URL,
    questionnaire_url,
)
from practice_rx.fhir.uk_core import check_uk_core

#: the sizes of the columns an imported identifier is kept in (storage/models.py)
SYSTEM_LENGTH, VALUE_LENGTH = 255, 100


@dataclass(frozen=True)
class InboundReferral:
    """What a received bundle says, with the path of each part for error messages.

    ``answers`` holds a PracticeRx form's answers (linkId -> values, path) when the
    bundle carries a QuestionnaireResponse to a form of ours (``form``: id, version).
    """

    nhs_number: str
    request_path: str
    patient_path: str
    birth_date: str
    source: str
    organisation: str
    person: str
    contact: str
    urgency: str
    reason_texts: tuple[str, ...]
    notes: tuple[str, ...]
    authored_on: str
    #: the sender's identifier of the request (system, value) and its path in the bundle
    identifier: tuple[str, str]
    identifier_path: str
    service_key: str | None = None
    form: tuple[str, int] | None = None
    answers: dict[str, tuple[list[Any], str]] = field(default_factory=dict)


def problems_by_path(problems: list[str]) -> dict[str, str]:
    """``["path: message", ...]`` as a ValidationError's errors (one message per path)."""
    errors: dict[str, str] = {}
    for problem in problems:
        path, _, message = problem.partition(": ")
        errors[path] = f"{errors[path]}; {message}" if path in errors else problem
    return errors


def referral_from_bundle(bundle: Any) -> InboundReferral:
    """The inbound referral a bundle describes; ValidationError keyed by path if it is bad."""
    problems = structure_problems(bundle)
    problems += [p for p in check_uk_core(bundle, strict=False) if p not in problems]
    if problems:
        raise ValidationError(problems_by_path(problems))
    index = {entry["fullUrl"]: (f"Bundle.entry[{number}].resource", entry["resource"])
             for number, entry in enumerate(bundle["entry"])}
    path, request = next((path, resource) for path, resource in index.values()
                         if resource["resourceType"] == "ServiceRequest")
    errors: dict[str, str] = {}
    if request["status"] != "active":
        errors[f"{path}.status"] = (f"{path}.status: an inbound referral must be active "
                                    f"(this request is '{request['status']}')")
    patient_path, patient = index[request["subject"]["reference"]]
    nhs = next(i for i in patient["identifier"] if i.get("system") == NHS_NUMBER_SYSTEM)
    requester = _requester(index, request.get("requester"))
    if requester is None:
        errors[f"{path}.requester"] = (f"{path}.requester: required to import: who referred "
                                       "(a PractitionerRole, Practitioner, Organization or "
                                       "the Patient in the bundle)")
    identifier = _identifier(errors, request, path)
    if errors:
        raise ValidationError(errors)
    source, organisation, person, contact = requester
    source = _source(request) or source
    supporting = [index.get(ref.get("reference", "")) for ref in
                  request.get("supportingInfo") or [] if isinstance(ref, dict)]
    form, answers = _form_answers([found for found in supporting if found is not None])
    return InboundReferral(
        nhs_number=nhs["value"], request_path=path, patient_path=patient_path,
        birth_date=str(patient.get("birthDate", "")),
        source=source, organisation=organisation, person=person, contact=contact,
        urgency=URGENCY.get(request.get("priority", "routine"), "routine"),
        reason_texts=tuple(text for text in (_text(code) for code in
                                             request.get("reasonCode") or []) if text),
        notes=tuple(str(note.get("text", "")) for note in request.get("note") or []
                    if note.get("text")),
        authored_on=str(request.get("authoredOn", "")),
        identifier=identifier[:2], identifier_path=identifier[2],
        service_key=_service_key(index, request.get("performer") or []),
        form=form, answers=answers,
    )


def _identifier(errors: dict[str, str], request: dict[str, Any], path: str,
                ) -> tuple[str, str, str]:
    """The request's first identifier with a system and a value, and its path.

    UK Core does not require one, but without it the same referral sent twice cannot be
    told from two referrals, so importing needs it (see docs/fhir.md).
    """
    for number, identifier in enumerate(request.get("identifier") or []):
        system, value = identifier.get("system"), identifier.get("value")
        if system and value:
            where = f"{path}.identifier[{number}]"
            for element, text, limit in (("system", system, SYSTEM_LENGTH),
                                         ("value", value, VALUE_LENGTH)):
                if len(text) > limit:
                    errors[f"{where}.{element}"] = (f"{where}.{element}: at most {limit} "
                                                    f"characters (this has {len(text)})")
            return system, value, where
    errors[f"{path}.identifier"] = (
        f"{path}.identifier: required to import: the sender's own identifier of this "
        "referral (a system and a value), so that the same referral is never imported twice")
    return "", "", ""


def _text(concept: dict[str, Any]) -> str:
    if concept.get("text"):
        return str(concept["text"])
    return next((str(c["display"]) for c in concept.get("coding") or [] if c.get("display")), "")


def _name(resource: dict[str, Any]) -> str:
    for name in resource.get("name") or []:
        if name.get("text"):
            return str(name["text"])
        parts = [*(name.get("given") or []), name.get("family", "")]
        if any(parts):
            return " ".join(part for part in parts if part)
    return ""


def _contact(resource: dict[str, Any]) -> str:
    return next((str(t["value"]) for t in resource.get("telecom") or [] if t.get("value")), "")


def _requester(index: dict[str, tuple[str, dict[str, Any]]], reference: Any,
               ) -> tuple[str, str, str, str] | None:
    """(source, organisation, person, contact) of whoever the request names as requester."""
    found = index.get(reference.get("reference", "")) if isinstance(reference, dict) else None
    if found is None:
        return None
    resource = found[1]
    kind = resource["resourceType"]
    if kind == "Patient":
        return ReferralSource.SELF, "", "", ""
    if kind == "PractitionerRole":
        practitioner = index.get((resource.get("practitioner") or {}).get("reference", ""))
        organisation = index.get((resource.get("organization") or {}).get("reference", ""))
        return (ReferralSource.OTHER,
                str(organisation[1].get("name", "")) if organisation else
                str((resource.get("organization") or {}).get("display", "")),
                _name(practitioner[1]) if practitioner else
                str((resource.get("practitioner") or {}).get("display", "")),
                _contact(resource) or (_contact(practitioner[1]) if practitioner else ""))
    if kind == "Practitioner":
        return ReferralSource.OTHER, "", _name(resource), _contact(resource)
    if kind == "Organization":
        return ReferralSource.OTHER, str(resource.get("name", "")), "", _contact(resource)
    return None


def _source(request: dict[str, Any]) -> str | None:
    """PracticeRx's own source code, if the sender used it; a practice that referred is,
    to whoever receives it, another health service."""
    for extension in request.get("extension") or []:
        if extension.get("url") != SOURCE_OF_REQUEST_URL:
            continue
        for coding in (extension.get("valueCodeableConcept") or {}).get("coding") or []:
            code = coding.get("code")
            if coding.get("system") == REFERRAL_SOURCE_SYSTEM and \
                    code in ReferralSource._value2member_map_:
                source = ReferralSource(code)
                return ReferralSource.HEALTH_SERVICE if not source.inbound else source
    return None


def _service_key(index: dict[str, tuple[str, dict[str, Any]]], performers: list[Any]) -> str | None:
    for reference in performers:
        found = index.get(reference.get("reference", "")) if isinstance(reference, dict) else None
        if found is not None and found[1]["resourceType"] == "HealthcareService":
            for identifier in found[1].get("identifier") or []:
                if identifier.get("system") == SERVICE_SYSTEM and identifier.get("value"):
                    return str(identifier["value"])
    return None


def _form_answers(supporting: list[tuple[str, dict[str, Any]]],
                  ) -> tuple[tuple[str, int] | None, dict[str, tuple[list[Any], str]]]:
    """A PracticeRx form's answers: ``questionnaire`` is ``<our URL>/<form id>|<version>``."""
    prefix = questionnaire_url("")
    for path, resource in supporting:
        if resource["resourceType"] != "QuestionnaireResponse":
            continue
        canonical = str(resource.get("questionnaire", ""))
        url, _, version = canonical.partition("|")
        if url.startswith(prefix) and version.isdigit():
            return (url[len(prefix):], int(version)), answer_values(resource.get("item") or [],
                                                                     f"{path}.item")
    return None, {}
