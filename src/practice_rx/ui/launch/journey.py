"""The new-referral journey opened for a patient sent from the clinical record.

Each NHS number sent gets a journey of its own (sending it again brings that one
forward, unless its patient was changed in it: then a new one opens). A journey already open, for another patient or none, is
never touched, so a request can never swap the patient under a half-written
referral. Above the banner a notice says the referral was opened from the clinical
system and for which NHS number; if the patient chosen in the journey is changed
to someone else, it turns into a warning that says so.
"""

from __future__ import annotations

from itertools import count

from PySide6.QtWidgets import QLabel, QWidget

from practice_rx.domain.identifiers import format_nhs_number
from practice_rx.storage.models import Patient
from practice_rx.ui.new_referral import STEPS, NewReferralDialog
from practice_rx.ui.widgets import ERROR_COLOUR

TITLE = "New referral – from the clinical record"
_JOURNEYS = count(1)  # each journey's own key among the main window's dialogs
NOTICE_STYLE = ("#record_notice {{ background: {background}; color: #212b32; "
                "border: 2px solid {border}; padding: 6px; }}")


class RecordNotice(QLabel):
    """Which NHS number the clinical system sent, and whether the journey is still on it."""

    def __init__(self, digits: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("record_notice")
        self.setWordWrap(True)
        self.digits = digits
        self.matches = True
        self.follow(None)

    def follow(self, patient: Patient | None) -> None:
        number = format_nhs_number(self.digits)
        self.matches = patient is None or patient.nhs_number == self.digits
        if patient is None:
            text = (f"<b>Opened from your clinical system for NHS {number}.</b> No patient "
                    "in PracticeRx has this number yet: add them (the number is filled in).")
        elif self.matches:
            text = (f"<b>Opened from your clinical system for NHS {number}.</b> Check the "
                    "banner below is the patient in front of you.")
        else:
            text = (f"<b>Not the patient sent from your clinical system.</b> This referral was "
                    f"opened for NHS {number}; the patient chosen now has another NHS number.")
        self.setText(text)
        self.setAccessibleName(self.text().replace("<b>", "").replace("</b>", ""))
        self.setStyleSheet(NOTICE_STYLE.format(
            background="#fff9c4" if self.matches else "#fde8e8",
            border="#ffb81c" if self.matches else ERROR_COLOUR))


def open_journey(window, digits: str, patient: Patient | None) -> NewReferralDialog:
    """The journey for ``digits``: ``patient`` chosen (banner shown), or None: the
    add-patient step with the number filled in. One already open for it, and still on
    it, comes forward; one whose patient was changed since is left alone."""
    for dialog in window.findChildren(NewReferralDialog):
        notice = dialog.findChild(RecordNotice)
        if dialog.isVisible() and notice is not None and notice.digits == digits \
                and notice.matches:
            dialog.raise_()
            dialog.activateWindow()
            return dialog

    def make() -> NewReferralDialog:
        dialog = NewReferralDialog(window.session, parent=window)
        dialog.setWindowTitle(TITLE)
        notice = RecordNotice(digits)
        dialog.add_notice(notice)
        dialog.patient_changed.connect(notice.follow)
        if patient is not None:
            dialog.choose_patient(patient)
        else:
            dialog.patient_picker.add_patient_numbered(format_nhs_number(digits))
        return dialog

    return window.open_journey(f"record-{digits}-{next(_JOURNEYS)}", make)


def journey_state(dialog: NewReferralDialog, notice: RecordNotice | None) -> dict:
    """One journey as the two-process tests see it: ids and flags, no name or number."""
    picker = dialog.patient_picker
    return {"from_record": notice is not None,
            "patient_id": dialog.patient.id if dialog.patient is not None else None,
            "step": STEPS[dialog.step],
            "banner": dialog.patient_banner.isVisible(),
            "adding_patient": picker.currentWidget() is picker.form,
            "number_filled": notice is not None and "".join(
                c for c in picker.form.inputs["nhs_number"].text() if c.isdigit()) == notice.digits,
            "notice_matches": notice.matches if notice is not None else None,
            "active": dialog.isActiveWindow()}
