"""The patient picker adds a new patient: saved by the patient service, then chosen.

Real widgets, clicked and typed into: a number nobody has is searched for, "Add a
new patient…" brings it into the form, Save stores the patient and the picker
says that patient was chosen. A save the service refuses (a number already
registered, a wrong check digit) shows its message beside the NHS number field,
keeps everything typed, saves and chooses nothing; Back to search saves nothing.
"""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import func, select

from practice_rx.domain.identifiers import format_nhs_number
from practice_rx.storage.models import AuditEvent, Patient
from practice_rx.ui.patient_picker import PatientPicker
from practice_rx.ui.session import Session
from tests.ui.helpers import settle
from tests.ui.same_name import synthetic_nhs_number

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def picker(core, qtbot):
    user = core.services.users.ensure("reception.jones", "Sam Jones", "receptionist")
    session = Session(core, user)
    widget = PatientPicker(session)
    widget.chosen_patients = []
    widget.chosen.connect(widget.chosen_patients.append)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def patients(core) -> list[tuple[str, str, str, date]]:
    with core.services.db.reading() as session:
        return list(session.execute(select(Patient.nhs_number, Patient.given_name,
                                           Patient.family_name, Patient.date_of_birth)))


def audit_rows(core) -> int:
    with core.services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent))


def search_then_add(picker, qtbot, typed: str) -> None:
    search = picker.search
    search.search.setFocus()
    QTest.keyClicks(search.search, typed)
    qtbot.waitUntil(lambda: search.found.text().startswith("No patient matches"))
    settle(qtbot, picker.form.session)
    qtbot.mouseClick(search.add_button, LEFT)
    qtbot.waitUntil(lambda: picker.currentWidget() is picker.form)


def fill_in(form, **values: str) -> None:
    for key, text in values.items():
        widget = form.inputs[key]
        widget.setFocus()
        widget.selectAll()
        QTest.keyClicks(widget, text)


ADAEZE = {"given_name": "Adaeze", "family_name": "Okoro", "date_of_birth": "14/03/1979",
          "phone": "07700 900303"}


def test_a_new_patient_is_saved_and_chosen(core, qtbot, picker):
    number = synthetic_nhs_number(11)
    before = audit_rows(core)
    search_then_add(picker, qtbot, format_nhs_number(number))
    form = picker.form
    assert form.inputs["nhs_number"].text() == format_nhs_number(number)  # brought along
    fill_in(form, **ADAEZE)
    qtbot.mouseClick(form.save_button, LEFT)
    qtbot.waitUntil(lambda: bool(picker.chosen_patients), timeout=5000)

    [chosen] = picker.chosen_patients
    assert patients(core) == [(number, "Adaeze", "Okoro", date(1979, 3, 14))]
    with core.services.db.reading() as session:
        assert session.scalar(select(Patient.id).where(Patient.nhs_number == number)) == \
            chosen.id
    assert (chosen.nhs_number, chosen.family_name) == (number, "Okoro")
    assert audit_rows(core) > before  # the new record is in the audit trail


@pytest.mark.parametrize(("change", "message"), [
    ("registered", "NHS number: this number already belongs to a patient"),
    ("check digit", "NHS number: the check digit does not match"),
])
def test_a_refused_save_says_why_beside_the_number_and_keeps_what_was_typed(
        core, qtbot, picker, change, message):
    number = synthetic_nhs_number(12)
    if change == "registered":
        search_then_add(picker, qtbot, "okoro adaeze")
        fill_in(picker.form, nhs_number=number, **ADAEZE)
        qtbot.mouseClick(picker.form.save_button, LEFT)
        qtbot.waitUntil(lambda: len(picker.chosen_patients) == 1, timeout=5000)
        picker.chosen_patients.clear()
        picker.add_patient()  # the same person typed in again
    else:
        number = number[:9] + str((int(number[9]) + 1) % 10)
        search_then_add(picker, qtbot, "okoro adaeze")
    before = patients(core)
    form = picker.form
    fill_in(form, nhs_number=number, **ADAEZE)
    qtbot.mouseClick(form.save_button, LEFT)
    qtbot.waitUntil(lambda: form.messages["nhs_number"].message != "", timeout=5000)
    settle(qtbot, form.session)

    assert form.messages["nhs_number"].message.startswith(message)
    assert number not in form.messages["nhs_number"].message  # no identifier in the message
    assert picker.currentWidget() is form and picker.chosen_patients == []
    assert form.inputs["nhs_number"].text() == number
    assert {key: form.inputs[key].text() for key in ADAEZE} == ADAEZE
    assert patients(core) == before
    assert form.save_button.isEnabled()


def test_back_to_search_saves_nothing(core, qtbot, picker):
    search_then_add(picker, qtbot, "okoro adaeze")
    fill_in(picker.form, nhs_number=synthetic_nhs_number(13), **ADAEZE)
    qtbot.mouseClick(picker.form.back_button, LEFT)
    assert picker.currentWidget() is picker.search
    assert picker.search.search.text() == "okoro adaeze"
    settle(qtbot, picker.form.session)
    assert patients(core) == [] and picker.chosen_patients == []
