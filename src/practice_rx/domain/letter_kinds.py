"""The kinds of letter a practice sends, known to the core without loading the letter engine."""

from __future__ import annotations

from enum import StrEnum

from practice_rx.domain.permissions import Action


class LetterKind(StrEnum):
    """The letters a practice sends; stored by value on each recorded letter."""

    REFERRAL = "referral"
    PATIENT = "patient"
    PATIENT_LARGE_PRINT = "patient_large_print"
    CHASER = "chaser"
    # the link worker's casework
    CARE_PLAN = "care_plan"
    CARE_PLAN_LARGE_PRINT = "care_plan_large_print"
    MESSAGE_BACK = "message_back"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def to_patient(self) -> bool:
        return self in (LetterKind.PATIENT, LetterKind.PATIENT_LARGE_PRINT,
                        LetterKind.CARE_PLAN, LetterKind.CARE_PLAN_LARGE_PRINT)

    @property
    def casework(self) -> bool:
        """Shows what the person told the link worker: the plan, the scores, the outcome."""
        return self in CASEWORK_KINDS

    @property
    def action(self) -> Action:
        """The permission that makes, previews and reprints this kind.

        Casework letters need the case summary permission, so a role that may print
        referral letters but not read the plan (the receptionist) cannot print it.
        """
        return Action.VIEW_CASE_SUMMARY if self.casework else Action.PRINT_LETTERS


CASEWORK_KINDS = frozenset({LetterKind.CARE_PLAN, LetterKind.CARE_PLAN_LARGE_PRINT,
                            LetterKind.MESSAGE_BACK})

KIND_LABELS = {
    LetterKind.REFERRAL: "Referral letter to the service",
    LetterKind.PATIENT: "Letter to the patient",
    LetterKind.PATIENT_LARGE_PRINT: "Letter to the patient (large print)",
    LetterKind.CHASER: "Chaser to the service",
    LetterKind.CARE_PLAN: "Care and support plan for the person",
    LetterKind.CARE_PLAN_LARGE_PRINT: "Care and support plan for the person (large print)",
    LetterKind.MESSAGE_BACK: "Message back to the GP and referrer",
}
