"""The UK Core checks: a good bundle passes, and each broken rule is reported at its path.

Pure: bundles are built from hand-made inputs, no database. The rules broken here are
the profiles' own (UKCore-ServiceRequest: status, intent, subject required; the NHS
number and ODS code slices' fixed systems; FHIR's required value sets).
"""

from __future__ import annotations

import copy
from datetime import date, datetime

import pytest

from practice_rx.fhir.bundle import referral_bundle
from practice_rx.fhir.inputs import (
    PatientFacts,
    PracticeFacts,
    ReferralBundleInputs,
    RequesterFacts,
    ServiceFacts,
)
from practice_rx.fhir.uk_core import check_uk_core
from practice_rx.plugins.national.form import national_form
from tests.fhir.helpers import parse
from tests.support.factories import complete_answers, test_nhs_number


def inputs(**changes) -> ReferralBundleInputs:
    values: dict = dict(  # noqa: C408 (keyword names read as the dataclass's fields)
        referral_id=42, patient_id=1, status="sent", urgency="routine",
        reason_texts=("Bereavement",),
        created_at=datetime(2026, 11, 20, 10, 0), updated_at=datetime(2026, 11, 21, 11, 0),
        sent_at=datetime(2026, 11, 21, 11, 0), previous_referral_id=None,
        source="practice", source_label="The practice",
        practice=PracticeFacts("Y99901", "Beeston Hill Surgery", "1 Beeston Road", "LS11 6AB"),
        patient=PatientFacts(test_nhs_number(5), "Joan", "Smithson", date(1951, 3, 14)),
        requester=RequesterFacts("7", "Dr Asha Patel", "GP", organisation_name="Beeston Hill "
                                 "Surgery", organisation_ods="Y99901"),
        service=ServiceFacts("local", "walk-1", "Leeds Walking Friends", "Leeds Walks CIC"),
        form=national_form(), answers=complete_answers())
    values.update(changes)
    return ReferralBundleInputs(**values)


@pytest.fixture
def bundle() -> dict:
    return referral_bundle(inputs())


def patient_index(bundle: dict) -> int:
    return next(n for n, e in enumerate(bundle["entry"])
                if e["resource"]["resourceType"] == "Patient")


def test_a_good_bundle_parses_and_passes(bundle):
    parse(bundle)
    assert check_uk_core(bundle) == []
    assert check_uk_core(bundle, strict=False) == []


def test_the_same_inputs_give_the_same_bundle():
    assert referral_bundle(inputs()) == referral_bundle(inputs())
    assert referral_bundle(inputs())["entry"][0]["fullUrl"] != \
        referral_bundle(inputs(referral_id=43))["entry"][0]["fullUrl"]


def test_a_missing_subject_is_reported_at_its_path(bundle):
    del bundle["entry"][0]["resource"]["subject"]
    assert "Bundle.entry[0].resource.subject: required" in check_uk_core(bundle)


@pytest.mark.parametrize("element", ["status", "intent"])
def test_missing_status_and_intent_are_reported(bundle, element):
    del bundle["entry"][0]["resource"][element]
    assert f"Bundle.entry[0].resource.{element}: required" in check_uk_core(bundle, strict=False)


@pytest.mark.parametrize(("element", "value"), [
    ("status", "sent"), ("intent", "referral"), ("priority", "soon")])
def test_codes_outside_their_value_set_are_reported(bundle, element, value):
    parse(bundle)  # fhir.resources itself lets any code through, hence these checks
    bundle["entry"][0]["resource"][element] = value
    parse(bundle)
    (problem,) = check_uk_core(bundle)
    assert problem.startswith(f"Bundle.entry[0].resource.{element}: '{value}' is not a code "
                              "of http://hl7.org/fhir/ValueSet/request-")


def test_a_wrong_nhs_number_system_is_reported(bundle):
    number = patient_index(bundle)
    bundle["entry"][number]["resource"]["identifier"][0]["system"] = "https://example.org/nhs"
    assert check_uk_core(bundle) == [
        (f"Bundle.entry[{number}].resource.identifier[0].system: an NHS number's system is "
         "https://fhir.nhs.uk/Id/nhs-number")]


