"""Another agency's ServiceRequest bundle becomes an inbound draft; a bad one is refused
with the path of every bad element, and nothing is saved. Both backends.

The agency's bundle is written out here by hand, as another system would send it, not
made by PracticeRx's exporter.
"""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from practice_rx.errors import PermissionDenied, ValidationError
from practice_rx.fhir.inbound import referral_from_bundle
from practice_rx.storage.models import AuditEvent, Referral
from tests.support.factories import make_user, test_nhs_number

PROFILE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-ServiceRequest"


def agency_bundle(nhs_number: str, birth_date: str = "1951-03-14") -> dict:
    """A council housing team's referral, as their system might send it."""
    return {
        "resourceType": "Bundle", "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:7d1b6f0e-7a4c-4a57-9d0b-1f8f0a3c2b01", "resource": {
                "resourceType": "ServiceRequest", "meta": {"profile": [PROFILE]},
                "identifier": [{"system": "https://housing.leeds.example/Id/referral",
                                "value": "H-2026-0071"}],
                "status": "active", "intent": "order", "priority": "urgent",
                "code": {"coding": [{"system": "http://snomed.info/sct",
                                     "code": "871731000000106"}]},
                "subject": {"reference": "urn:uuid:7d1b6f0e-7a4c-4a57-9d0b-1f8f0a3c2b02"},
                "authoredOn": "2026-11-23T14:05:00+00:00",
                "requester": {"reference": "urn:uuid:7d1b6f0e-7a4c-4a57-9d0b-1f8f0a3c2b03"},
                "reasonCode": [{"text": "Rent arrears and isolation after a move"}],
                "note": [{"text": "Happy to be phoned in the afternoons."}]}},
            {"fullUrl": "urn:uuid:7d1b6f0e-7a4c-4a57-9d0b-1f8f0a3c2b02", "resource": {
                "resourceType": "Patient",
                "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number",
                                "value": nhs_number}],
                "name": [{"family": "Smithson", "given": ["Joan"]}],
                "birthDate": birth_date}},
            {"fullUrl": "urn:uuid:7d1b6f0e-7a4c-4a57-9d0b-1f8f0a3c2b03", "resource": {
                "resourceType": "PractitionerRole",
                "practitioner": {"reference": "urn:uuid:7d1b6f0e-7a4c-4a57-9d0b-1f8f0a3c2b04"},
                "organization": {"reference": "urn:uuid:7d1b6f0e-7a4c-4a57-9d0b-1f8f0a3c2b05"},
                "telecom": [{"system": "phone", "value": "0113 496 0777"}]}},
            {"fullUrl": "urn:uuid:7d1b6f0e-7a4c-4a57-9d0b-1f8f0a3c2b04", "resource": {
                "resourceType": "Practitioner",
                "name": [{"given": ["Morgan"], "family": "Reid"}]}},
            {"fullUrl": "urn:uuid:7d1b6f0e-7a4c-4a57-9d0b-1f8f0a3c2b05", "resource": {
                "resourceType": "Organization", "name": "Leeds Housing Options"}},
        ]}


def referral_count(services) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Referral))


def encoded(bundle: dict) -> bytes:
    return json.dumps(bundle).encode()


def test_an_agencys_bundle_becomes_an_inbound_draft(services, world):
    referral = world.fhir.import_bundle(world.link_worker.id,
                                        encoded(agency_bundle(world.patient.nhs_number)))
    assert (referral.status, referral.patient_id) == ("draft", world.patient.id)
    assert (referral.source, referral.referrer_organisation, referral.referrer_name,
            referral.referrer_contact, referral.received_by) == (
        "other", "Leeds Housing Options", "Morgan Reid", "0113 496 0777", "online_form")
    assert referral.urgency == "soon"  # FHIR "urgent"
    assert referral.reasons == ["other"]
    assert referral.reason_other == "Rent arrears and isolation after a move"
    assert referral.answers["context"] == "Happy to be phoned in the afternoons."
    assert referral.referrer_id == world.link_worker.id
    with services.db.reading() as session:
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.entity_id == referral.id, AuditEvent.entity == "referral")).all()
    assert actions == ["referral_create"]


def test_our_own_export_comes_back_with_its_answers_and_service(services, world, tmp_path):
    (path,) = world.fhir.export(world.gp.id, [world.sent.id], tmp_path)
    referral = world.fhir.import_bundle(world.link_worker.id, path.read_bytes())
    assert referral.service_id == world.service.id
    assert referral.source == "health_service"  # a practice's referral, seen from outside
    assert (referral.referrer_organisation, referral.referrer_name) == \
        ("Beeston Hill Surgery", "Dr Asha Patel")
    assert referral.reasons == ["loneliness", "other"]
    assert referral.answers["what_matters"] == world.sent.answers["what_matters"]
    assert (referral.consent_given, referral.consent_to_share, referral.consent_method) == \
        (True, True, "in_person")
    assert referral.urgency == "soon"


