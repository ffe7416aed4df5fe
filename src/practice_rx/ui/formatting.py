"""How codes, dates and people are written on screen (NHS style: ``24 Nov 2026``, 24-hour)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from practice_rx.domain.categories import SERVICE_CATEGORIES
from practice_rx.domain.identifiers import format_date, format_nhs_number
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


def local_time(value: datetime) -> datetime:
    """Stored times are UTC; people read them in the workstation's time zone."""
    return value.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def moment(value: datetime | None) -> str:
    """A stored (UTC) time as ``24 Nov 2026 14:05`` local time."""
    if value is None:
        return ""
    local = local_time(value)
    return f"{format_date(local.date())} {local:%H:%M}"


def nhs(value: str) -> str:
    return format_nhs_number(value)


def patient_line(patient) -> str:
    """``SMITH, Joan · 999 000 0018 · born 14 Mar 1951``."""
    return (f"{patient.family_name.upper()}, {patient.given_name} · "
            f"{format_nhs_number(patient.nhs_number)} · born {format_date(patient.date_of_birth)}")
