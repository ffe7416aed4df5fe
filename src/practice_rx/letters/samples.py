"""Synthetic letter inputs: for the sample PNGs, the benchmark, tests and a template preview.

Every person, number and address here is made up; NHS numbers are in the 999
test range with valid check digits.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from practice_rx.letters.inputs import (
    LetterInputs,
    LetterKind,
    PatientInfo,
    PracticeInfo,
    ReferralFacts,
    ReferrerInfo,
    ServiceInfo,
)
from practice_rx.plugins.national.form import national_form

SAMPLE_PRACTICE = PracticeInfo(
    name="Riverside Medical Practice",
    address="12 Canal Street\nHolbeck\nLeeds",
    postcode="LS11 5AB",
    ods_code="B86999",
    phone="0113 496 0123",
    email="riverside.practice@example.nhs.uk",
)

SAMPLE_PATIENT = PatientInfo(
    nhs_number="9990000018",
    given_name="Joan",
    family_name="Smithson",
    date_of_birth=date(1951, 3, 14),
    address="Flat 3, 41 Elm Grove\nArmley\nLeeds",
    postcode="LS12 3QT",
    phone="0113 496 0456",
    email="",
    preferred_contact="phone",
    contact_times="weekday mornings",
    first_language="English",
    accessibility_needs="Hard of hearing: please speak clearly and face her.",
    carer_details="Daughter, Mary Smithson, 07700 900123",
)

SAMPLE_SERVICE = ServiceInfo(
    name="Leeds Walking Friends",
    provider="Holbeck Community Trust",
    description="Friendly, gentle group walks of about an hour around local parks, "
                "with a cup of tea afterwards. Walks are led by trained volunteers.",
    address="The Old School House\n2 Bridge Road\nLeeds\nLS11 9XY",
    phone="0113 496 0789",
    email="walks@example.org.uk",
    website="www.example.org.uk/walks",
    opening_times="Monday to Friday, 9am to 4pm",
)

SAMPLE_REFERRER = ReferrerInfo(
    name="Dr Asha Patel",
    role="GP",
    organisation="Riverside Medical Practice",
    phone="0113 496 0123",
    email="asha.patel@example.nhs.uk",
)

SAMPLE_ANSWERS = {
    "referrer_name": "Dr Asha Patel",
    "referrer_role": "GP",
    "referrer_organisation": "Riverside Medical Practice",
    "referrer_phone": "0113 496 0123",
    "referrer_email": "asha.patel@example.nhs.uk",
    "consent_given": True,
    "consent_to_share": True,
    "consent_method": "in_person",
    "consent_date": "2026-11-24",
    "reasons": ["loneliness", "physical_activity", "other"],
    "reasons_other": "Recently moved to the area after her husband died",
    "what_matters": "\u201cI'd like to get out of the flat more and meet people. I used to "
                    "love walking with my husband.\u201d",
    "context": "Type 2 diabetes and osteoarthritis of both knees; walks with a stick but "
               "can manage about a mile on the flat.",
    "risk_to_self_or_others": False,
    "safeguarding_concerns": False,
    "lone_working_risk": True,
    "lone_working_risk_details": "Small dog at home; please ask for it to be shut away.",
    "urgency": "routine",
}


def sample_inputs(kind: LetterKind | str = LetterKind.REFERRAL, *, serial: int = 42,
                  letter_date: date = date(2026, 11, 24)) -> LetterInputs:
    """A complete, realistic letter's inputs (national form, sent referral, due date set)."""
    kind = LetterKind(kind)
    status = "sent"
    facts = ReferralFacts(
        id=serial,
        status=status,
        created_on=date(2026, 11, 24),
        urgency="routine",
        urgency_label="Routine",
        reasons=("loneliness", "physical_activity", "other"),
        reason_labels=("Loneliness or social isolation", "Physical activity and healthy lifestyle",
                       "Other"),
        reason_other=str(SAMPLE_ANSWERS["reasons_other"]),
        consent_given=True,
        consent_to_share=True,
        consent_method="in_person",
        consent_method_label="In person",
        consent_on=date(2026, 11, 24),
        sent_on=date(2026, 11, 24),
        response_due_on=date(2026, 12, 8),
        response_days=10,
    )
    if kind is LetterKind.CHASER:
        facts = replace(facts, created_on=date(2026, 11, 2), sent_on=date(2026, 11, 2),
                        consent_on=date(2026, 11, 2), response_due_on=date(2026, 11, 16))
    return LetterInputs(
        kind=kind,
        letter_date=letter_date,
        practice=SAMPLE_PRACTICE,
        patient=SAMPLE_PATIENT,
        referrer=SAMPLE_REFERRER,
        service=SAMPLE_SERVICE,
        referral=facts,
        form=national_form().to_dict(),
        answers=SAMPLE_ANSWERS,
    )
