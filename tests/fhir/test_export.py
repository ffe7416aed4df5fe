"""A referral exported as a FHIR R4 bundle: parsed by fhir.resources (R4B models), passing
the UK Core checks, with the values the profiles and PracticeRx's data say. Both backends.

Expected values are written here from the specifications (UK Core profile URLs, NHS
identifier systems, the SNOMED CT code, FHIR's request-status definitions), not read
from the code under test.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from practice_rx.errors import NotFoundError, PermissionDenied
from practice_rx.fhir.uk_core import check_questionnaire, check_uk_core
from practice_rx.services.fhir_exchange import bundle_for
from practice_rx.services.practice import PracticeDetails
from practice_rx.storage.models import AuditEvent, Referral
from tests.fhir.helpers import entries, only, parse, resolve
from tests.support.factories import admin, make_patient, make_user, move, ready_draft

SERVICE_REQUEST_PROFILE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-ServiceRequest"
PATIENT_PROFILE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"
UUID_URN = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                      r"[0-9a-f]{12}")


def export_one(world, tmp_path, referral_id: int, user_id: int | None = None) -> dict:
    (path,) = world.fhir.export(user_id or world.gp.id, [referral_id], tmp_path)
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_sent_referral_is_a_uk_core_bundle(world, tmp_path):
    bundle = export_one(world, tmp_path, world.sent.id)
    parsed = parse(bundle)
    assert parsed.type == "collection"
    assert check_uk_core(bundle) == []
    assert all(UUID_URN.fullmatch(entry["fullUrl"]) for entry in bundle["entry"])

    request = bundle["entry"][0]["resource"]
    assert request["resourceType"] == "ServiceRequest"
    assert request["meta"]["profile"] == [SERVICE_REQUEST_PROFILE]
    assert (request["status"], request["intent"], request["priority"]) == \
        ("active", "order", "urgent")  # sent; "soon" is FHIR's "urgent"
    assert request["code"]["coding"] == [{
        "system": "http://snomed.info/sct", "code": "871731000000106",
        "display": "Referral to social prescribing service (procedure)"}]
    assert [reason for reason in request["reasonCode"]] == [
        {"text": "Loneliness or social isolation"}, {"text": "Other: Recently moved to the area"}]
    assert all("coding" not in reason for reason in request["reasonCode"])  # text only
    assert request["identifier"] == [{
        "system": "https://practice-rx.example/fhir/Id/referral/Y99901",
        "value": str(world.sent.id)}]
    assert request["authoredOn"] == "2026-11-24T09:30:00+00:00"  # sent at the test clock
    assert [note["text"] for note in request["note"]] == ["Prefers morning appointments."]

    patient = resolve(bundle, request["subject"])
    assert patient["meta"]["profile"] == [PATIENT_PROFILE]
    assert patient["identifier"] == [{"system": NHS_NUMBER, "value": world.patient.nhs_number}]
    assert (patient["gender"], patient["birthDate"]) == ("female", "1951-03-14")
    practice = resolve(bundle, patient["managingOrganization"])
    assert practice["identifier"] == [{"system": ODS, "value": "Y99901"}]

    role = resolve(bundle, request["requester"])
    assert role["resourceType"] == "PractitionerRole"
    assert resolve(bundle, role["practitioner"])["name"] == [{"text": "Dr Asha Patel"}]
    assert resolve(bundle, role["organization"]) == practice

    (performer,) = request["performer"]
    service = resolve(bundle, performer)
    assert (service["resourceType"], service["name"]) == \
        ("HealthcareService", "Leeds Walking Friends")
    assert resolve(bundle, service["providedBy"])["name"] == "Leeds Walks CIC"


def test_the_answers_and_consent_go_as_a_questionnaire_response(world, tmp_path):
    bundle = export_one(world, tmp_path, world.sent.id)
    request = bundle["entry"][0]["resource"]
    (info,) = request["supportingInfo"]
    answers = resolve(bundle, info)
    assert answers["resourceType"] == "QuestionnaireResponse"
    assert answers["questionnaire"] == "https://practice-rx.example/fhir/Questionnaire/national|1"
    assert answers["status"] == "completed"
    assert resolve(bundle, answers["subject"])["resourceType"] == "Patient"
    by_link = {item["linkId"]: item["answer"] for group in answers["item"]
               for item in group["item"]}
    assert by_link["consent_given"] == [{"valueBoolean": True}]
    assert by_link["consent_to_share"] == [{"valueBoolean": True}]
    assert by_link["consent_date"] == [{"valueDate": "2026-11-24"}]
    assert by_link["consent_method"][0]["valueCoding"]["code"] == "in_person"
    assert [a["valueCoding"]["code"] for a in by_link["reasons"]] == ["loneliness", "other"]
    assert by_link["reasons_other"] == [{"valueString": "Recently moved to the area"}]
    assert "Consent" not in {entry["resource"]["resourceType"] for entry in bundle["entry"]}


def test_the_form_is_a_questionnaire_the_answers_fit(world, tmp_path):
    form = world.fhir.questionnaire("national", 1)
    from fhir.resources.R4B.questionnaire import Questionnaire

    Questionnaire.model_validate(form)
    assert check_questionnaire(form) == []
    assert (form["url"], form["version"], form["status"]) == \
        ("https://practice-rx.example/fhir/Questionnaire/national", "1", "active")
    questions = {item["linkId"]: item for group in form["item"] for item in group["item"]}
    link_ids = [item["linkId"] for group in form["item"] for item in group["item"]] + \
        [group["linkId"] for group in form["item"]]
    assert len(link_ids) == len(set(link_ids))  # que-2: linkIds are unique
    assert questions["reasons"]["repeats"] is True and questions["reasons"]["required"] is True
    assert questions["consent_given"]["type"] == "boolean"
    bundle = export_one(world, tmp_path, world.sent.id)
    answered = {item["linkId"] for group in only(bundle, "QuestionnaireResponse")["item"]
                for item in group["item"]}
    assert answered <= set(questions)


# request-status (FHIR R4): "active: the request is in force and ready to be acted upon";
# "completed: the activity described by the request has been fully performed";
# "revoked: terminated prior to the known full completion of the intended actions".
LIFECYCLE = [("draft", "draft"), ("sent", "active"), ("accepted", "active"),
             ("contacted", "active"), ("in_progress", "active"), ("completed", "completed"),
             ("rejected", "revoked"), ("cancelled", "revoked"), ("declined", "revoked"),
             ("not_contactable", "revoked")]
PATHS = {"draft": [], "sent": ["sent"], "accepted": ["sent", "accepted"],
         "contacted": ["sent", "accepted", "contacted"],
         "in_progress": ["sent", "accepted", "contacted", "in_progress"],
         "completed": ["sent", "accepted", "contacted", "in_progress", "completed"],
         "rejected": ["sent", "rejected"], "cancelled": ["cancelled"],
         "declined": ["sent", "accepted", "declined"],
         "not_contactable": ["sent", "accepted", "not_contactable"]}


@pytest.mark.parametrize(("status", "expected"), LIFECYCLE)
def test_each_lifecycle_status_maps_to_a_request_status(services, world, tmp_path, status,
                                                        expected):
    referral = ready_draft(services, world.gp, world.patient, world.service)
    for target in PATHS[status]:
        referral = move(services, referral, target, note="For the test")
    bundle = export_one(world, tmp_path, referral.id)
    assert bundle["entry"][0]["resource"]["status"] == expected
    assert check_uk_core(bundle) == []


def test_an_export_is_the_same_bytes_every_time(world, tmp_path):
    first = world.fhir.export(world.gp.id, [world.sent.id], tmp_path / "one")[0].read_bytes()
    second = world.fhir.export(world.gp.id, [world.sent.id], tmp_path / "two")[0].read_bytes()
    assert first == second
    assert world.patient.family_name.encode() not in \
        world.fhir.export(world.gp.id, [world.sent.id], tmp_path)[0].name.encode()


def test_each_export_is_audited_and_a_refused_one_writes_nothing(services, world, tmp_path):
    paths = world.fhir.export(world.gp.id, [world.sent.id, world.draft.id], tmp_path / "ok")
    assert [p.name for p in paths] == [f"PRX-{world.sent.id:06d}-fhir.json",
                                       f"PRX-{world.draft.id:06d}-fhir.json"]
    with services.db.reading() as session:
        rows = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "referral_export_fhir")).all()
    assert [(r.entity_id, r.user_id, r.patient_id) for r in rows] == [
        (world.sent.id, world.gp.id, world.patient.id),
        (world.draft.id, world.gp.id, world.patient.id)]
    with pytest.raises(NotFoundError, match="Referral 999999 does not exist"):
        world.fhir.export(world.gp.id, [world.sent.id, 999999], tmp_path / "refused")
    assert list((tmp_path / "refused").iterdir()) == []


def test_an_export_in_several_batches_keeps_the_audit_chain_proven(services, world, tmp_path,
                                                                   monkeypatch):
    from practice_rx.services import fhir_exchange

    monkeypatch.setattr(fhir_exchange, "READ_CHUNK", 1)  # one audit batch per referral
    world.fhir.export(world.gp.id, [world.sent.id, world.draft.id], tmp_path)
    with services.db.reading() as session:
        rows = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "referral_export_fhir").order_by(AuditEvent.id)).all()
    assert [r.entity_id for r in rows] == [world.sent.id, world.draft.id]
    assert [r.after for r in rows] == [{"file": f"PRX-{world.sent.id:06d}-fhir.json"},
                                       {"file": f"PRX-{world.draft.id:06d}-fhir.json"}]
    assert services.audit.verify() is None


def test_progress_is_told_and_a_cancel_keeps_nothing(services, world, tmp_path, monkeypatch):
    from practice_rx.services import fhir_exchange

    monkeypatch.setattr(fhir_exchange, "READ_CHUNK", 1)
    told: list[tuple[int, int]] = []
    world.fhir.export(world.gp.id, [world.sent.id, world.draft.id], tmp_path / "ok",
                      progress=lambda done, total: told.append((done, total)))
    assert told == [(1, 2), (2, 2)]

    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        if done == 1:
            raise Cancelled
    with pytest.raises(Cancelled):
        world.fhir.export(world.gp.id, [world.sent.id, world.draft.id], tmp_path / "no",
                          progress=cancel)
    assert list((tmp_path / "no").iterdir()) == []
    with services.db.reading() as session:
        assert len(session.scalars(select(AuditEvent).where(
            AuditEvent.action == "referral_export_fhir")).all()) == 2  # the first export's


def test_a_referral_of_another_practice_is_refused(services, world, tmp_path):
    network_admin = admin(services)
    holbeck = services.practice.add(network_admin, PracticeDetails("Y99902", "Holbeck Moor"))
    holbeck_gp = make_user(services, name="Dr Priya Shah")
    services.users.set_practices(network_admin, holbeck_gp.id, {holbeck.id}, False)
    with pytest.raises(PermissionDenied, match="belongs to a practice"):
        world.fhir.export(holbeck_gp.id, [world.sent.id], tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_bundle_for_reads_in_the_callers_session(services, world):
    with services.db.reading() as session:
        services.referrals.authorize(session, world.link_worker.id, "view_referrals")
        bundle = bundle_for(session, world.sent.id)
    assert check_uk_core(bundle) == []


def test_a_self_referral_names_the_person_as_requester(services, world, tmp_path):
    from practice_rx.services.referral_source import SourceDetails
    from practice_rx.services.referrals import DraftChanges
    from tests.support.factories import NATIONAL, complete_answers

    patient = make_patient(services, "Ola", "Nowak")
    draft = services.referrals.create_draft(
        world.link_worker.id, patient.id, NATIONAL, DraftChanges(
            service_id=world.service.id, answers=complete_answers(),
            source=SourceDetails("self_referral", received_by="phone")))
    bundle = export_one(world, tmp_path, draft.id)
    request = bundle["entry"][0]["resource"]
    assert resolve(bundle, request["requester"])["resourceType"] == "Patient"
    assert request["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == \
        "self_referral"
    assert check_uk_core(bundle) == []
    parse(bundle)


def test_a_referral_again_replaces_the_one_before(services, world, tmp_path):
    from practice_rx.services.referrals import DraftChanges
    from tests.support.factories import NATIONAL, complete_answers

    closed = move(services, world.draft, "cancelled", note="Patient moved away")
    again = services.referrals.create_draft(
        world.gp.id, world.patient.id, NATIONAL,
        DraftChanges(service_id=world.service.id, answers=complete_answers()),
        previous_referral_id=closed.id)
    request = export_one(world, tmp_path, again.id)["entry"][0]["resource"]
    assert request["replaces"][0]["identifier"]["value"] == str(closed.id)
    assert len(entries(export_one(world, tmp_path, again.id), "Patient")) == 1
    with services.db.reading() as session:
        assert session.get(Referral, again.id).previous_referral_id == closed.id


def test_an_export_read_back_gives_every_answer_unchanged(services, world, tmp_path):
    """Nothing of the form is left out or altered on the way out (hazard H43).

    The referrer's answers are the one exception, by design: an inbound draft names who
    referred from its source (``ReferralService._referrer_from_source``), so the bundle's
    own values are checked in the file.
    """
    (path,) = world.fhir.export(world.gp.id, [world.sent.id], tmp_path)
    back = world.fhir.import_bundle(world.link_worker.id, path.read_bytes())
    referrer = {"referrer_name", "referrer_role", "referrer_organisation"}
    sent = world.sent.answers
    assert {k: v for k, v in back.answers.items() if k not in referrer} == \
        {k: v for k, v in sent.items() if k not in referrer}
    assert (back.reasons, back.reason_other, back.urgency, back.service_id) == (
        world.sent.reasons, world.sent.reason_other, world.sent.urgency, world.sent.service_id)
    items = {item["linkId"]: item for group in only(json.loads(path.read_bytes()),
             "QuestionnaireResponse")["item"] for item in group.get("item", [])}
    for key in referrer & set(sent):
        assert items[key]["answer"] == [{"valueString": sent[key]}], key
