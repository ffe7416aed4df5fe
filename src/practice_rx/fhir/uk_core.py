"""The UK Core and PracticeRx rules ``fhir.resources`` does not check.

``fhir.resources`` checks structure and types; a profile's cardinalities, bindings and
fixed identifier systems are checked here, from the profiles in the
NHSDigital/FHIR-R4-UKCORE-STAGING-MAIN repository (UKCore-ServiceRequest 2.5.1,
UKCore-Patient 2.6.1, UKCore-Organization 2.5.1, UKCore-PractitionerRole 2.4.0,
UKCore-QuestionnaireResponse 1.2.0, UKCore-Questionnaire 1.3.0). Each problem names the
element's path (``Bundle.entry[0].resource.subject``) and what is expected.

``strict`` is for what PracticeRx sends: every UK Core profile claimed, and the
must-support elements PracticeRx always has present. Without it (another agency's
bundle) only required elements, bindings, identifier systems and references are checked.
"""

from __future__ import annotations

import re
from typing import Any

from practice_rx.domain.identifiers import nhs_check_digit
from practice_rx.fhir import value_sets as vs
from practice_rx.fhir.systems import (
    NHS_NUMBER_SYSTEM,
    ODS_ORGANISATION_SYSTEM,
    PROFILES,
    SNOMED_SYSTEM,
)

_SCTID = re.compile(r"[1-9][0-9]{5,17}")
_NHS_NUMBER = re.compile(r"[0-9]{10}")
_ODS_CODE = re.compile(r"[A-Za-z0-9]{3,10}")

#: what each ServiceRequest reference may point at (FHIR R4 target types)
_TARGETS = {
    "subject": {"Patient"},
    "requester": {"Practitioner", "PractitionerRole", "Organization", "Patient",
                  "RelatedPerson", "Device"},
    "performer": {"Practitioner", "PractitionerRole", "Organization", "CareTeam",
                  "HealthcareService", "Patient", "Device", "RelatedPerson"},
}
#: must-support elements of UKCore-ServiceRequest a PracticeRx referral always has
_SERVICE_REQUEST_MUST_SUPPORT = ("priority", "code", "authoredOn", "requester")


