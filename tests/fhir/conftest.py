"""A practice with a GP, a link worker, a patient, a service and referrals to export."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from practice_rx.services import Services
from practice_rx.services.fhir_exchange import FhirService
from practice_rx.services.practice import PracticeDetails
from practice_rx.storage.models import Patient, Referral, Service, User
from tests.support.factories import admin, make_patient, make_service, make_user, ready_draft

BEESTON = PracticeDetails("Y99901", "Beeston Hill Surgery", address="1 Beeston Road\nLeeds",
                          postcode="LS11 6AB", phone="0113 496 0000")


@dataclass
class World:
    services: Services
    fhir: FhirService
    gp: User
    link_worker: User
    patient: Patient
    service: Service
    sent: Referral
    draft: Referral


@pytest.fixture
def world(services: Services) -> World:
    services.practice.save(admin(services), BEESTON)
    gp = make_user(services)
    link_worker = make_user(services, "link_worker", "Nadia Ahmed")
    services.users.set_practices(None, link_worker.id, set(), True)
    patient = make_patient(services, "Joan", "Smithson", address="3 Park Lane\nLeeds",
                           postcode="LS11 7AA", sex="female")
    service = make_service(services, "Leeds Walking Friends", provider="Leeds Walks CIC",
                           phone="0113 496 0123")
    draft = ready_draft(services, gp, patient, service, reasons=["loneliness", "other"],
                        reasons_other="Recently moved to the area", urgency="soon",
                        context="Uses a walking stick.")
    sent = services.referrals.send(gp.id, draft.id, draft.version)
    sent = services.referrals.add_note(gp.id, sent.id, sent.version,
                                       "Prefers morning appointments.")
    other = ready_draft(services, gp, patient, service)
    return World(services, services.fhir, gp, link_worker, patient, service, sent,
                 other)
