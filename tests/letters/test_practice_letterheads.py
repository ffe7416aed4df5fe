"""In a network, each letter carries the letterhead of the practice its referral belongs
to, and a batch prints each referral under its own practice. Both backends."""

from __future__ import annotations

from practice_rx.letters import LetterKind
from practice_rx.services.patients import PatientDetails
from practice_rx.services.practice import PracticeDetails
from tests.letters.pdf import text_of
from tests.support.factories import (
    admin,
    make_patient,
    make_service,
    make_user,
    ready_draft,
    test_nhs_number,
)

BEESTON = PracticeDetails("Y99901", "Beeston Hill Surgery", address="1 Beeston Road\nLeeds",
                          postcode="LS11 6AB", phone="0113 496 0000")
HOLBECK = PracticeDetails("Y99902", "Holbeck Moor Practice", address="40 Holbeck Moor Road\n"
                          "Leeds", postcode="LS11 9QX", phone="0113 496 0200")


def test_each_referral_prints_under_its_own_practice(services):
    network_admin = admin(services)
    services.practice.save(network_admin, BEESTON)
    service = make_service(services, "Leeds Walking Friends")
    gp = make_user(services)
    beeston_patient = make_patient(services, "Joan", "Smithson")
    holbeck = services.practice.add(network_admin, HOLBECK)
    holbeck_patient = services.patients.create(network_admin, PatientDetails(
        test_nhs_number(8101), "Olu", "Adeyemi", "1961-02-03", phone="0113 496 0999",
        practice_id=holbeck.id))
    services.users.set_practices(network_admin, gp.id,
                                 {holbeck.id, beeston_patient.practice_id}, False)
    sent = []
    for patient in (beeston_patient, holbeck_patient):
        draft = ready_draft(services, gp, patient, service)
        sent.append(services.referrals.send(gp.id, draft.id, draft.version))
    # the letterhead comes first; the form's own "your organisation" answer is the GP's
    one = text_of(services.letters.generate(gp.id, sent[1].id, LetterKind.REFERRAL).pdf)
    assert one.startswith("Holbeck Moor Practice 40 Holbeck Moor Road Leeds LS11 9QX "
                          "Phone 0113 496 0200 ODS code Y99902")
    batch = services.letters.batch(gp.id, [s.id for s in sent], LetterKind.REFERRAL)
    texts = [text_of(item.letter.pdf) for item in batch]
    assert texts[0].startswith("Beeston Hill Surgery 1 Beeston Road Leeds LS11 6AB")
    assert texts[1].startswith("Holbeck Moor Practice 40 Holbeck Moor Road")
