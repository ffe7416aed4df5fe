"""South Leeds' plugin, tested as its authors would: through practice_rx.testing alone.

Each test gets PracticeRx started on a new database with this plugin installed;
any problem the plugin host records fails the test.
"""

from __future__ import annotations

import csv

LEEDS_ANSWERS = {"tenure": "council", "at_risk_of_eviction": False}


def test_the_catalogue_loads_with_no_problems(practice_rx_kit):
    ours = practice_rx_kit.services.catalogue.search(plugin="south_leeds")
    assert len(ours) == 32
    assert {s.category for s in ours} >= {"befriending", "money_advice", "housing"}
    assert practice_rx_kit.problems() == []
    assert practice_rx_kit.warnings() == []  # no bad rows in services.csv


def test_its_form_is_the_default_and_asks_about_housing(practice_rx_kit):
    assert practice_rx_kit.form() == ("south_leeds", 1)
    form = practice_rx_kit.form_definition()
    assert "Housing and money" in [section.title for section in form.sections]
    assert form.field("tenure").required


def test_no_fixed_address_needs_housing_among_the_reasons(practice_rx_kit):
    draft = practice_rx_kit.draft(answers={**LEEDS_ANSWERS, "tenure": "no_fixed_abode",
                                           "reasons": ["loneliness"]})
    expected = {"reasons": "Reasons: choose Housing for a patient with no fixed address "
                           "(South Leeds PCN)"}
    assert practice_rx_kit.validate(draft) == expected
    assert practice_rx_kit.send_problems(draft) == expected
    assert practice_rx_kit.reload(draft).status == "draft"  # refused: nothing was sent


def test_no_fixed_address_with_housing_is_sent(practice_rx_kit):
    sent = practice_rx_kit.refer(answers={**LEEDS_ANSWERS, "tenure": "no_fixed_abode",
                                          "reasons": ["housing", "loneliness"]})
    assert sent.status == "sent"


def test_status_changes_are_appended_to_the_export_file(practice_rx_kit, tmp_path,
                                                        monkeypatch):
    export = tmp_path / "changes.csv"
    monkeypatch.setenv("SOUTH_LEEDS_EXPORT_FILE", str(export))
    sent = practice_rx_kit.refer(service="sl-004", answers=LEEDS_ANSWERS)
    practice_rx_kit.change_status(sent, "accepted")
    rows = list(csv.DictReader(export.open(encoding="utf-8")))
    assert [(row["from"], row["to"]) for row in rows] == [("draft", "sent"),
                                                          ("sent", "accepted")]
    assert {row["referral_id"] for row in rows} == {str(sent.id)}
    assert rows[0]["service"] == "sl-004"


def test_the_summary_action_names_the_service_and_reasons(practice_rx_kit):
    sent = practice_rx_kit.refer(answers={**LEEDS_ANSWERS, "reasons": ["money", "housing"]})
    service = practice_rx_kit.reload(sent).service.name
    result = practice_rx_kit.action("south_leeds_summary", sent)
    assert result.ok
    assert result.message == (f"Referral {sent.id} to {service} (sent); "
                              "reasons: money, housing")


def test_a_referral_letter_renders(practice_rx_kit):
    sent = practice_rx_kit.refer(answers=LEEDS_ANSWERS)
    letter = practice_rx_kit.letter(sent, "referral")
    assert letter.pdf.startswith(b"%PDF")
    if letter.text is not None:  # pypdf is installed
        assert practice_rx_kit.reload(sent).service.name in letter.text


def test_the_housing_plan_section_is_kept_with_the_plan_and_printed_for_the_person(
        practice_rx_kit):
    case = practice_rx_kit.case(answers=LEEDS_ANSWERS)
    practice_rx_kit.agree_plan(case, sections={"south_leeds_housing_plan": {
        "housing_options_booked": True, "housing_options_date": "2026-12-14",
        "welfare_rights_check": "booked"}})
    letter = practice_rx_kit.letter(case, "care_plan")
    if letter.text is not None:  # pypdf is installed
        words = " ".join(letter.text.split())  # labels wrap in their column
        assert "Housing and money plan (South Leeds PCN)" in words
        assert "Housing options appointment booked Yes" in words
        assert "Benefits check by the welfare rights worker Booked" in words


def test_an_outcome_questionnaire_is_scored_on_the_case(practice_rx_kit):
    case = practice_rx_kit.case(answers=LEEDS_ANSWERS)
    result = practice_rx_kit.record_measure(case, "ucla3", {
        "lack_companionship": 3, "left_out": 2, "isolated": 3})
    assert result.scores == {"total": 8.0}
