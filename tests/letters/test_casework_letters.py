"""The casework letters read back from real PDFs: the person's plan (normal and large print)
and the message back to the GP and referrer; pure functions of their inputs."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from practice_rx.letters import LetterKind, builtin_templates
from practice_rx.letters.casework_inputs import CaseworkFacts, ClinicalCode
from practice_rx.letters.inputs import LetterInputs, casework_problems
from practice_rx.letters.samples import SAMPLE_CASEWORK, long_casework, sample_inputs
from tests.letters.pdf import page_texts, sized_text, text_of

TEMPLATES = {template.kind: template for template in builtin_templates()}
CASEWORK_KINDS = [LetterKind.CARE_PLAN, LetterKind.CARE_PLAN_LARGE_PRINT,
                  LetterKind.MESSAGE_BACK]
VERIFIED = {"871731000000106", "871711000000103"}


def render(kind: LetterKind, casework: CaseworkFacts | None = None, **changes) -> bytes:
    inputs = sample_inputs(kind)
    if casework is not None:
        changes["casework"] = casework
    return TEMPLATES[kind].render(replace(inputs, **changes) if changes else inputs)


@pytest.mark.parametrize("kind", [LetterKind.CARE_PLAN, LetterKind.CARE_PLAN_LARGE_PRINT])
def test_the_plan_letter_speaks_to_the_person_in_their_own_words(kind):
    text = text_of(render(kind))
    for expected in (
        "Your care and support plan", "Dear Joan Smithson",
        "This is your copy of the plan you made with Nadia Ahmed on 20 Nov 2026",
        "What matters to you", "I want to feel part of something again",
        "I used to love walking", "Who is involved", "her daughter Mary",
        "What you want to achieve", "Walk for half an hour without stopping",
        "What you agreed to do, and who will do it",
        "Go to the Tuesday morning walk at Holbeck Moor", "By 8 Dec 2026. Done.",
        "By 10 Jan 2027. Not done yet.", "Groups and services", "Leeds Walking Friends",
        "Attending, run by Holbeck Community Trust", "Did not start",
        "We will look at your plan together on 14 Jan 2027", "Plan version: 2",
        "Nadia Ahmed Social prescribing link worker", "Flat 3, 41 Elm Grove",
    ):
        assert expected in text, expected
    # the person's copy is not the GP's: no scores, codes or the referrer's details
    for absent in ("871731000000106", "SNOMED", "Priya Shah", "lower is better"):
        assert absent not in text


def test_the_large_print_plan_is_16_point_or_larger_where_the_person_reads():
    fixed = {"Riverside Medical Practice", "12 Canal Street", "Holbeck", "Leeds", "LS11 5AB",
             "Phone 0113 496 0123", "Email riverside.practice@example.nhs.uk", "ODS code B86999",
             "Joan Smithson", "Flat 3, 41 Elm Grove", "Armley", "LS12 3QT"}
    body = [piece for piece in sized_text(render(LetterKind.CARE_PLAN_LARGE_PRINT))
            if piece.text not in fixed]
    assert body and min(piece.size for piece in body) >= 16
    assert max(piece.size for piece in sized_text(render(LetterKind.CARE_PLAN))
               if "What matters to you" in piece.text) < 16


def test_the_message_back_has_the_prsb_parts_scores_and_codes():
    text = text_of(render(LetterKind.MESSAGE_BACK))
    for expected in (
        "Social prescribing: message back to GP and referrer", "The GP",
        "Joan Smithson was referred to social prescribing on 24 Nov 2026",
        "The support ended on 18 Feb 2027",
        # demographics
        "The person", "NHS number 999 000 0018", "Date of birth 14 Mar 1951",
        # needs and concerns
        "Needs and concerns: what mattered to them", "I want to feel part of something again",
        "Loneliness or social isolation",
        # the support offered, the activities and services referred to
        "Support offered", "7 made, 2 attempted", "Version 2, agreed with Joan",
        "Go to the Tuesday morning walk at Holbeck Moor", "Activities and services referred to",
        "Leeds Walking Friends", "Holbeck Community Trust: Attending (connected)",
        "Armley Helping Hands: Did not start",
        # outcomes
        "Goals met Partly met", "Why not fully The council tax arrears",
        "Joan walks with the group every Tuesday",
        "ONS personal wellbeing (ONS4)", "Overall, how satisfied are you with your life",
        "4 \u2192 7, better", "8 \u2192 4, better (lower is better)",
        "Loneliness (three-item UCLA scale)", "Baseline 26 Nov 2026; follow-up 18 Feb 2027",
        # codes, and the referrer's copy
        "For the GP record", "871731000000106", "On 24 Nov 2026",
        "Referral to social prescribing service (procedure)",
        "Copy to the referrer: Priya Shah, Holbeck Community Trust, 0113 496 0770",
        "Referred by A voluntary or community organisation",
    ):
        assert expected in text, expected
    assert "interim" not in text.lower()
    assert "871711000000103" not in text  # she did not decline


def test_only_verified_codes_are_printed():
    for kind in CASEWORK_KINDS:
        numbers = set(re.findall(r"\b\d{15,18}\b", text_of(render(kind))))
        assert numbers <= VERIFIED, numbers


def test_an_open_case_gets_an_interim_message_back():
    open_case = replace(SAMPLE_CASEWORK, goals_met="", goals_met_label="", why_not="",
                        summary="", closed_on=None)
    text = text_of(render(LetterKind.MESSAGE_BACK, open_case))
    assert "message back to GP and referrer (interim)" in text
    assert "This is an interim update" in text
    assert "Not yet known: the case is still open" in text


def test_a_practice_referral_goes_to_the_referring_gp_with_no_copy():
    ours = replace(SAMPLE_CASEWORK, source="practice", source_label="The practice",
                   referrer_name="", referrer_organisation="", referrer_contact="")
    pages = page_texts(render(LetterKind.MESSAGE_BACK, ours))
    assert pages[0].lstrip().startswith("Riverside Medical Practice")
    text = text_of(render(LetterKind.MESSAGE_BACK, ours))
    assert "Dr Asha Patel Riverside Medical Practice 12 Canal Street" in text
    assert "Dear Dr Asha Patel" in text
    assert "Copy to the referrer" not in text
    selfref = replace(ours, source="self_referral", referrer_name="Joan Smithson")
    assert "Copy to the referrer" not in text_of(render(LetterKind.MESSAGE_BACK, selfref))


def test_a_declined_case_names_the_declined_code():
    declined = replace(SAMPLE_CASEWORK, codes=(
        *SAMPLE_CASEWORK.codes,
        ClinicalCode("871711000000103", "Social prescribing declined (situation)")))
    text = text_of(render(LetterKind.MESSAGE_BACK, declined))
    assert "871711000000103 Social prescribing declined (situation)" in text


@pytest.mark.parametrize("kind", CASEWORK_KINDS)
def test_a_long_plan_flows_over_numbered_pages_keeping_every_action(kind):
    facts = long_casework(12)
    pdf = render(kind, facts)
    pages = page_texts(pdf)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Confidential" in page
    text = text_of(pdf)
    for action in facts.actions:
        assert action.what in text, action.what
    # every sentence of the own words printed (a page break may fall inside one)
    assert text.count("evenings.") == 12 and text.count("seeing people") == 12


@pytest.mark.parametrize("kind", CASEWORK_KINDS)
def test_the_letters_need_their_casework(kind):
    assert casework_problems(kind, None)
    assert casework_problems(kind, SAMPLE_CASEWORK) == {}
    unagreed = replace(SAMPLE_CASEWORK, plan_number=None, plan_agreed_on=None)
    problems = casework_problems(kind, unagreed)
    if kind is LetterKind.MESSAGE_BACK:
        assert problems == {}  # closed: a message back without a plan is still owed
        open_unagreed = replace(unagreed, goals_met="")
        assert casework_problems(kind, open_unagreed) == {"plan": (
            "Message back: agree the plan with the person, or close the case, before writing "
            "to the GP and referrer")}
    else:
        assert problems == {"plan": (
            "Care plan: no version of the plan has been agreed yet; record who agreed it and "
            "when before printing the person's copy")}


def test_inputs_with_casework_survive_json_and_old_inputs_still_load():
    for kind in CASEWORK_KINDS:
        inputs = sample_inputs(kind)
        again = LetterInputs.from_dict(inputs.to_dict())
        assert again == inputs and again.casework == SAMPLE_CASEWORK
        assert TEMPLATES[kind].render(again) == TEMPLATES[kind].render(inputs)
    stored = sample_inputs(LetterKind.PATIENT).to_dict()
    assert "casework" not in stored  # a referral letter's stored inputs are as before
    old = LetterInputs.from_dict(stored)
    assert old.casework is None and old == sample_inputs(LetterKind.PATIENT)
    # a casework snapshot written before a field existed reads with its default
    partial = sample_inputs(LetterKind.MESSAGE_BACK).to_dict()
    del partial["casework"]["referrer_contact"]
    assert LetterInputs.from_dict(partial).casework.referrer_contact == ""
