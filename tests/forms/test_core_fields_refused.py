"""A plugin's form is refused unless its core fields have the right type, codes and flags.

The core files, counts and gates referrals by consent, reasons and urgency, so a
form that words them its own way must keep their keys, types and codes, ask them
always, and require yes to consent. Each break below is one a plugin author could
make; each is refused by ``core_field_problems`` with a message naming the field,
and by the form sync, which installs nothing for it.
"""

from __future__ import annotations

import pytest

from practice_rx.domain.reasons import REFERRAL_REASONS
from practice_rx.forms import form_from_dict
from practice_rx.forms.core import core_field_problems
from practice_rx.plugins.national.form import national_form
from practice_rx.storage.models import FormDefinitionRecord


def national_with(key: str, **changes) -> dict:
    """The national form's definition, as another plugin's, with one core field changed."""
    data = national_form().to_dict()
    data["id"] = "area_form"
    for section in data["sections"]:
        for field in section["fields"]:
            if field["key"] == key:
                field.update(changes)
                for name in [name for name, value in changes.items() if value is None]:
                    del field[name]
                return data
    raise AssertionError(key)


def choices(*codes: str) -> list[dict]:
    return [{"code": code, "label": code.replace("_", " ").capitalize()} for code in codes]


REASONS = sorted(REFERRAL_REASONS)

BREAKS = {
    # the wrong type
    "urgency as text": (("urgency", {"type": "text", "choices": None}),
                        "'urgency': must be a single_choice field, not text"),
    "consent given as a choice": (
        ("consent_given", {"type": "single_choice", "must_be_yes": None,
                               "choices": choices("yes", "no")}),
        "'consent_given': must be a yes_no field, not single_choice"),
    "consent date as text": (("consent_date", {"type": "text", "not_future": None}),
                             "'consent_date': must be a date field, not text"),
    "reasons as a multiple choice": (
        ("reasons", {"type": "multiple_choice", "max_length": None}),
        "'reasons': must be a coded_reason field, not multiple_choice"),
    "consent method as several": (
        ("consent_method", {"type": "multiple_choice"}),
        "'consent_method': must be a single_choice field, not multiple_choice"),
    # the wrong codes
    "an urgency code added": (("urgency", {"choices": choices("routine", "soon", "urgent")}),
                              "'urgency': choices must be exactly routine, soon"),
    "an urgency code missing": (("urgency", {"choices": choices("routine")}),
                                "'urgency': choices must be exactly routine, soon"),
    "an urgency code renamed": (("urgency", {"choices": choices("routine", "asap")}),
                                "'urgency': choices must be exactly routine, soon"),
    "no video consent": (("consent_method", {"choices": choices("in_person", "phone")}),
                         "'consent_method': choices must be exactly in_person, phone, video"),
    "a reason missing": (("reasons", {"choices": choices(*REASONS[1:])}),
                         f"'reasons': choices must be exactly {', '.join(REASONS)}"),
    "a reason of its own": (("reasons", {"choices": choices(*REASONS, "gardening")}),
                            f"'reasons': choices must be exactly {', '.join(REASONS)}"),
    # not required, or not always asked
    "urgency optional": (("urgency", {"required": False}),
                         "'urgency': must be required and always shown"),
    "reasons optional": (("reasons", {"required": False}),
                         "'reasons': must be required and always shown"),
    "consent date optional": (("consent_date", {"required": False}),
                              "'consent_date': must be required and always shown"),
    "consent to share optional": (
        ("consent_to_share", {"required": False, "must_be_yes": None}),  # the parser needs both
        ("'consent_to_share': must be required and always shown",
         "'consent_to_share': must set must_be_yes, so no referral is sent without it")),
    "consent method only sometimes": (
        ("consent_method", {"show_if": {"field": "consent_given", "equals": True}}),
        "'consent_method': must be required and always shown"),
    # consent that need not be yes
    "consent given may be no": (("consent_given", {"must_be_yes": False}),
                                ("'consent_given': must set must_be_yes, so no referral is "
                                "sent without it")),
    "sharing may be refused": (("consent_to_share", {"must_be_yes": False}),
                               ("'consent_to_share': must set must_be_yes, so no referral is "
                               "sent without it")),
}


def test_the_national_form_has_no_problem():
    assert core_field_problems(national_form()) == []


@pytest.mark.parametrize("name", list(BREAKS))
def test_each_break_is_named(name):
    (key, changes), message = BREAKS[name]
    problems = core_field_problems(form_from_dict(national_with(key, **changes)))
    assert problems == ([message] if isinstance(message, str) else list(message))


@pytest.mark.parametrize("name", ["urgency as text", "a reason missing", "urgency optional",
                                  "consent method only sometimes", "consent given may be no"])
def test_the_sync_installs_no_form_with_a_broken_core_field(services, db, name):
    (key, changes), message = BREAKS[name]
    form = form_from_dict(national_with(key, **changes))
    [(plugin, problem)] = services.forms.sync([("area_plugin", form)])
    assert plugin == "area_plugin" and message in problem
    with db.reading() as session:
        assert session.get(FormDefinitionRecord, ("area_form", 1)) is None
    assert services.forms.sync([("area_plugin", form_from_dict(national_with("urgency")))]) \
        == []  # the same form with its core fields as they should be installs


def test_a_missing_core_field_is_named_and_the_others_still_checked():
    data = national_with("urgency", type="text", choices=None)
    for section in data["sections"]:
        section["fields"] = [f for f in section["fields"] if f["key"] != "consent_given"]
    assert core_field_problems(form_from_dict(data)) == [
        "'consent_given': every referral form must ask this (yes_no)",
        "'urgency': must be a single_choice field, not text",
    ]