def test_an_invalid_nhs_number_is_reported_without_repeating_it(bundle):
    number = patient_index(bundle)
    identifier = bundle["entry"][number]["resource"]["identifier"][0]
    good = identifier["value"]
    identifier["value"] = good[:9] + str((int(good[9]) + 1) % 10)
    (problem,) = check_uk_core(bundle)
    assert problem.startswith(f"Bundle.entry[{number}].resource.identifier[0].value: not a "
                              "valid NHS number")
    assert identifier["value"] not in problem and good not in problem


def test_a_wrong_ods_system_is_reported(bundle):
    number = next(n for n, e in enumerate(bundle["entry"])
                  if e["resource"].get("identifier", [{}])[0].get("value") == "Y99901"
                  and e["resource"]["resourceType"] == "Organization")
    bundle["entry"][number]["resource"]["identifier"][0]["system"] = \
        "https://fhir.nhs.uk/Id/ods-code"
    problems = check_uk_core(bundle)
    assert f"Bundle.entry[{number}].resource.identifier[0].system: an ODS organisation " \
           "code's system is https://fhir.nhs.uk/Id/ods-organization-code" in problems
    patient = patient_index(bundle)
    assert f"Bundle.entry[{patient}].resource.managingOrganization: the practice's " \
           "Organization needs its ODS code (system " \
           "https://fhir.nhs.uk/Id/ods-organization-code)" in problems


def test_a_code_that_is_not_snomed_is_reported(bundle):
    bundle["entry"][0]["resource"]["code"]["coding"][0]["system"] = "http://read.info/ctv3"
    assert check_uk_core(bundle)[0].startswith(
        "Bundle.entry[0].resource.code.coding: a SNOMED CT code (system "
        "http://snomed.info/sct) is expected")


def test_the_profile_must_be_claimed_when_strict(bundle):
    bundle["entry"][0]["resource"]["meta"]["profile"] = []
    assert check_uk_core(bundle) == [
        ("Bundle.entry[0].resource.meta.profile: must claim "
         "https://fhir.hl7.org.uk/StructureDefinition/UKCore-ServiceRequest")]
    assert check_uk_core(bundle, strict=False) == []


def test_must_support_elements_are_expected_of_our_own_export(bundle):
    request = bundle["entry"][0]["resource"]
    for element in ("priority", "authoredOn", "requester"):
        del request[element]
    assert check_uk_core(bundle) == [
        f"Bundle.entry[0].resource.{element}: must support: expected in a PracticeRx referral"
        for element in ("priority", "authoredOn", "requester")]


def test_a_reference_to_no_entry_is_reported(bundle):
    bundle["entry"][0]["resource"]["performer"][0]["reference"] = "urn:uuid:nowhere"
    assert check_uk_core(bundle) == [
        ("Bundle.entry[0].resource.performer[0].reference: 'urn:uuid:nowhere' is not the "
         "fullUrl of any entry")]


def test_a_subject_that_is_not_a_patient_is_reported(bundle):
    request = bundle["entry"][0]["resource"]
    request["subject"] = copy.deepcopy(request["performer"][0])
    assert "Bundle.entry[0].resource.subject: must refer to a Patient, not a " \
           "HealthcareService" in check_uk_core(bundle)


def test_a_bundle_needs_exactly_one_service_request(bundle):
    bundle["entry"].append(copy.deepcopy(bundle["entry"][0]))
    bundle["entry"][-1]["fullUrl"] = "urn:uuid:00000000-0000-5000-8000-000000000000"
    assert "Bundle.entry: exactly one ServiceRequest expected, found 2" in check_uk_core(bundle)
    bundle["entry"][-1]["fullUrl"] = bundle["entry"][0]["fullUrl"]
    assert any(p.startswith(f"Bundle.entry[{len(bundle['entry']) - 1}].fullUrl: ")
               and "bdl-7" in p for p in check_uk_core(bundle))


def test_not_a_bundle_at_all():
    assert check_uk_core({"resourceType": "Patient"}) == [
        "Bundle: expected a FHIR Bundle (resourceType 'Bundle')"]
    assert check_uk_core({"resourceType": "Bundle", "type": "parcel"}) == [
        ("Bundle.type: 'parcel' is not a code of http://hl7.org/fhir/ValueSet/bundle-type "
         "(expected one of batch, batch-response, collection, document, history, message, "
         "searchset, transaction, transaction-response)"),
        "Bundle.entry: required (the ServiceRequest and what it refers to)"]
