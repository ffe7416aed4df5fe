"""A link worker takes a self-referral at the front desk, by keyboard: enters it, allocates it
once the service has accepted it, and records the first contact."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from practice_rx.domain.identifiers import format_nhs_number
from practice_rx.services.practice import PracticeDetails
from practice_rx.ui.caseload.allocate import AllocateDialog
from practice_rx.ui.caseload.record_contact import RecordContactDialog
from practice_rx.ui.caseload.view import CaseloadView
from practice_rx.ui.new_referral import FORM, REVIEW, SERVICE, NewReferralDialog
from practice_rx.ui.session import Session
from tests.caseload.allocated_case import current
from tests.support.factories import admin, make_patient, make_service, move
from tests.ui.helpers import press, settle
from tests.ui.test_gp_journey import tab_to, type_text

ALT = Qt.KeyboardModifier.AltModifier


def test_a_self_referral_entered_allocated_and_contacted_by_keyboard(core, qtbot):
    first_contact_by_keyboard(core, qtbot)


def first_contact_by_keyboard(core, qtbot) -> tuple[Session, int]:
    """The journey's first half, by keyboard: the link worker's session and the referral."""
    services = core.services
    nadia = services.users.ensure("nadia.ahmed", "Nadia Ahmed", "link_worker")
    session = Session(core, nadia)
    patient = make_patient(services, "Joan", "Okafor")
    make_service(services, "South Leeds social prescribing link workers", category="other")
    services.practice.save(admin(services), PracticeDetails(
        "Y99901", "Beeston Hill Surgery", phone="0113 496 0000"))

    dialog = NewReferralDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    search = dialog.patient_picker.search.search
    qtbot.waitUntil(lambda: QApplication.focusWidget() is search)
    type_text(format_nhs_number(patient.nhs_number))
    press(Qt.Key.Key_Return)
    assert dialog.step == FORM
    settle(qtbot, session)

    # where it came from: the person themself, in person at the desk
    press(Qt.Key.Key_Y, ALT)
    assert QApplication.focusWidget() is dialog.inbound.source
    press(Qt.Key.Key_End)  # Other; the person themself is just above it
    press(Qt.Key.Key_Up)
    assert dialog.inbound.source.currentData() == "self_referral"
    assert not dialog.inbound.organisation.isEnabled()
    press(Qt.Key.Key_A, ALT)
    assert QApplication.focusWidget() is dialog.inbound.received_by
    type_text("In")
    assert dialog.inbound.received_by.currentData() == "in_person"

    renderer = dialog.renderer
    tab_to(renderer.editor("consent_given").yes)
    press(Qt.Key.Key_Y)
    tab_to(renderer.editor("consent_to_share").yes)
    press(Qt.Key.Key_Y)
    tab_to(renderer.editor("consent_method").combo)
    type_text("In")
    tab_to(renderer.editor("reasons").boxes["loneliness"])
    press(Qt.Key.Key_Space)
    tab_to(renderer.editor("what_matters").edit)
    type_text("Getting out of the house again")
    for key in ("risk_to_self_or_others", "safeguarding_concerns", "lone_working_risk"):
        tab_to(renderer.editor(key).yes)
        press(Qt.Key.Key_N)
    tab_to(renderer.editor("urgency").combo)
    type_text("R")
    press(Qt.Key.Key_N, ALT)
    qtbot.waitUntil(lambda: dialog.step == SERVICE)
    settle(qtbot, session)
    type_text("social prescribing")
    press(Qt.Key.Key_Return)
    assert dialog.step == REVIEW
    assert QApplication.focusWidget() is dialog.send_button
    with qtbot.waitSignal(dialog.done, timeout=10_000, raising=False) as done:
        press(Qt.Key.Key_Return)
    assert done.signal_triggered, (dialog.status.text(), dialog.problems.text())
    referral_id = done.args[0]
    settle(qtbot, session)
    referral = current(services, referral_id)
    assert (referral.status, referral.source, referral.received_by, referral.referrer_id,
            referral.patient_id) == ("sent", "self_referral", "in_person", nadia.id, patient.id)

    # the service accepts it; Nadia allocates it to herself from the Allocate dialog
    move(services, referral, "accepted")
    allocate = AllocateDialog(session, referral_id)
    qtbot.addWidget(allocate)
    allocate.show()
    settle(qtbot, session)
    allocate.worker.setCurrentIndex(allocate.worker.findData(nadia.id))
    press(Qt.Key.Key_Return)
    settle(qtbot, session)
    assert current(services, referral_id).allocated_to_id == nadia.id

    # on her caseload; Enter on the row opens Record contact
    view = CaseloadView(session)
    qtbot.addWidget(view)
    view.show()
    settle(qtbot, session)
    view.search.setText(f"#{referral_id}")
    settle(qtbot, session)
    view.table.setFocus()
    press(Qt.Key.Key_Return)
    record = next(d for d in view.findChildren(RecordContactDialog) if d.isVisible())
    settle(qtbot, session)
    assert record.referral_id == referral_id
    QTest.keyClicks(record.contact_type, "F")  # face to face
    press(Qt.Key.Key_L, ALT)
    press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text("40")
    press(Qt.Key.Key_O, ALT)
    type_text("Talked about what matters: seeing people again")
    press(Qt.Key.Key_Return)
    settle(qtbot, session)
    after = current(services, referral_id)
    assert after.status == "contacted" and after.next_contact_due_on is not None
    assert view.model.row_at(0).contacts_made == 1
    return session, referral_id
