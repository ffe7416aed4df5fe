"""The kinds of letter a practice sends, known to the core without loading the letter engine."""

from __future__ import annotations

from enum import StrEnum


class LetterKind(StrEnum):
    """The letters a practice sends; stored by value on each recorded letter."""

    REFERRAL = "referral"
    PATIENT = "patient"
    PATIENT_LARGE_PRINT = "patient_large_print"
    CHASER = "chaser"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def to_patient(self) -> bool:
        return self in (LetterKind.PATIENT, LetterKind.PATIENT_LARGE_PRINT)


KIND_LABELS = {
    LetterKind.REFERRAL: "Referral letter to the service",
    LetterKind.PATIENT: "Letter to the patient",
    LetterKind.PATIENT_LARGE_PRINT: "Letter to the patient (large print)",
    LetterKind.CHASER: "Chaser to the service",
}
