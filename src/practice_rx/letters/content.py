"""What a letter says, as plain strings: answers by section, patient details, contact lines.

Kept apart from layout so a plugin's template can reuse the wording with its own
look, and so the tests can check the words without reading a PDF.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from practice_rx.domain.identifiers import format_date, format_nhs_number
from practice_rx.forms import OTHER_CODE, FieldType, FormField, is_visible
from practice_rx.letters.inputs import CONTACT_METHOD_LABELS, LetterInputs, ReferralFacts

NOT_ANSWERED = "Not answered"
NOT_RECORDED = "Not recorded"
BULLET = "\u2022 "

# Answers the referral's columns hold too; the letter prints the column values.
CORE_KEYS = frozenset({"consent_given", "consent_to_share", "consent_method", "consent_date",
                       "reasons", "urgency"})


@dataclass(frozen=True)
class SectionRows:
    """One section of a letter: a title and its (label, value) rows."""

    title: str
    rows: tuple[tuple[str, str], ...]


def yes_no(value: object) -> str:
    return "Yes" if value is True else "No" if value is False else NOT_ANSWERED


def show_number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def show_iso_date(value: object) -> str:
    if isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def answer_text(field: FormField, answers: Mapping[str, object]) -> str:
    """How one answer reads on paper: labels for codes, ``24 Nov 2026`` for dates."""
    value = answers.get(field.key)
    if value is None or value == "" or value == () or value == []:
        return NOT_ANSWERED
    kind = field.type
    if kind in (FieldType.TEXT, FieldType.LONG_TEXT):
        return str(value)
    if kind is FieldType.NUMBER:
        return show_number(value)
    if kind is FieldType.DATE:
        return show_iso_date(value)
    if kind is FieldType.YES_NO:
        return yes_no(value)
    if kind is FieldType.SINGLE_CHOICE:
        return field.choice_label(str(value))
    codes = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    lines = []
    for code in codes:
        label = field.choice_label(str(code))
        other = answers.get(field.other_text_key or "") if code == OTHER_CODE else None
        lines.append(f"{BULLET}{label}: {other}" if isinstance(other, str) and other else
                     f"{BULLET}{label}")
    return "\n".join(lines)


def core_answers(facts: ReferralFacts) -> dict[str, object]:
    """The core facts in answer form, so the columns win over any stale answer."""
    values: dict[str, object] = {
        "consent_given": facts.consent_given,
        "consent_to_share": facts.consent_to_share,
        "reasons": list(facts.reasons),
        "reasons_other": facts.reason_other,
        "urgency": facts.urgency,
    }
    if facts.consent_method:
        values["consent_method"] = facts.consent_method
    if facts.consent_on:
        values["consent_date"] = facts.consent_on.isoformat()
    return values


def reasons_text(facts: ReferralFacts) -> str:
    lines = []
    for code, label in zip(facts.reasons, facts.reason_labels, strict=True):
        if code == OTHER_CODE and facts.reason_other:
            lines.append(f"{BULLET}{label}: {facts.reason_other}")
        else:
            lines.append(f"{BULLET}{label}")
    return "\n".join(lines) or NOT_ANSWERED


def answer_sections(inputs: LetterInputs) -> list[SectionRows]:
    """The form's sections with their visible questions, answered; core facts from the columns.

    A referral without a form still shows its reasons, consent and urgency.
    """
    form = inputs.form_definition
    facts = inputs.referral
    if form is None:
        return _core_sections(facts)
    answers = {**inputs.answers, **core_answers(facts)}
    sections = []
    for section in form.sections:
        rows = tuple(
            (field.label, answer_text(field, answers))
            for field in section.fields
            if is_visible(field, answers)
        )
        if rows:
            sections.append(SectionRows(section.title, rows))
    return sections


def _core_sections(facts: ReferralFacts) -> list[SectionRows]:
    consent_on = format_date(facts.consent_on) if facts.consent_on else NOT_ANSWERED
    return [
        SectionRows("Reasons for referral", (("Reasons for referral", reasons_text(facts)),)),
        SectionRows("Consent", (
            ("The patient agrees to this referral", yes_no(facts.consent_given)),
            ("The patient agrees to their information being shared with the service",
             yes_no(facts.consent_to_share)),
            ("How consent was given", facts.consent_method_label or NOT_ANSWERED),
            ("Date consent was given", consent_on),
        )),
        SectionRows("Urgency", (("Urgency", facts.urgency_label),)),
    ]


def address_lines(address: str, postcode: str = "") -> list[str]:
    """An address as lines for an envelope window: its own lines, or split at commas if one line."""
    text = address.strip()
    parts = text.splitlines() if "\n" in text else text.split(",")
    lines = [part.strip() for part in parts if part.strip()]
    if postcode and postcode.strip() and postcode.strip() not in lines:
        lines.append(postcode.strip())
    return lines


def patient_rows(inputs: LetterInputs, *, full: bool = True) -> tuple[tuple[str, str], ...]:
    """The patient's details from their record (never retyped into the form)."""
    patient = inputs.patient
    rows = [
        ("Name", patient.full_name),
        ("NHS number", format_nhs_number(patient.nhs_number)),
        ("Date of birth", format_date(patient.date_of_birth)),
        ("Address", "\n".join(address_lines(patient.address, patient.postcode)) or NOT_RECORDED),
        ("Phone", patient.phone or NOT_RECORDED),
    ]
    if not full:
        return tuple(rows)
    contact = CONTACT_METHOD_LABELS.get(patient.preferred_contact, patient.preferred_contact)
    if patient.contact_times:
        contact = f"{contact} ({patient.contact_times})"
    language = patient.first_language or NOT_RECORDED
    language += " – interpreter needed" if patient.interpreter_needed else ""
    rows += [
        ("Email", patient.email or NOT_RECORDED),
        ("Preferred contact", contact),
        ("First language", language),
        ("Accessibility or communication needs", patient.accessibility_needs or "None recorded"),
        ("Carer", patient.carer_details or "None recorded"),
    ]
    return tuple(rows)


def service_contact_rows(inputs: LetterInputs) -> tuple[tuple[str, str], ...]:
    service = inputs.service
    rows = [
        ("Phone", service.phone),
        ("Email", service.email),
        ("Website", service.website),
        ("Address", ", ".join(address_lines(service.address))),
        ("Opening times", service.opening_times),
    ]
    return tuple((label, value) for label, value in rows if value)


def due_phrase(facts: ReferralFacts) -> str:
    """When the service should be in touch: a date when known, else a window."""
    if facts.response_due_on:
        return f"by {format_date(facts.response_due_on)}"
    return f"within {facts.response_days} working days"
