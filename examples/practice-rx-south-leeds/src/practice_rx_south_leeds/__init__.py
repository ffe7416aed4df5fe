"""South Leeds PCN's PracticeRx plugin (a fictional example of a local area's plugin).

Found by PracticeRx through the ``practice_rx`` entry point in pyproject.toml.
"""

from __future__ import annotations

import csv
import os
from importlib.resources import files
from pathlib import Path

from practice_rx import hookimpl
from practice_rx.catalogue_files import load_catalogue_file
from practice_rx.forms import FormDefinition, form_from_dict
from practice_rx.plugin_api import (
    ActionResult,
    ReferralAction,
    ReferralSnapshot,
    Report,
    StatusChange,
)
from practice_rx.plugins.national.form import national_form

#: The PracticeRx plugin API versions this plugin is written for (see docs/plugins.md).
PRACTICE_RX_API = ">=1.1,<2"
FORM_ID = "south_leeds"
EXPORT_ENV = "SOUTH_LEEDS_EXPORT_FILE"

HOUSING_AND_MONEY = {
    "key": "housing_and_money",
    "title": "Housing and money",
    "help": "Helps the PCN's housing and welfare rights workers pick up the referral.",
    "fields": [
        {"key": "tenure", "label": "Housing", "type": "single_choice", "required": True,
         "choices": [{"code": "owner", "label": "Owns their home"},
                     {"code": "council", "label": "Council or housing association tenant"},
                     {"code": "private", "label": "Private tenant"},
                     {"code": "no_fixed_abode", "label": "No fixed address"}]},
        {"key": "at_risk_of_eviction", "label": "At risk of losing their home", "type": "yes_no",
         "required": True},
        {"key": "eviction_date", "label": "Date they must leave by", "type": "date",
         "show_if": {"field": "at_risk_of_eviction", "equals": True}},
        {"key": "monthly_debt_repayments", "label": "Monthly debt repayments (£)",
         "type": "number", "min_value": 0, "max_value": 100000},
        {"key": "benefits", "label": "Benefits received", "type": "multiple_choice",
         "choices": [{"code": "universal_credit", "label": "Universal Credit"},
                     {"code": "pip", "label": "Personal Independence Payment"},
                     {"code": "pension_credit", "label": "Pension Credit"},
                     {"code": "none", "label": "None"}]},
    ],
}


def south_leeds_form() -> FormDefinition:
    """The national form with a Housing and money section before the risks."""
    data = national_form().to_dict()
    data.update(id=FORM_ID, version=1, title="South Leeds social prescribing referral")
    sections = list(data["sections"])
    sections.insert(len(sections) - 2, HOUSING_AND_MONEY)
    data["sections"] = sections
    return form_from_dict(data, source="practice-rx-south-leeds")


@hookimpl
def practice_rx_register_referral_forms() -> list[FormDefinition]:
    return [south_leeds_form()]


HOUSING_PLAN = {
    "key": "south_leeds_housing_plan",
    "title": "Housing and money plan (South Leeds PCN)",
    "help": "Filled in with the person when housing or money is one of the reasons.",
    "fields": [
        {"key": "housing_options_booked", "label": "Housing options appointment booked",
         "type": "yes_no"},
        {"key": "housing_options_date", "label": "Appointment date", "type": "date",
         "show_if": {"field": "housing_options_booked", "equals": True}},
        {"key": "welfare_rights_check", "label": "Benefits check by the welfare rights worker",
         "type": "single_choice",
         "choices": [{"code": "not_needed", "label": "Not needed"},
                     {"code": "booked", "label": "Booked"},
                     {"code": "done", "label": "Done"}]},
    ],
}


@hookimpl
def practice_rx_register_plan_sections() -> list[dict[str, object]]:
    """The PCN's housing and money workers pick up from this part of the plan."""
    return [HOUSING_PLAN]


@hookimpl
def practice_rx_register_services(report: Report) -> list[object]:
    """The PCN's services; a bad row is a warning to the practice, the good rows are kept."""
    catalogue = load_catalogue_file(files(__name__) / "services.csv")
    report.each(catalogue.problems)
    return list(catalogue.services)


@hookimpl
def practice_rx_default_form_id() -> str:
    return FORM_ID


@hookimpl
def practice_rx_validate_referral(referral: ReferralSnapshot) -> dict[str, str] | None:
    """A patient with no fixed address is referred for housing too (a PCN rule)."""
    if referral.form_id == FORM_ID and referral.answers.get("tenure") == "no_fixed_abode" \
            and "housing" not in referral.reasons:
        return {"reasons": "Reasons: choose Housing for a patient with no fixed address "
                           "(South Leeds PCN)"}
    return None


@hookimpl
def practice_rx_referral_status_changed(change: StatusChange) -> None:
    """Append each change to the PCN's monthly export file, when one is configured."""
    path = os.environ.get(EXPORT_ENV)
    if not path:
        return
    new = not Path(path).exists()
    with open(path, "a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(["referral_id", "from", "to", "at", "snomed_code", "service"])
        writer.writerow([change.referral.referral_id, change.from_status or "", change.to_status,
                         change.at.isoformat(timespec="seconds"), change.snomed_code,
                         change.referral.service_external_id])


def _summary(referral: ReferralSnapshot) -> ActionResult:
    reasons = ", ".join(referral.reasons) or "none"
    return ActionResult(f"Referral {referral.referral_id} to {referral.service_name or 'no service'}"
                        f" ({referral.status}); reasons: {reasons}")


@hookimpl
def practice_rx_register_referral_actions() -> list[ReferralAction]:
    return [ReferralAction(id="south_leeds_summary", label="PCN summary", run=_summary,
                           help="A one-line summary for the PCN's weekly huddle",
                           statuses=frozenset({"sent", "accepted", "contacted", "in_progress"}))]
