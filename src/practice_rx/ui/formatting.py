"""How codes, dates and people are written on screen (NHS style: ``24 Nov 2026``, 24-hour)."""

from __future__ import annotations

from datetime import date, datetime

from practice_rx.domain.categories import SERVICE_CATEGORIES
from practice_rx.domain.identifiers import format_date, format_moment, format_nhs_number
from practice_rx.domain.statuses import STATUS_LABELS, Status

URGENCY_LABELS = {"routine": "Routine", "soon": "Soon"}
ROLE_LABELS = {"receptionist": "Receptionist", "clinician": "Clinician",
               "link_worker": "Link worker", "admin": "Practice admin"}


def status_label(code: str | None) -> str:
    if not code:
        return "—"
    try:
        return STATUS_LABELS[Status(code)]
    except ValueError:
        return code


def category_label(code: str) -> str:
    return SERVICE_CATEGORIES.get(code, code)


def day(value: date | None) -> str:
    return format_date(value) if value else ""


def moment(value: datetime | None) -> str:
    """A stored (UTC) time as ``24 Nov 2026 14:05`` local time; nothing for no time."""
    return format_moment(value) if value is not None else ""


def nhs(value: str) -> str:
    return format_nhs_number(value)


def patient_line(patient) -> str:
    """``SMITH, Joan · 999 000 0018 · born 14 Mar 1951``."""
    return (f"{patient.family_name.upper()}, {patient.given_name} · "
            f"{format_nhs_number(patient.nhs_number)} · born {format_date(patient.date_of_birth)}")
