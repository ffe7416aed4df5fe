"""Letters as pure functions of their inputs: what they say, and that they say it the same way."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from practice_rx.forms import Choice, FieldType, FormDefinition, FormField, Section, ShowIf
from practice_rx.letters import (
    LetterKind,
    TemplateNotFoundError,
    TemplateSet,
    builtin_templates,
    escape,
)
from practice_rx.letters.content import answer_sections
from practice_rx.letters.inputs import LetterInputs, PatientInfo
from practice_rx.letters.page import CONFIDENTIAL
from practice_rx.letters.samples import SAMPLE_PATIENT, sample_inputs
from practice_rx.letters.templates import (
    CHASER_LETTER,
    PATIENT_LARGE_PRINT_LETTER,
    PATIENT_LETTER,
    REFERRAL_LETTER,
    ComposedTemplate,
    compose_referral,
)
from practice_rx.letters.text import Run, layout_lines
from tests.letters.pdf import page_texts, reader, sized_text, text_of

TEMPLATES = {template.kind: template for template in builtin_templates()}
ROOT = Path(__file__).resolve().parents[2]

OTHER_PATIENT = PatientInfo(
    nhs_number="9990000026",
    given_name="Olusegun",
    family_name="Adeyemi-Brown",
    date_of_birth=date(1988, 7, 2),
    address="7 Ivy Terrace\nBramley\nLeeds",
    postcode="LS13 2ZZ",
    phone="0113 496 0999",
)


def render(kind: LetterKind | str, **changes) -> bytes:
    inputs = sample_inputs(kind)
    if changes:
        inputs = replace(inputs, **changes)
    return TEMPLATES[LetterKind(kind)].render(inputs)


# -- what the letters say ---------------------------------------------------------------


def test_referral_letter_names_the_patient_service_and_answers() -> None:
    text = text_of(render(LetterKind.REFERRAL))
    for expected in (
        "Joan Smithson", "999 000 0018", "14 Mar 1951", "Leeds Walking Friends",
        "Riverside Medical Practice", "ODS code B86999", "24 Nov 2026", "PRX-000042",
        "Loneliness or social isolation", "Physical activity and healthy lifestyle",
        "Other: Recently moved to the area after her husband died",
        "I'd like to get out of the flat more and meet people",
        "Type 2 diabetes", "Small dog at home", "Lone-working risk for home visits",
        "The patient agrees to this referral", "In person", "Routine",
        "Dr Asha Patel", "asha.patel@example.nhs.uk", "Hard of hearing",
    ):
        assert expected in text, expected
    assert "9990000018" not in text  # always shown 3-3-4
    # hidden questions (their yes/no said no) are left out
    assert "Risk to self or others – details" not in text
    assert "Safeguarding concerns – details" not in text


def test_answers_are_laid_out_in_the_forms_section_order() -> None:
    text = text_of(render(LetterKind.REFERRAL))
    titles = ["Patient", "Referrer", "Consent", "Reasons for referral",
              "What matters to the patient", "Relevant health and social context", "Risks",
              "Urgency", "Referrer and contact details"]
    at = text.index("Dear colleague")
    for title in titles:  # each found after the one before
        at = text.index(title, at + 1)


@pytest.mark.parametrize("kind", list(LetterKind))
def test_no_letter_holds_another_patients_data(kind: LetterKind) -> None:
    mine = text_of(render(kind))
    theirs = text_of(render(kind, patient=OTHER_PATIENT))
    assert "Joan Smithson" in mine and "Olusegun" in theirs
    for detail in ("Olusegun", "Adeyemi-Brown", "999 000 0026", "Ivy Terrace", "LS13 2ZZ",
                   "0113 496 0999", "2 Jul 1988"):
        assert detail not in mine
    for detail in ("Smithson", "999 000 0018", "Elm Grove", "LS12 3QT", "0113 496 0456"):
        assert detail not in theirs


def test_patient_letter_is_plain_english_with_the_due_date_and_contacts() -> None:
    text = text_of(render(LetterKind.PATIENT))
    for expected in (
        "You have been referred to Leeds Walking Friends", "Dear Joan Smithson",
        "will contact you by 8 Dec 2026", "What happens next", "If nobody contacts you",
        "If you have not heard from them by 8 Dec 2026", "0113 496 0789",
        "walks@example.org.uk", "Monday to Friday, 9am to 4pm",
        "call the practice on 0113 496 0123",
        "999 000 0018",
    ):
        assert expected in text, expected
    # the patient letter is about the patient, not the clinical detail sent to the service
    assert "Type 2 diabetes" not in text and "Small dog" not in text
    assert "Flat 3, 41 Elm Grove" in text  # the address window


def test_patient_letter_without_a_due_date_gives_the_window() -> None:
    inputs = sample_inputs(LetterKind.PATIENT)
    inputs = replace(inputs, referral=replace(inputs.referral, response_due_on=None))
    text = text_of(PATIENT_LETTER.render(inputs))
    assert "within 10 working days" in text


def test_chaser_says_when_it_was_sent_and_due() -> None:
    text = text_of(render(LetterKind.CHASER))
    for expected in ("Overdue referral", "on 2 Nov 2026", "response by 16 Nov 2026",
                     "PRX-000042", "Joan Smithson", "999 000 0018", "Response was due",
                     "Leeds Walking Friends"):
        assert expected in text, expected


def test_chaser_for_an_accepted_referral_asks_about_contact() -> None:
    inputs = sample_inputs(LetterKind.CHASER)
    inputs = replace(inputs, referral=replace(inputs.referral, status="accepted",
                                              accepted_on=date(2026, 11, 10)))
    text = text_of(CHASER_LETTER.render(inputs))
    assert "You accepted our referral of the patient below on 10 Nov 2026" in text
    assert "whether you have contacted the patient" in text


@pytest.mark.parametrize("kind", list(LetterKind))
def test_every_page_is_marked_confidential_and_numbered(kind: LetterKind) -> None:
    pages = page_texts(render(kind))
    for number, page in enumerate(pages, start=1):
        assert CONFIDENTIAL in page
        assert f"Page {number} of {len(pages)}" in page


def test_later_pages_name_the_patient() -> None:
    pages = page_texts(render(LetterKind.REFERRAL))
    assert len(pages) >= 2
    for page in pages[1:]:
        assert "Joan Smithson, NHS number 999 000 0018" in page


def test_a_long_answer_flows_over_pages_without_losing_words() -> None:
    story = " ".join(f"word{number}" for number in range(700))  # about 4,000 characters
    inputs = sample_inputs()
    inputs = replace(inputs, answers={**inputs.answers, "what_matters": story})
    pdf = REFERRAL_LETTER.render(inputs)
    text = text_of(pdf)
    assert len(reader(pdf).pages) >= 3
    assert all(f"word{number} " in text + " " for number in range(700))


def test_user_text_is_printed_literally_never_as_markup() -> None:
    inputs = sample_inputs()
    tricky = "<b>Tom & Jerry</b> <font size=40>big</font> &amp; <br/>"
    inputs = replace(inputs, answers={**inputs.answers, "what_matters": tricky})
    assert tricky in text_of(REFERRAL_LETTER.render(inputs))
    assert escape("<b>A & B</b>\nC") == "&lt;b&gt;A &amp; B&lt;/b&gt;<br/>C"


def test_accented_names_print() -> None:
    patient = replace(SAMPLE_PATIENT, given_name="Zoë", family_name="Ó Súilleabháin-Łukasz")
    assert "Zoë Ó Súilleabháin-Łukasz" in text_of(render(LetterKind.PATIENT, patient=patient))


# -- every field type -----------------------------------------------------------------------


def every_type_form() -> FormDefinition:
    yes_no = FormField("has_pet", "Has a pet", FieldType.YES_NO)
    return FormDefinition(
        id="every_type", version=3, title="Every field type",
        sections=(
            Section("words", "Words", (
                FormField("nickname", "Nickname", FieldType.TEXT),
                FormField("story", "Their story", FieldType.LONG_TEXT),
                FormField("unanswered", "A question left blank", FieldType.TEXT),
            )),
            Section("numbers", "Numbers and dates", (
                FormField("visits", "GP visits this year", FieldType.NUMBER),
                FormField("hours", "Hours alone each day", FieldType.NUMBER),
                FormField("moved_on", "Date moved in", FieldType.DATE),
            )),
            Section("choices", "Choices", (
                yes_no,
                FormField("pet_name", "Pet's name", FieldType.TEXT,
                          show_if=ShowIf("has_pet", True)),
                FormField("has_car", "Drives", FieldType.YES_NO),
                FormField("car_make", "Car make", FieldType.TEXT,
                          show_if=ShowIf("has_car", True)),
                FormField("tenure", "Housing", FieldType.SINGLE_CHOICE, choices=(
                    Choice("own", "Owns their home"), Choice("rent", "Rents privately"))),
                FormField("hobbies", "Hobbies", FieldType.MULTIPLE_CHOICE, choices=(
                    Choice("knit", "Knitting"), Choice("walk", "Walking"),
                    Choice("chess", "Chess"))),
            )),
            Section("core", "Core questions", (
                FormField("consent_given", "Agrees", FieldType.YES_NO, required=True,
                          must_be_yes=True),
                FormField("consent_to_share", "Agrees to share", FieldType.YES_NO,
                          required=True, must_be_yes=True),
                FormField("consent_method", "Consent how", FieldType.SINGLE_CHOICE,
                          required=True, choices=(Choice("in_person", "Face to face"),
                                                  Choice("phone", "On the phone"),
                                                  Choice("video", "On video"))),
                FormField("consent_date", "Consent when", FieldType.DATE, required=True),
                FormField("reasons", "Why", FieldType.CODED_REASON, required=True, choices=(
                    Choice("loneliness", "Feeling lonely"), Choice("housing", "Housing"),
                    Choice("other", "Something else"))),
                FormField("urgency", "How soon", FieldType.SINGLE_CHOICE, required=True,
                          choices=(Choice("routine", "Routine"), Choice("soon", "Soon"))),
            )),
        ),
    )


def test_every_field_type_prints_as_people_read_it() -> None:
    form = every_type_form()
    inputs = sample_inputs()
    inputs = replace(
        inputs,
        form=form.to_dict(),
        answers={
            "nickname": "Jo", "story": "First line\nSecond line", "visits": 12, "hours": 2.5,
            "moved_on": "2025-02-03", "has_pet": True, "pet_name": "Biscuit", "has_car": False,
            "car_make": "left over from before", "tenure": "rent", "hobbies": ["knit", "chess"],
            "consent_given": True, "consent_to_share": True, "consent_method": "phone",
            "consent_date": "2026-11-20", "reasons": ["loneliness"], "urgency": "routine",
        },
        referral=replace(inputs.referral, reasons=("loneliness", "other"),
                         reason_labels=("Feeling lonely", "Something else"),
                         reason_other="Moved house", consent_method="in_person",
                         consent_method_label="Face to face", consent_on=date(2026, 11, 21)),
    )
    rows = {label: value for block in answer_sections(inputs) for label, value in block.rows}
    assert rows["Nickname"] == "Jo"
    assert rows["Their story"] == "First line\nSecond line"
    assert rows["A question left blank"] == "Not answered"
    assert rows["GP visits this year"] == "12"
    assert rows["Hours alone each day"] == "2.5"
    assert rows["Date moved in"] == "3 Feb 2025"
    assert rows["Has a pet"] == "Yes" and rows["Pet's name"] == "Biscuit"
    assert rows["Drives"] == "No" and "Car make" not in rows  # hidden by its condition
    assert rows["Housing"] == "Rents privately"
    assert rows["Hobbies"] == "• Knitting\n• Chess"
    # core questions print the referral's columns, not stale answers
    assert rows["Why"] == "• Feeling lonely\n• Something else: Moved house"
    assert rows["Consent how"] == "Face to face"
    assert rows["Consent when"] == "21 Nov 2026"

    text = text_of(REFERRAL_LETTER.render(inputs))
    for expected in ("Words", "Numbers and dates", "Choices", "Core questions", "Nickname Jo",
                     "First line Second line", "GP visits this year 12",
                     "Hours alone each day 2.5", "Date moved in 3 Feb 2025", "Has a pet Yes",
                     "Pet's name Biscuit", "Drives No", "Housing Rents privately",
                     "• Knitting • Chess", "• Something else: Moved house",
                     "Consent how Face to face", "Consent when 21 Nov 2026",
                     "A question left blank Not answered"):
        assert expected in text, expected
    assert "Car make" not in text and "left over" not in text


def test_a_referral_without_a_form_still_shows_reasons_consent_and_urgency() -> None:
    inputs = replace(sample_inputs(), form={}, answers={})
    text = text_of(REFERRAL_LETTER.render(inputs))
    for expected in ("Reasons for referral", "Loneliness or social isolation",
                     "The patient agrees to this referral Yes", "How consent was given In person",
                     "Urgency Routine", "Referred by Dr Asha Patel, GP"):
        assert expected in text, expected


# -- large print ------------------------------------------------------------------------------


def test_large_print_uses_16_point_type_or_larger_for_what_the_patient_reads() -> None:
    standard = sized_text(render(LetterKind.PATIENT))
    large = sized_text(render(LetterKind.PATIENT_LARGE_PRINT))
    # the letterhead and the envelope window keep their usual size; all else is large
    fixed = {"Riverside Medical Practice", "12 Canal Street", "Holbeck", "Leeds", "LS11 5AB",
             "Phone 0113 496 0123", "Email riverside.practice@example.nhs.uk", "ODS code B86999",
             "Joan Smithson", "Flat 3, 41 Elm Grove", "Armley", "LS12 3QT"}
    body = [piece for piece in large if piece.text not in fixed]
    assert body and min(piece.size for piece in body) >= 16
    assert max(piece.size for piece in standard if "What happens next" in piece.text) < 16
    assert any("What happens next" in piece.text and piece.size >= 16 for piece in large)
    assert text_of(render(LetterKind.PATIENT_LARGE_PRINT)).count("will contact you by") == 1


# -- bytes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(LetterKind))
def test_same_inputs_give_byte_identical_pdfs(kind: LetterKind) -> None:
    assert render(kind) == render(kind)


def test_output_does_not_depend_on_what_was_rendered_before() -> None:
    first = render(LetterKind.REFERRAL)
    render(LetterKind.REFERRAL, patient=replace(SAMPLE_PATIENT, given_name="Zoë Ångström"))
    render(LetterKind.PATIENT_LARGE_PRINT)
    assert render(LetterKind.REFERRAL) == first


def test_same_bytes_in_a_fresh_process() -> None:
    script = ("import hashlib; from practice_rx.letters import builtin_templates; "
              "from practice_rx.letters.samples import sample_inputs; "
              "print(hashlib.sha256(builtin_templates()[0].render(sample_inputs())).hexdigest())")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, cwd=ROOT, check=True)
    assert result.stdout.strip() == hashlib.sha256(render(LetterKind.REFERRAL)).hexdigest()


def test_inputs_survive_a_json_round_trip_and_render_the_same() -> None:
    for kind in LetterKind:
        inputs = sample_inputs(kind)
        again = LetterInputs.from_dict(inputs.to_dict())
        assert again == inputs
        assert TEMPLATES[kind].render(again) == TEMPLATES[kind].render(inputs)


def test_fonts_are_embedded_and_metadata_names_no_patient() -> None:
    pdf = render(LetterKind.REFERRAL)
    document = reader(pdf)
    fonts = set()
    for page in document.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor  # the TrueType program itself is in the PDF
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= fonts
    metadata = " ".join(str(value) for value in document.metadata.values())
    assert "Smithson" not in metadata and "999" not in metadata
    assert document.metadata.title == "Social prescribing referral"


# -- templates ------------------------------------------------------------------------------------


def test_builtin_templates_cover_every_kind_once() -> None:
    kinds = [template.kind for template in builtin_templates()]
    assert sorted(kinds) == sorted(LetterKind)
    assert PATIENT_LARGE_PRINT_LETTER.look.large_print


def test_a_plugin_template_replaces_the_builtin_and_old_versions_stay_findable() -> None:
    local = ComposedTemplate("leeds.referral", 2, LetterKind.REFERRAL, "Leeds referral",
                             compose_referral)
    old = replace(local, version=1)
    templates = TemplateSet([*builtin_templates(), old, local])
    assert templates.default(LetterKind.REFERRAL) is local
    assert templates.default("chaser") is CHASER_LETTER
    assert templates.find("leeds.referral", 1) is old
    assert templates.find("practice_rx.referral", 1) is REFERRAL_LETTER
    with pytest.raises(TemplateNotFoundError, match="'leeds.referral' version 3 is not installed"):
        templates.find("leeds.referral", 3)
    with pytest.raises(TemplateNotFoundError, match="No letter template"):
        TemplateSet([]).default(LetterKind.PATIENT)


# -- text layout --------------------------------------------------------------------------------


def test_lines_wrap_within_the_width_and_keep_every_word() -> None:
    words = "the quick brown fox jumps over the lazy dog " * 20
    lines = layout_lines([Run(words)], 10, 200)
    assert all(width <= 200 for width, _ in lines)
    assert " ".join("".join(text for _, text in pieces) for _, pieces in lines).split() == \
        words.split()


def test_an_overlong_word_is_broken_and_no_break_spaces_hold() -> None:
    lines = layout_lines([Run("x" * 200)], 10, 100)
    assert len(lines) > 1 and all(width <= 100 for width, _ in lines)
    joined = layout_lines([Run("call 0113\u00a0496\u00a00123 today")], 10, 90)
    assert len(joined) > 1
    assert any("0113\u00a0496\u00a00123" in text for _, pieces in joined for _, text in pieces)


def test_bold_runs_keep_their_spacing() -> None:
    lines = layout_lines([Run("by "), Run("8 Dec", bold=True), Run(", thanks")], 10, 500)
    assert [font for _, pieces in lines for font, _ in pieces] == [
        "PracticeRxSans", "PracticeRxSans-Bold", "PracticeRxSans"]
    assert "".join(text for _, pieces in lines for _, text in pieces) == "by 8 Dec, thanks"


def test_a_practice_logo_is_drawn_and_output_stays_deterministic(tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 120), (0, 94, 184)).save(logo)
    inputs = sample_inputs()
    with_logo = replace(inputs, practice=replace(inputs.practice, logo=str(logo)))
    pdf = REFERRAL_LETTER.render(with_logo)
    assert pdf == REFERRAL_LETTER.render(with_logo)
    images = reader(pdf).pages[0].images
    assert len(images) == 1
    assert len(reader(REFERRAL_LETTER.render(inputs)).pages[0].images) == 0
