"""The patient banner: who this is, the same way on every screen.

GP systems show a banner so nobody acts on the wrong "WILSON, Muhammad": name,
NHS number (3-3-4), date of birth with age, sex, postcode and phone. One
widget, used in the patient search, every step of a new referral, the details
pane and every dialog that changes a referral.
"""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from practice_rx.domain.identifiers import age_on, format_date, format_nhs_number

SEX_LABELS = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Sex not known"}


def banner_parts(patient, today: date) -> list[str]:
    """The banner's facts in order, as plain text: name first, then the identifiers."""
    born = patient.date_of_birth
    return [
        f"{patient.family_name.upper()}, {patient.given_name}",
        f"NHS {format_nhs_number(patient.nhs_number)}",
        f"Born {format_date(born)} ({age_on(born, today)} y)",
        SEX_LABELS.get(patient.sex, patient.sex),
        patient.postcode or "No postcode",
        patient.phone or "No phone",
    ]


def banner_text(patient, today: date, referral_id: int | None = None) -> str:
    """One line for lists and accessible names: ``MORGAN, Zofia · NHS 999 … · Born …``."""
    parts = banner_parts(patient, today)
    if referral_id is not None:
        parts.append(f"Referral {referral_id}")
    return " · ".join(parts)


class PatientBanner(QFrame):
    """A framed banner; empty (and hidden) until it is given a patient."""

    def __init__(self, today, parent: QWidget | None = None) -> None:
        """``today`` is a callable giving today's date (the services' clock), for the age."""
        super().__init__(parent)
        self._today = today
        self.setObjectName("patient_banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#patient_banner { background: #e8edee; border: 1px solid #aeb7bd; }")
        self.label = QLabel()
        self.label.setObjectName("patient_banner_text")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label)
        self.patient = None
        self.referral_id: int | None = None
        self.hide()

    def set_patient(self, patient, referral_id: int | None = None) -> None:
        """Show ``patient`` (and the referral number, when acting on one); None hides it."""
        self.patient, self.referral_id = patient, referral_id
        if patient is None:
            self.label.clear()
            self.setAccessibleName("No patient chosen")
            self.hide()
            return
        name, *rest = banner_parts(patient, self._today())
        if referral_id is not None:
            rest.append(f"Referral <b>{referral_id}</b>")
        self.label.setText(f"<b style='font-size:large'>{escape(name)}</b>&nbsp;&nbsp; "
                           + " · ".join(part if part.startswith("Referral <b>") else escape(part)
                                        for part in rest))
        text = banner_text(patient, self._today(), referral_id)
        self.setAccessibleName(f"Patient: {text}")
        self.label.setAccessibleName(text)
        self.show()

    def text(self) -> str:
        """The banner as plain text (what a screen reader and the tests read)."""
        return banner_text(self.patient, self._today(), self.referral_id) if self.patient else ""