def test_an_unknown_patient_is_refused_and_nothing_is_saved(services, world):
    before = referral_count(services)
    with pytest.raises(ValidationError) as refused:
        world.fhir.import_bundle(world.link_worker.id,
                                 encoded(agency_bundle(test_nhs_number(9123))))
    assert list(refused.value.errors) == ["Bundle.entry[1].resource.identifier"]
    message = refused.value.errors["Bundle.entry[1].resource.identifier"]
    assert "Add the patient first" in message and test_nhs_number(9123) not in message
    assert referral_count(services) == before


def test_a_different_date_of_birth_is_refused(services, world):
    with pytest.raises(ValidationError) as refused:
        world.fhir.import_bundle(world.link_worker.id, encoded(
            agency_bundle(world.patient.nhs_number, birth_date="1950-01-01")))
    assert list(refused.value.errors) == ["Bundle.entry[1].resource.birthDate"]


def test_every_bad_element_is_reported_by_path(services, world):
    bundle = agency_bundle(world.patient.nhs_number)
    request = bundle["entry"][0]["resource"]
    del request["subject"]
    request["intent"] = "referral"
    bundle["entry"][1]["resource"]["birthDate"] = "14/03/1951"
    bundle["entry"][1]["resource"]["identifier"][0]["system"] = "nhs"
    before = referral_count(services)
    with pytest.raises(ValidationError) as refused:
        world.fhir.import_bundle(world.link_worker.id, encoded(bundle))
    assert set(refused.value.errors) == {
        "Bundle.entry[0].resource.subject", "Bundle.entry[0].resource.intent",
        "Bundle.entry[1].resource.birthDate", "Bundle.entry[1].resource.identifier[0].system"}
    assert referral_count(services) == before


def test_a_request_that_is_not_active_is_refused(world):
    bundle = agency_bundle(world.patient.nhs_number)
    bundle["entry"][0]["resource"]["status"] = "revoked"
    with pytest.raises(ValidationError) as refused:
        referral_from_bundle(bundle)
    assert list(refused.value.errors) == ["Bundle.entry[0].resource.status"]


def test_no_requester_or_not_json_is_refused(services, world):
    bundle = agency_bundle(world.patient.nhs_number)
    del bundle["entry"][0]["resource"]["requester"]
    with pytest.raises(ValidationError) as refused:
        referral_from_bundle(copy.deepcopy(bundle))
    assert list(refused.value.errors) == ["Bundle.entry[0].resource.requester"]
    with pytest.raises(ValidationError, match="Bundle: the file is not JSON"):
        world.fhir.import_bundle(world.link_worker.id, b"<Bundle/>")


def test_a_clinician_cannot_enter_an_inbound_referral(services, world):
    before = referral_count(services)
    with pytest.raises(PermissionDenied):
        world.fhir.import_bundle(world.gp.id, encoded(agency_bundle(world.patient.nhs_number)))
    assert referral_count(services) == before


def test_a_patient_of_another_practice_is_refused(services, world):
    from practice_rx.services.practice import PracticeDetails
    from tests.support.factories import admin

    network_admin = admin(services)
    holbeck = services.practice.add(network_admin, PracticeDetails("Y99902", "Holbeck Moor"))
    desk = make_user(services, "receptionist", "Alex Hill")
    services.users.set_practices(network_admin, desk.id, {holbeck.id}, False)
    with pytest.raises(PermissionDenied):
        world.fhir.import_bundle(desk.id, encoded(agency_bundle(world.patient.nhs_number)))


def test_what_the_draft_refuses_is_reported_at_the_bundle_path(services, world):
    before = referral_count(services)
    no_person = agency_bundle(world.patient.nhs_number)
    no_person["entry"][0]["resource"]["requester"] = {  # an Organization, nobody named
        "reference": no_person["entry"][4]["fullUrl"]}
    long_reason = agency_bundle(world.patient.nhs_number)
    long_reason["entry"][0]["resource"]["reasonCode"] = [{"text": "x" * 600}]  # form keeps 500
    for bundle, path, words in (
            (no_person, "Bundle.entry[0].resource.requester", "Referring person"),
            (long_reason, "Bundle.entry[0].resource.reasonCode", "500")):
        with pytest.raises(ValidationError) as refused:
            world.fhir.import_bundle(world.link_worker.id, encoded(bundle))
        assert list(refused.value.errors) == [path]
        assert refused.value.errors[path].startswith(f"{path}: ")
        assert words in refused.value.errors[path]
    assert referral_count(services) == before
