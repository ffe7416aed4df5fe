"""Casework letters made through the letter service from the tables, on SQLite and PostgreSQL:
what they show, what they need first, and that they show this person's case only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from practice_rx.errors import ValidationError
from practice_rx.letters import LetterKind
from practice_rx.services.closing import Closing
from practice_rx.storage.caseload_models import CarePlanVersion
from practice_rx.storage.models import Letter, Referral
from tests.letters.casework_world import OWN_WORDS, add_casework, in_progress, practice
from tests.letters.pdf import text_of


@pytest.fixture
def case(services):
    practice(services)
    case = in_progress(services)
    add_casework(services, case)
    return case


def close(services, case):
    with services.db.reading() as session:
        version = session.get(Referral, case.referral.id).version
    services.closing.close(case.worker.id, case.referral.id, version, Closing(
        "partly", "Joan walks with the group each week.", "She did not go to Citizens Advice."))


def test_the_care_plan_is_built_from_the_tables(services, case):
    made = services.letters.generate(case.worker.id, case.referral.id, LetterKind.CARE_PLAN)
    text = text_of(made.pdf)
    for expected in (OWN_WORDS, "Joan, and her daughter Mary", "Feel less lonely",
                     "phone Citizens Advice about the council tax letter", "By 1 Dec 2026. Done.",
                     "Leeds Walking Friends", "Attending, run by Holbeck Community Trust",
                     "Did not start", "15 Jan 2027", "Nadia Ahmed", "Plan version: 1"):
        assert expected in text, expected
    assert made.record.kind == "care_plan"
    assert made.record.inputs["casework"]["what_matters"] == OWN_WORDS
    assert services.letters.reprint(case.worker.id, made.record.id) == made.pdf


def test_the_message_back_after_closing_has_the_outcome_scores_and_code(services, case):
    close(services, case)
    text = text_of(services.letters.generate(case.gp.id, case.referral.id,
                                             LetterKind.MESSAGE_BACK).pdf)
    for expected in (OWN_WORDS, "Goals met Partly met", "She did not go to Citizens Advice",
                     "Joan walks with the group each week", "1 made, 1 attempted",
                     "Leeds Walking Friends", "Attending (connected)",
                     "Citizens Advice: Did not start",
                     "ONS personal wellbeing (ONS4)", "4 \u2192 6, better",
                     "8 \u2192 4, better (lower is better)", "Loneliness (three-item UCLA scale)",
                     "Total 8 \u2192 4, better (lower is better)",
                     "Baseline 21 Nov 2026; follow-up 10 Feb 2027", "871731000000106",
                     "Referral to social prescribing service (procedure)"):
        assert expected in text, expected
    assert "interim" not in text.lower()
    # a contact note is casework, not the summary: it never reaches the GP's letter
    assert "late husband" not in text


def test_a_message_back_before_closing_is_interim(services, case):
    text = text_of(services.letters.generate(case.worker.id, case.referral.id,
                                             LetterKind.MESSAGE_BACK).pdf)
    assert "(interim)" in text and "Not yet known: the case is still open" in text


def test_no_agreed_plan_no_plan_letter_and_no_message_back(services):
    practice(services)
    case = in_progress(services)
    add_casework(services, case, agreed=False)
    for kind in (LetterKind.CARE_PLAN, LetterKind.CARE_PLAN_LARGE_PRINT,
                 LetterKind.MESSAGE_BACK):
        with pytest.raises(ValidationError) as caught:
            services.letters.generate(case.worker.id, case.referral.id, kind)
        assert set(caught.value.errors) == {"plan"}
    assert services.letters.available(case.worker.id, case.referral.id) == []
    with services.db.reading() as session:
        assert session.scalars(select(Letter)).first() is None
    close(services, case)  # closed without an agreed plan: the GP is still told
    assert services.letters.available(case.worker.id, case.referral.id) == [
        LetterKind.MESSAGE_BACK]
    text = text_of(services.letters.generate(case.worker.id, case.referral.id,
                                             LetterKind.MESSAGE_BACK).pdf)
    assert "No plan was agreed" in text


def test_the_latest_agreed_version_is_the_one_printed(services, case):
    with services.db.transaction() as session:
        session.add(CarePlanVersion(
            referral_id=case.referral.id, number=2, recorded_at=case.referral.created_at,
            recorded_by_id=case.worker.id, what_matters="A draft not yet agreed"))
    text = text_of(services.letters.generate(case.worker.id, case.referral.id,
                                             LetterKind.CARE_PLAN).pdf)
    assert OWN_WORDS in text and "A draft not yet agreed" not in text


def test_a_letter_shows_this_persons_plan_and_no_one_elses(services, case):
    other = in_progress(services, "Olusegun", "Adeyemi", address="7 Ivy Terrace, Leeds",
                        postcode="LS13 2ZZ")
    add_casework(services, other, what_matters="Someone to talk to about money worries.")
    close(services, other)
    for kind in (LetterKind.CARE_PLAN, LetterKind.MESSAGE_BACK):
        text = text_of(services.letters.generate(case.worker.id, case.referral.id, kind).pdf)
        assert OWN_WORDS in text
        for leaked in ("Olusegun", "Adeyemi", "Ivy Terrace", "money worries",
                       "She did not go"):
            assert leaked not in text, (kind, leaked)
    theirs = text_of(services.letters.generate(case.worker.id, other.referral.id,
                                               LetterKind.MESSAGE_BACK).pdf)
    assert "money worries" in theirs and OWN_WORDS not in theirs and "Smithson" not in theirs


def test_a_batch_of_casework_letters_says_why_one_could_not_be_made(services, case):
    other = in_progress(services, "Ruth", "Okoro")  # no plan yet
    items = services.letters.batch(case.worker.id, [case.referral.id, other.referral.id],
                                   LetterKind.CARE_PLAN)
    assert items[0].letter is not None and OWN_WORDS in text_of(items[0].letter.pdf)
    assert items[1].letter is None and items[1].error.startswith("Care plan: no version")
