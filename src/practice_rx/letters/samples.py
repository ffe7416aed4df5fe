"""Synthetic letter inputs: for the sample PNGs, the benchmark, tests and a template preview.

Every person, number and address here is made up; NHS numbers are in the 999
test range with valid check digits.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from practice_rx.letters.casework_inputs import (
    CODE_DISPLAYS,
    AnswerRow,
    CaseworkFacts,
    ClinicalCode,
    ConnectionFact,
    MeasureFact,
    PlanAction,
    PlanSectionFact,
    ScoreFact,
)
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


SAMPLE_CASEWORK = CaseworkFacts(
    link_worker="Nadia Ahmed",
    plan_number=2,
    plan_agreed_with="Joan, with her daughter Mary",
    plan_agreed_on=date(2026, 11, 20),
    what_matters="\u201cI want to feel part of something again. Since Bill died the days are "
                 "long and I don't see anyone from one week to the next. I used to love "
                 "walking, and I'd like to sort out the council tax letters that keep "
                 "coming.\u201d",
    who_involved="Joan, and her daughter Mary, who comes on Sundays",
    outcomes=("Feel less lonely, and see people at least twice a week",
              "Walk for half an hour without stopping",
              "Get the council tax arrears sorted out"),
    actions=(
        PlanAction("Joan", "Go to the Tuesday morning walk at Holbeck Moor", date(2026, 12, 8),
                   True),
        PlanAction("Nadia (link worker)", "Book an appointment with Citizens Advice about "
                   "the council tax letters", date(2026, 12, 10), True),
        PlanAction("Mary", "Help Joan set up video calls with her grandson",
                   date(2027, 1, 10), False),
    ),
    review_on=date(2027, 1, 14),
    plan_sections=(PlanSectionFact("Housing and money plan (an area's section)", (
        AnswerRow("Housing options appointment booked", "Yes"),
        AnswerRow("Appointment date", "14 Dec 2026"))),),
    connections=(
        ConnectionFact("Leeds Walking Friends", "Holbeck Community Trust", "attending",
                       "Attending", True),
        ConnectionFact("Citizens Advice Leeds", "Citizens Advice", "completed", "Completed",
                       True),
        ConnectionFact("Armley Lunch Club", "Armley Helping Hands", "did_not_start",
                       "Did not start", False),
    ),
    measures=(
        MeasureFact("ONS personal wellbeing (ONS4)", date(2026, 11, 26), date(2027, 2, 18), (
            ScoreFact("Overall, how satisfied are you with your life nowadays?", 4, 7,
                      "better"),
            ScoreFact("Overall, to what extent do you feel that the things you do in your "
                      "life are worthwhile?", 5, 7, "better"),
            ScoreFact("Overall, how happy did you feel yesterday?", 3, 6, "better"),
            ScoreFact("Overall, how anxious did you feel yesterday?", 8, 4, "better", True),
        )),
        MeasureFact("Loneliness (three-item UCLA scale)", date(2026, 11, 26),
                    date(2027, 2, 18), (ScoreFact("Total", 8, 5, "better", True),)),
    ),
    contacts_made=7,
    contacts_attempted=2,
    goals_met="partly",
    goals_met_label="Partly met",
    why_not="The council tax arrears are still being paid off under a plan.",
    summary="Joan walks with the group every Tuesday and has made two friends there. "
            "Citizens Advice set up a payment plan for the arrears.",
    closed_on=date(2027, 2, 18),
    codes=(ClinicalCode("871731000000106", CODE_DISPLAYS["871731000000106"],
                        "Once per episode: record it if it was not recorded when the "
                        "referral was made", date(2026, 11, 24)),),
    source="voluntary_community",
    source_label="A voluntary or community organisation",
    referrer_organisation="Holbeck Community Trust",
    referrer_name="Priya Shah",
    referrer_contact="0113 496 0770",
)


def long_casework(actions: int = 12) -> CaseworkFacts:
    """A plan that runs over pages: many actions and long own words."""
    sentence = ("I want to get back to how things were, seeing people and getting out of the "
                "flat, and not feeling so alone in the evenings.")
    words = " ".join([sentence] * 12)
    return replace(SAMPLE_CASEWORK, what_matters=words, actions=tuple(
        PlanAction("Joan" if n % 2 else "Nadia (link worker)",
                   f"Step {n + 1}: try the {['walk', 'lunch club', 'craft group'][n % 3]} "
                   "again and tell Nadia how it went, with Mary coming along the first time",
                   date(2026, 12, 1 + n), n % 3 == 0) for n in range(actions)))


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
    if kind.casework:
        facts = replace(facts, status="completed" if kind is LetterKind.MESSAGE_BACK
                        else "in_progress", response_due_on=None)
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
        casework=SAMPLE_CASEWORK if kind.casework else None,
    )
