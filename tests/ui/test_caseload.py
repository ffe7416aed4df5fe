"""The caseload screen and its dialogs, driven as a link worker, receptionist or admin would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from practice_rx.storage.caseload_models import Contact
from practice_rx.ui.caseload.allocate import AllocateDialog
from practice_rx.ui.caseload.inbound import InboundPanel
from practice_rx.ui.caseload.model import COLUMNS
from practice_rx.ui.caseload.record_contact import RecordContactDialog
from practice_rx.ui.caseload.view import CaseloadView
from practice_rx.ui.new_referral import NewReferralDialog
from practice_rx.ui.session import Session
from tests.caseload.allocated_case import accepted, allocated, contact, current
from tests.support.factories import make_patient
from tests.ui.helpers import focused, press, settle, type_into_focus


@pytest.fixture
def practice(core):
    services = core.services
    nadia = services.users.ensure("nadia", "Nadia Ahmed", "link_worker")
    lee = services.users.ensure("lee", "Lee Worker", "link_worker")
    cases = {name: allocated(services, worker, patient=make_patient(services, given, family))
             for name, worker, given, family in (("ada", nadia, "Ada", "Brown"),
                                                 ("ben", nadia, "Ben", "Adams"),
                                                 ("eve", lee, "Eve", "Lee"))}
    return {"app": core, "nadia": nadia, "lee": lee, **cases}


def _session(practice, user) -> Session:
    return Session(practice["app"], user)


def _view(qtbot, session) -> CaseloadView:
    view = CaseloadView(session)
    qtbot.addWidget(view)
    view.resize(1300, 600)
    view.show()
    settle(qtbot, session)
    return view


def _patients(view) -> list[str]:
    return [view.model.data(view.model.index(row, 1)) for row in range(view.model.rowCount())]


def test_a_link_worker_sees_only_their_own_people_and_sorts_them(qtbot, practice,
                                                                  qtmodeltester):
    session = _session(practice, practice["nadia"])
    view = _view(qtbot, session)
    assert sorted(_patients(view)) == ["ADAMS, Ben", "BROWN, Ada"]
    assert not view.worker.isEnabled() and view.summary.text() == "2 people · page 1 of 1"
    view.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.AscendingOrder)
    settle(qtbot, session)
    assert _patients(view) == ["ADAMS, Ben", "BROWN, Ada"]
    view.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.DescendingOrder)
    settle(qtbot, session)
    assert _patients(view) == ["BROWN, Ada", "ADAMS, Ben"]
    assert view.record_button.isVisibleTo(view) and view.allocate_button.isVisibleTo(view)
    qtmodeltester.check(view.model, force_py=True)
    assert [view.model.headerData(n, Qt.Orientation.Horizontal) for n in range(len(COLUMNS))][
        :4] == ["Ref", "Patient", "NHS number", "Status"]


def test_reception_picks_a_link_worker_and_sees_no_casework_buttons(qtbot, practice):
    desk = practice["app"].services.users.ensure("desk2", "Sam Jones", "receptionist")
    session = _session(practice, desk)
    view = _view(qtbot, session)
    assert sorted(_patients(view)) == ["ADAMS, Ben", "BROWN, Ada", "LEE, Eve"]
    view.worker.setCurrentIndex(view.worker.findData(practice["lee"].id))
    settle(qtbot, session)
    assert _patients(view) == ["LEE, Eve"]
    assert not view.record_button.isVisibleTo(view)
    assert not view.allocate_button.isVisibleTo(view)
    view.search.setText("adams")
    view.worker.setCurrentIndex(0)
    settle(qtbot, session)
    assert _patients(view) == ["ADAMS, Ben"]


def test_only_what_is_due(qtbot, practice):
    services = practice["app"].services
    contact(services, practice["nadia"], practice["ada"].id,
            next_contact_on=services.clock().date())
    session = _session(practice, practice["nadia"])
    view = _view(qtbot, session)
    view.due_only.setChecked(True)
    settle(qtbot, session)
    assert _patients(view) == ["BROWN, Ada"]
    due = view.model.data(view.model.index(0, 7))
    assert due.endswith("· today")
    assert view.model.data(view.model.index(0, 9)) == "Baseline due"


def test_record_a_contact_by_keyboard_moves_the_case_to_contacted(qtbot, practice):
    services = practice["app"].services
    session = _session(practice, practice["nadia"])
    referral_id = practice["ada"].id
    dialog = RecordContactDialog(session, referral_id)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot, session)
    assert "BROWN, Ada" in dialog.banner.text() and str(referral_id) in dialog.banner.text()
    assert focused() is dialog.contact_type
    press(Qt.Key.Key_Down)  # Face to face -> Phone
    press(Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert focused() is dialog.minutes
    press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_into_focus("25")
    press(Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    type_into_focus("Talked about the walking group")
    press(Qt.Key.Key_Return)
    settle(qtbot, session)
    assert not dialog.isVisible()
    with services.db.reading() as session_:
        row = session_.scalar(select(Contact).where(Contact.referral_id == referral_id))
    assert (row.contact_type, row.made, row.minutes, row.note, row.next_contact_on) == (
        "phone", True, 25, "Talked about the walking group",
        services.clock().date() + timedelta(days=7))
    assert current(services, referral_id).status == "contacted"


def test_a_contact_made_without_its_length_is_refused_beside_the_field(qtbot, practice):
    session = _session(practice, practice["nadia"])
    dialog = RecordContactDialog(session, practice["ada"].id)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot, session)
    dialog.note.setPlainText("Talked")
    dialog.submit()
    settle(qtbot, session)
    assert dialog.isVisible()
    assert dialog.messages["minutes"].message.startswith("Length: enter the minutes")
    assert focused() is dialog.minutes


def test_after_the_agreed_attempts_not_contactable_is_offered_and_chosen(qtbot, practice):
    services = practice["app"].services
    referral_id = practice["ben"].id
    for _ in range(2):
        contact(services, practice["nadia"], referral_id, made=False)
    session = _session(practice, practice["nadia"])
    dialog = RecordContactDialog(session, referral_id)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot, session)
    assert not dialog.not_contactable.isVisibleTo(dialog)
    assert dialog.attempts_note.text().startswith("2 attempts in a row")
    press(Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(dialog.attempted.isChecked)  # a mnemonic clicks after a short delay
    assert not dialog.minutes.isEnabled()
    dialog.submit()
    settle(qtbot, session)
    assert dialog.isVisible() and dialog.not_contactable.isVisibleTo(dialog)
    assert focused() is dialog.not_contactable
    press(Qt.Key.Key_Space)
    settle(qtbot, session)
    assert not dialog.isVisible()
    assert current(services, referral_id).status == "not_contactable"


def test_allocate_to_another_link_worker_by_keyboard(qtbot, practice):
    services = practice["app"].services
    session = _session(practice, practice["nadia"])
    dialog = AllocateDialog(session, practice["ada"].id)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot, session)
    assert dialog.current.text().startswith("Allocated now to Nadia Ahmed")
    assert dialog.worker.currentData() != practice["nadia"].id  # another worker first
    dialog.worker.setCurrentIndex(dialog.worker.findData(practice["lee"].id))
    press(Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    type_into_focus("Nadia on leave")
    press(Qt.Key.Key_Return)
    settle(qtbot, session)
    assert not dialog.isVisible()
    assert current(services, practice["ada"].id).allocated_to_id == practice["lee"].id


def test_allocating_a_case_not_yet_accepted_shows_why(qtbot, practice):
    services = practice["app"].services
    sent = accepted(services)
    services.referrals.change_status(
        services.users.ensure("lw", "Link Lead", "link_worker").id, sent.id, sent.version,
        "declined", "Does not want it")
    session = _session(practice, practice["nadia"])
    dialog = AllocateDialog(session, sent.id)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot, session)
    dialog.submit()
    settle(qtbot, session)
    assert dialog.message.message.startswith("Allocation: this referral is declined")


def test_the_new_referral_dialog_asks_reception_where_it_came_from(qtbot, practice):
    services = practice["app"].services
    desk = services.users.ensure("desk3", "Sam Jones", "receptionist")
    dialog = NewReferralDialog(_session(practice, desk))
    qtbot.addWidget(dialog)
    assert isinstance(dialog.inbound, InboundPanel)
    gp = services.users.ensure("gp3", "Dr Asha Patel", "clinician")
    clinician_dialog = NewReferralDialog(_session(practice, gp))
    qtbot.addWidget(clinician_dialog)
    assert clinician_dialog.inbound is None


def test_the_inbound_panel_collects_the_source_and_shows_the_services_messages(qtbot):
    panel = InboundPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.source.setCurrentIndex(panel.source.findData("self_referral"))
    assert not panel.organisation.isEnabled() and not panel.person.isEnabled()
    panel.source.setCurrentIndex(panel.source.findData("social_care"))
    panel.organisation.setText("Leeds Adult Social Care")
    panel.person.setText("Kim Lowe")
    panel.received_by.setCurrentIndex(panel.received_by.findData("letter"))
    details = panel.source_details()
    assert (details.source, details.organisation, details.person, details.received_by) == (
        "social_care", "Leeds Adult Social Care", "Kim Lowe", "letter")
    assert panel.received_at() is None
    shown = panel.show_errors({"referrer_name": "Referring person: enter the name",
                               "consent_given": "elsewhere"})
    assert shown == ["referrer_name"]
    assert panel.messages["referrer_name"].message == "Referring person: enter the name"


def test_the_highlighted_case_stays_by_id_or_none_is_highlighted(qtbot, practice):
    """A refresh never moves the highlight onto another person (hazard H30)."""
    services = practice["app"].services
    session = _session(practice, practice["nadia"])
    view = _view(qtbot, session)
    view.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.AscendingOrder)
    settle(qtbot, session)
    view.table.setCurrentIndex(view.model.index(1, 0))  # Ada, below Ben
    assert view.current_referral_id() == practice["ada"].id
    contact(services, practice["nadia"], practice["ben"].id)
    session.referral_changed.emit(practice["ben"].id)
    settle(qtbot, session)
    assert view.current_referral_id() == practice["ada"].id
    ada = current(services, practice["ada"].id)
    services.allocation.allocate(practice["nadia"].id, ada.id, ada.version, practice["lee"].id)
    session.referral_changed.emit(ada.id)
    settle(qtbot, session)
    assert _patients(view) == ["ADAMS, Ben"]
    assert view.current_referral_id() is None and not view.record_button.isEnabled()
