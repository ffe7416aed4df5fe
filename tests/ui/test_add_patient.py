"""Adding a patient mid-referral: by keyboard, nothing clipped, nothing jumping under the mouse."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from practice_rx.domain.identifiers import format_nhs_number
from practice_rx.ui.new_referral import FORM
from tests.ui.helpers import press, settle
from tests.ui.same_name import synthetic_nhs_number
from tests.ui.test_keyboard_journey import open_new_referral
from tests.ui.test_new_referral_fits import SCREENS, client_size

ALT = Qt.KeyboardModifier.AltModifier


def test_a_new_patient_is_added_by_keyboard_and_chosen(demo_core, qtbot):
    dialog = open_new_referral(demo_core, qtbot)
    form = dialog.patient_picker.form
    QTest.keyClicks(QApplication.focusWidget(), "okoro adaeze")
    press(Qt.Key.Key_A, ALT)  # Add a new patient… (a mnemonic clicks 100 ms later)
    qtbot.waitUntil(lambda: dialog.patient_picker.currentWidget() is form)
    assert form.inputs["given_name"].text() == "Okoro"  # the words searched for come along
    assert QApplication.focusWidget() is form.inputs["nhs_number"]
    number = synthetic_nhs_number(7)
    QTest.keyClicks(form.inputs["nhs_number"], format_nhs_number(number))
    for key, text in (("given_name", "Adaeze"), ("family_name", "Okoro"),
                      ("date_of_birth", "14/03/1979"), ("postcode", "ls11 5ab"),
                      ("phone", "07700 900303")):
        widget = form.inputs[key]
        widget.setFocus()
        widget.selectAll()
        QTest.keyClicks(widget, text)
    press(Qt.Key.Key_W, ALT)  # Registered with practice: the demo is a network of three
    assert QApplication.focusWidget() is form.inputs["practice_id"]
    QTest.keyClick(form.inputs["practice_id"], Qt.Key.Key_Down)
    press(Qt.Key.Key_S, ALT)  # Save patient
    qtbot.waitUntil(lambda: dialog.step == FORM, timeout=5000)
    settle(qtbot, dialog.session)
    patient = dialog.patient
    assert (patient.nhs_number, patient.given_name, patient.family_name, patient.postcode,
            str(patient.date_of_birth)) == (number, "Adaeze", "Okoro", "LS11 5AB",
                                            "1979-03-14")
    assert dialog.patient_banner.isVisible() and "OKORO, Adaeze" in dialog.patient_banner.text()
    found = demo_core.services.patients.find(dialog.session.user.id, number)
    assert [p.id for p in found] == [patient.id]
    assert patient.practice_id == form.inputs["practice_id"].practices[0].id


def test_correcting_a_field_does_not_move_the_fields_under_the_mouse(demo_core, qtbot):
    dialog = open_new_referral(demo_core, qtbot)
    dialog.patient_picker.add_patient()
    form = dialog.patient_picker.form
    form.save()  # refused: a message above each missing field
    settle(qtbot, dialog.session)
    qtbot.wait(20)
    assert form.messages["nhs_number"].message and form.messages["given_name"].message
    where = {key: widget.mapTo(form, QPoint(0, 0)) for key, widget in form.inputs.items()}
    assert QApplication.focusWidget() is form.inputs["nhs_number"]
    QTest.keyClicks(form.inputs["nhs_number"], "9")  # correcting it clears the message…
    qtbot.wait(20)
    assert form.messages["nhs_number"].message == ""
    moved = [key for key, widget in form.inputs.items()
             if widget.mapTo(form, QPoint(0, 0)) != where[key]]
    assert moved == []  # …but keeps its line until the next save
    form.inputs["sex"].setCurrentIndex(1)
    qtbot.wait(20)
    assert [key for key, widget in form.inputs.items()
            if widget.mapTo(form, QPoint(0, 0)) != where[key]] == []


def test_no_label_is_clipped_even_on_a_small_screen(demo_core, qtbot):
    dialog = open_new_referral(demo_core, qtbot)
    dialog.resize(client_size(SCREENS["1024x600"]))
    dialog.patient_picker.add_patient()
    form = dialog.patient_picker.form
    form.save()
    settle(qtbot, dialog.session)
    qtbot.wait(20)
    for key, label in form.labels.items():
        needed = label.heightForWidth(label.width()) if label.wordWrap() else \
            label.sizeHint().height()
        assert label.height() >= needed, (key, label.text())
        assert label.width() >= label.fontMetrics().horizontalAdvance(
            label.text().replace("&", "")), (key, label.text())  # on one line, whole
    for key in ("family_name", "postcode", "contact_times"):
        assert form.labels[key].height() >= form.labels[key].fontMetrics().height()
