"""The built-in national referral form: it loads, and a real referral's answers pass."""

from __future__ import annotations

from datetime import date

import pytest

from practice_rx.errors import ValidationError
from practice_rx.forms import (
    OTHER_CODE,
    REFERRAL_REASONS,
    SERVICE_CATEGORIES,
    FieldType,
    clean_answers,
    form_from_dict,
)
from practice_rx.plugins.national.form import national_form

TODAY = date(2026, 11, 24)


def complete_answers() -> dict[str, object]:
    """A realistic, synthetic referral as a GP would fill it in."""
    return {
        "referrer_name": "Dr Asha Patel",
        "referrer_role": "GP",
        "referrer_organisation": "Riverside Surgery (A81001)",
        "referrer_phone": "0113 496 0000",
        "referrer_email": "asha.patel@example.org",
        "consent_given": "yes",
        "consent_to_share": True,
        "consent_method": "in_person",
        "consent_date": "24/11/2026",
        "reasons": ["low_mood", "loneliness", "other"],
        "reasons_other": "Recently moved to the area",
        "what_matters": "Getting out of the house and meeting people who like gardening.",
        "context": "Type 2 diabetes; uses a walking stick.",
        "risk_to_self_or_others": "no",
        "safeguarding_concerns": "no",
        "lone_working_risk": "yes",
        "lone_working_risk_details": "Large dog at home; ask for it to be shut away.",
        "urgency": "routine",
    }


def test_the_national_form_loads_from_its_package_data() -> None:
    form = national_form()

    assert (form.id, form.version, form.title) == ("national", 1, "Social prescribing referral")
    assert [section.key for section in form.sections] == [
        "referrer", "consent", "reasons", "what_matters", "context", "risks", "urgency",
    ]  # fmt: skip
    assert form_from_dict(form.to_dict()) == form


def test_patient_details_are_not_asked_again() -> None:
    keys = {field.key for field in national_form().fields()}

    assert not keys & {"nhs_number", "date_of_birth", "patient_name", "address"}


def test_reasons_offer_exactly_the_shared_reason_codes() -> None:
    reasons = national_form().field("reasons")

    assert reasons.type is FieldType.CODED_REASON and reasons.required
    assert reasons.choices == REFERRAL_REASONS
    assert REFERRAL_REASONS[-1].code == OTHER_CODE


def test_reason_and_category_codes_are_unique() -> None:
    for choices in (REFERRAL_REASONS, SERVICE_CATEGORIES):
        codes = [choice.code for choice in choices]
        assert len(codes) == len(set(codes))
    assert len(SERVICE_CATEGORIES) == 14


def test_a_complete_referral_validates_and_is_normalised() -> None:
    cleaned = clean_answers(national_form(), complete_answers(), today=TODAY)

    assert cleaned["consent_given"] is True
    assert cleaned["consent_date"] == "2026-11-24"
    assert cleaned["reasons"] == ["loneliness", "low_mood", "other"]
    assert cleaned["reasons_other"] == "Recently moved to the area"
    assert "risk_to_self_or_others_details" not in cleaned
    assert cleaned["lone_working_risk_details"] == complete_answers()["lone_working_risk_details"]
    assert clean_answers(national_form(), cleaned, today=TODAY) == cleaned


def test_a_referral_needs_consent_to_be_sent() -> None:
    answers = complete_answers() | {"consent_given": "no", "consent_date": "25/11/2026"}

    with pytest.raises(ValidationError) as caught:
        clean_answers(national_form(), answers, today=TODAY)

    assert caught.value.errors == {
        "consent_given": "The patient agrees to this referral: must be yes before the referral "
        "can be sent",
        "consent_date": "Date consent was given: must be today or in the past",
    }


def test_risk_details_are_required_when_a_risk_is_yes() -> None:
    answers = complete_answers() | {"risk_to_self_or_others": "yes"}

    with pytest.raises(ValidationError) as caught:
        clean_answers(national_form(), answers, today=TODAY)

    assert caught.value.errors == {
        "risk_to_self_or_others_details": "Risk to self or others – details: required when "
        "'Risk to self or others' is yes"
    }


def test_an_empty_draft_is_fine_but_an_empty_referral_lists_what_is_missing() -> None:
    form = national_form()

    assert clean_answers(form, {}, complete=False, today=TODAY) == {}
    with pytest.raises(ValidationError) as caught:
        clean_answers(form, {}, today=TODAY)

    assert set(caught.value.errors) == {
        field.key for field in form.fields() if field.required and field.show_if is None
    }
    assert caught.value.errors["reasons"] == "Reasons for referral: choose at least one"