def check_uk_core(bundle: Any, strict: bool = True) -> list[str]:
    """Every problem found, as ``"path: what is expected"``; empty when the bundle passes."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return ["Bundle: expected a FHIR Bundle (resourceType 'Bundle')"]
    problems: list[str] = []
    _code(problems, bundle, "Bundle", "type", vs.BUNDLE_TYPE, "bundle-type")
    entries = bundle.get("entry")
    if not isinstance(entries, list) or not entries:
        return [*problems, "Bundle.entry: required (the ServiceRequest and what it refers to)"]
    index: dict[str, dict[str, Any]] = {}
    for number, entry in enumerate(entries):
        path = f"Bundle.entry[{number}]"
        url = entry.get("fullUrl") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            problems.append(f"{path}.resource: required")
        elif not url:
            problems.append(f"{path}.fullUrl: required, so the other entries can refer to it")
        elif url in index:
            problems.append(f"{path}.fullUrl: '{url}' is already used by another entry "
                            "(bdl-7: fullUrl must be unique)")
        else:
            index[url] = entry["resource"]
    resources = [(f"Bundle.entry[{n}].resource", entry["resource"]) for n, entry
                 in enumerate(entries) if isinstance(entry, dict)
                 and isinstance(entry.get("resource"), dict)]
    requests = [(path, r) for path, r in resources if r.get("resourceType") == "ServiceRequest"]
    if len(requests) != 1:
        problems.append(f"Bundle.entry: exactly one ServiceRequest expected, found "
                        f"{len(requests)}")
    for path, resource in resources:
        if _unresolved(resource, index):  # the walk naming each path, only when needed
            _references(problems, resource, path, index)
        kind = resource.get("resourceType")
        if strict and kind in PROFILES:
            profiles = (resource.get("meta") or {}).get("profile") or []
            if PROFILES[kind] not in profiles:
                problems.append(f"{path}.meta.profile: must claim {PROFILES[kind]}")
        check = _CHECKS.get(kind)
        if check is not None:
            check(problems, resource, path, index, strict)
    return problems


def _code(problems: list[str], resource: dict[str, Any], path: str, element: str,
          codes: frozenset[str], value_set: str, required: bool = True) -> None:
    value = resource.get(element)
    if value is None:
        if required:
            problems.append(f"{path}.{element}: required")
    elif value not in codes:
        problems.append(f"{path}.{element}: '{value}' is not a code of "
                        f"http://hl7.org/fhir/ValueSet/{value_set} (expected one of "
                        f"{', '.join(sorted(codes))})")


def _target(reference: Any, index: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    if isinstance(reference, dict) and isinstance(reference.get("reference"), str):
        return index.get(reference["reference"])
    return None


def _unresolved(node: Any, index: dict[str, dict[str, Any]]) -> bool:
    """Whether any ``urn:`` reference under ``node`` is not an entry's full URL.

    A quick walk building no paths, as every exported bundle is checked; bundles are JSON
    (plain dicts and lists, from ``json.loads`` or the builder), so exact types suffice.
    """
    if type(node) is dict:
        reference = node.get("reference")
        if type(reference) is str and reference.startswith("urn:") and reference not in index:
            return True
        for key, value in node.items():  # loops, not any(): twice as fast here
            if (type(value) is dict or type(value) is list) and key != "resource" \
                    and _unresolved(value, index):
                return True
        return False
    for value in node:
        if (type(value) is dict or type(value) is list) and _unresolved(value, index):
            return True
    return False


def _references(problems: list[str], node: Any, path: str,
                index: dict[str, dict[str, Any]]) -> None:
    """A ``urn:uuid:`` reference must be the full URL of an entry (it resolves nowhere else)."""
    if isinstance(node, dict):
        reference = node.get("reference")
        if isinstance(reference, str) and reference.startswith("urn:") and reference not in index:
            problems.append(f"{path}.reference: '{reference}' is not the fullUrl of any entry")
        for key, value in node.items():  # scalars hold no reference: not walked into
            if key != "resource" and isinstance(value, (dict, list)):
                _references(problems, value, f"{path}.{key}", index)
    elif isinstance(node, list):
        for number, value in enumerate(node):
            if isinstance(value, (dict, list)):
                _references(problems, value, f"{path}[{number}]", index)


def _service_request(problems: list[str], resource: dict[str, Any], path: str,
                     index: dict[str, dict[str, Any]], strict: bool) -> None:
    _code(problems, resource, path, "status", vs.REQUEST_STATUS, "request-status")
    _code(problems, resource, path, "intent", vs.REQUEST_INTENT, "request-intent")
    _code(problems, resource, path, "priority", vs.REQUEST_PRIORITY, "request-priority",
          required=False)
    if "subject" not in resource:
        problems.append(f"{path}.subject: required")
    if strict:
        for element in _SERVICE_REQUEST_MUST_SUPPORT:
            if element not in resource:
                problems.append(f"{path}.{element}: must support: expected in a PracticeRx "
                                "referral")
    for element, kinds in _TARGETS.items():
        value = resource.get(element)
        for number, reference in enumerate(value if isinstance(value, list) else [value]):
            target = _target(reference, index)
            where = f"{path}.{element}" + (f"[{number}]" if isinstance(value, list) else "")
            if target is not None and target.get("resourceType") not in kinds:
                problems.append(f"{where}: must refer to a {' or '.join(sorted(kinds))}, "
                                f"not a {target.get('resourceType')}")
            elif target is None and element == "subject" and reference is not None:
                problems.append(f"{where}: must refer to the Patient's entry in the bundle")
    code = resource.get("code")
    if isinstance(code, dict):
        codings = code.get("coding") or []
        snomed = [(n, c) for n, c in enumerate(codings)
                  if isinstance(c, dict) and c.get("system") == SNOMED_SYSTEM]
        if not snomed:
            problems.append(f"{path}.code.coding: a SNOMED CT code (system {SNOMED_SYSTEM}) "
                            "is expected (UK Core binds code to SNOMED CT procedures)")
        for number, coding in snomed:
            if not _SCTID.fullmatch(str(coding.get("code", ""))):
                problems.append(f"{path}.code.coding[{number}].code: a SNOMED CT concept id "
                                "(6 to 18 digits) is expected")


def _patient(problems: list[str], resource: dict[str, Any], path: str,
             index: dict[str, dict[str, Any]], strict: bool) -> None:
    identifiers = [(n, i) for n, i in enumerate(resource.get("identifier") or [])
                   if isinstance(i, dict)]
    nhs = [(n, i) for n, i in identifiers if i.get("system") == NHS_NUMBER_SYSTEM]
    if not nhs:
        others = [(n, i) for n, i in identifiers if i.get("system") != NHS_NUMBER_SYSTEM
                  and _NHS_NUMBER.fullmatch(str(i.get("value", "")))]
        if others:
            problems.append(f"{path}.identifier[{others[0][0]}].system: an NHS number's system "
                            f"is {NHS_NUMBER_SYSTEM}")
        else:
            problems.append(f"{path}.identifier: the patient's NHS number is expected (system "
                            f"{NHS_NUMBER_SYSTEM})")
    if len(nhs) > 1:
        problems.append(f"{path}.identifier: at most one NHS number (UK Core slice nhsNumber "
                        "is 0..1)")
    for number, identifier in nhs:
        value = str(identifier.get("value") or "")
        if not value:
            problems.append(f"{path}.identifier[{number}].value: required")
        elif not _NHS_NUMBER.fullmatch(value) or nhs_check_digit(value[:9]) != int(value[9]):
            problems.append(f"{path}.identifier[{number}].value: not a valid NHS number "
                            "(10 digits, the last a Modulus 11 check digit)")
    _code(problems, resource, path, "gender", vs.ADMINISTRATIVE_GENDER,
          "administrative-gender", required=False)
    if strict:
        practice = _target(resource.get("managingOrganization"), index)
        if practice is None:
            problems.append(f"{path}.managingOrganization: must support: the practice's "
                            "Organization is expected")
        elif not any(isinstance(i, dict) and i.get("system") == ODS_ORGANISATION_SYSTEM
                     for i in practice.get("identifier") or []):
            problems.append(f"{path}.managingOrganization: the practice's Organization needs "
                            f"its ODS code (system {ODS_ORGANISATION_SYSTEM})")


def _organization(problems: list[str], resource: dict[str, Any], path: str,
                  index: dict[str, dict[str, Any]], strict: bool) -> None:
    identifiers = list(enumerate(resource.get("identifier") or []))
    ods = [(n, i) for n, i in identifiers if isinstance(i, dict)
           and i.get("system") == ODS_ORGANISATION_SYSTEM]
    if len(ods) > 1:
        problems.append(f"{path}.identifier: at most one ODS organisation code (UK Core "
                        "slice odsOrganisationCode is 0..1)")
    for number, identifier in ods:
        if not _ODS_CODE.fullmatch(str(identifier.get("value") or "")):
            problems.append(f"{path}.identifier[{number}].value: an ODS code (letters and "
                            "digits) is required")
    for number, identifier in identifiers:
        system = identifier.get("system") if isinstance(identifier, dict) else None
        if system and system != ODS_ORGANISATION_SYSTEM and "ods" in system.lower():
            problems.append(f"{path}.identifier[{number}].system: an ODS organisation code's "
                            f"system is {ODS_ORGANISATION_SYSTEM}")
    if strict and not resource.get("name"):
        problems.append(f"{path}.name: must support: expected")


def _practitioner_role(problems: list[str], resource: dict[str, Any], path: str,
                       index: dict[str, dict[str, Any]], strict: bool) -> None:
    if strict:
        for element in ("practitioner", "organization"):
            if element not in resource:
                problems.append(f"{path}.{element}: must support: expected")


def _questionnaire_response(problems: list[str], resource: dict[str, Any], path: str,
                            index: dict[str, dict[str, Any]], strict: bool) -> None:
    _code(problems, resource, path, "status", vs.QUESTIONNAIRE_ANSWERS_STATUS,
          "questionnaire-answers-status")
    if strict:
        for element in ("questionnaire", "subject", "authored", "author"):
            if element not in resource:
                problems.append(f"{path}.{element}: must support: expected")


def _questionnaire(problems: list[str], resource: dict[str, Any], path: str,
                   index: dict[str, dict[str, Any]], strict: bool) -> None:
    _code(problems, resource, path, "status", vs.PUBLICATION_STATUS, "publication-status")
    if strict:
        for element in ("url", "title", "subjectType", "item"):
            if element not in resource:
                problems.append(f"{path}.{element}: must support: expected")


_CHECKS = {
    "ServiceRequest": _service_request,
    "Patient": _patient,
    "Organization": _organization,
    "PractitionerRole": _practitioner_role,
    "QuestionnaireResponse": _questionnaire_response,
    "Questionnaire": _questionnaire,
}


def check_questionnaire(resource: Any) -> list[str]:
    """A form exported on its own as a UK Core Questionnaire, checked like a bundle's entry."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "Questionnaire":
        return ["Questionnaire: expected a FHIR Questionnaire"]
    problems: list[str] = []
    if PROFILES["Questionnaire"] not in ((resource.get("meta") or {}).get("profile") or []):
        problems.append(f"Questionnaire.meta.profile: must claim {PROFILES['Questionnaire']}")
    _questionnaire(problems, resource, "Questionnaire", {}, True)
    return problems
