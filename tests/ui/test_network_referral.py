"""In a network, the new referral's "your organisation" answers follow the patient's
practice (the GP writes from it), unless the GP typed over them."""

from __future__ import annotations

from sqlalchemy import select

from practice_rx.storage.models import Patient, Practice
from tests.ui.conftest import make_window


def patient_at(core, ods: str) -> tuple[Patient, Practice]:
    with core.services.db.reading() as session:
        practice = session.scalar(select(Practice).where(Practice.ods_code == ods))
        patient = session.scalars(select(Patient).where(Patient.practice_id == practice.id)
                                  .order_by(Patient.id).limit(1)).one()
    return patient, practice


def test_the_referrers_organisation_follows_the_patients_practice(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    holbeck_patient, holbeck = patient_at(demo_core, "Y99902")
    beeston_patient, beeston = patient_at(demo_core, "Y99901")
    dialog = window.new_referral()
    dialog._patient_chosen(holbeck_patient)
    answers = dialog.renderer.answers()
    assert (answers["referrer_organisation"], answers["referrer_phone"]) == (
        holbeck.name, holbeck.phone)
    dialog.renderer.editor("referrer_phone").set_value("0113 496 0777")  # typed over
    dialog.draft = None
    dialog._patient_chosen(beeston_patient)
    answers = dialog.renderer.answers()
    assert answers["referrer_organisation"] == beeston.name
    assert answers["referrer_phone"] == "0113 496 0777"
    dialog.reject()
