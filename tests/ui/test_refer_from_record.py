"""A patient sent from the clinical record opens a journey of its own, on that patient only."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from practice_rx.domain.identifiers import format_nhs_number
from practice_rx.launch_request import LaunchRequest, database_key, request_for
from practice_rx.storage.models import Patient
from practice_rx.ui.app import Opened
from practice_rx.ui.launch.journey import TITLE, RecordNotice
from practice_rx.ui.launch.requests import LaunchRequests
from practice_rx.ui.new_referral import FORM, PATIENT, NewReferralDialog
from tests.support.factories import test_nhs_number
from tests.ui.conftest import make_window
from tests.ui.helpers import settle

DEMO_DB = None  # the requests' database key: a demo of its own (as practice-rx --demo)


def _patients(core, count: int = 2) -> list[Patient]:
    with core.services.db.reading() as session:
        return list(session.scalars(select(Patient).order_by(Patient.id).limit(count)))


def _requests(window) -> LaunchRequests:
    requests = LaunchRequests(DEMO_DB, demo=True)
    requests.attach(Opened(window.session.app, window.session, window))
    return requests


def _send(qtbot, window, requests: LaunchRequests, nhs_number: str):
    reply = requests.answer(request_for([nhs_number], None, demo=True))
    assert reply.ok, reply.message
    settle(qtbot, window.session)
    qtbot.wait(20)
    settle(qtbot, window.session)
    return reply


def _journeys() -> list[NewReferralDialog]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, NewReferralDialog) and w.isVisible()]


def _from_record(digits: str) -> list[NewReferralDialog]:
    return [d for d in _journeys() if (n := d.findChild(RecordNotice)) and n.digits == digits]


def test_a_known_patient_opens_the_journey_chosen_with_the_banner_and_notice(
        demo_core_on_each_backend, qtbot):
    core = demo_core_on_each_backend
    window = make_window(core, qtbot, "dr.patel")
    patient = _patients(core, 1)[0]
    _send(qtbot, window, _requests(window), format_nhs_number(patient.nhs_number))
    [dialog] = _from_record(patient.nhs_number)
    assert dialog.windowTitle() == TITLE
    assert dialog.patient.id == patient.id and dialog.step == FORM
    assert dialog.patient_banner.isVisible()
    assert f"NHS {format_nhs_number(patient.nhs_number)}" in dialog.patient_banner.text()
    notice = dialog.findChild(RecordNotice)
    assert notice.isVisible() and notice.matches
    assert "Opened from your clinical system for NHS " \
        f"{format_nhs_number(patient.nhs_number)}" in notice.accessibleName()
    # above the banner, so it is read first and stays on every step
    layout = dialog.layout()
    assert layout.indexOf(notice) < layout.indexOf(dialog.patient_banner)
    dialog.done(0)


def test_an_unknown_number_opens_add_patient_with_the_number_filled_in(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel")
    unknown = test_nhs_number(8123)
    assert demo_core.services.patients.by_nhs_number(window.session.user.id, unknown) is None
    _send(qtbot, window, _requests(window), unknown)
    [dialog] = _from_record(unknown)
    picker = dialog.patient_picker
    assert dialog.step == PATIENT and picker.currentWidget() is picker.form
    assert picker.form.inputs["nhs_number"].text().replace(" ", "") == unknown
    assert dialog.patient is None and not dialog.patient_banner.isVisible()
    assert "No patient in PracticeRx has this number yet" in \
        dialog.findChild(RecordNotice).accessibleName()
    dialog.done(0)


def test_a_request_never_swaps_the_patient_in_a_referral_already_open(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel")
    first, second = _patients(demo_core, 2)
    typed = window.new_referral()  # Ctrl+N: the GP has started on the first patient
    typed.choose_patient(first)
    requests = _requests(window)
    _send(qtbot, window, requests, first.nhs_number)
    _send(qtbot, window, requests, second.nhs_number)
    assert typed.isVisible() and typed.patient.id == first.id  # untouched
    assert typed.findChild(RecordNotice) is None
    [for_first] = _from_record(first.nhs_number)
    [for_second] = _from_record(second.nhs_number)
    assert for_first is not typed and for_second.patient.id == second.id
    assert len(_journeys()) == 3  # one each: nothing reused for another patient
    _send(qtbot, window, requests, second.nhs_number)  # sent again: the same one comes forward
    assert _from_record(second.nhs_number) == [for_second] and len(_journeys()) == 3
    for dialog in _journeys():
        dialog.done(0)


def test_choosing_another_patient_in_a_journey_from_the_record_turns_its_notice_to_a_warning(
        demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel")
    sent, other = _patients(demo_core, 2)
    _send(qtbot, window, _requests(window), sent.nhs_number)
    [dialog] = _from_record(sent.nhs_number)
    dialog.go(PATIENT)
    dialog.patient_picker.chosen.emit(other)  # the GP picks someone else in the search
    notice = dialog.findChild(RecordNotice)
    assert dialog.patient.id == other.id and not notice.matches
    assert notice.accessibleName().startswith("Not the patient sent from your clinical system")
    assert "#fde8e8" in notice.styleSheet()
    _send(qtbot, window, _requests(window), sent.nhs_number)  # sent again: a journey on it
    [again] = [d for d in _from_record(sent.nhs_number) if d is not dialog]
    assert again.patient.id == sent.id and dialog.patient.id == other.id
    again.done(0)
    dialog.done(0)


def test_a_patient_of_a_practice_the_user_is_not_linked_to_is_said_not_opened(
        demo_core_on_each_backend, qtbot):
    core = demo_core_on_each_backend
    window = make_window(core, qtbot, "dr.shah")  # Holbeck Moor's GP only
    services, user = core.services, window.session.user
    theirs = services.users.practices_of(user.id)
    with services.db.reading() as session:
        outside = session.scalar(select(Patient).where(Patient.practice_id.not_in(theirs))
                                 .limit(1))
    assert outside is not None
    _send(qtbot, window, _requests(window), outside.nhs_number)
    assert _from_record(outside.nhs_number) == []
    box = next(w for w in QApplication.topLevelWidgets()
               if isinstance(w, QMessageBox) and w.objectName() == "record_not_opened")
    assert "not linked to" in box.text() and outside.nhs_number not in box.text()
    assert outside.family_name not in box.text()
    box.done(0)


def test_a_request_waits_while_the_screen_is_locked_and_opens_on_unlock(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel")
    patient = _patients(demo_core, 1)[0]
    window.idle.lock_now()
    assert window.idle.locked
    requests = _requests(window)
    _send(qtbot, window, requests, patient.nhs_number)
    assert _from_record(patient.nhs_number) == [] and len(requests.pending) == 1
    window.idle.unlock()
    qtbot.waitUntil(lambda: len(_from_record(patient.nhs_number)) == 1, timeout=10_000)
    assert requests.pending == []
    _from_record(patient.nhs_number)[0].done(0)


def test_a_request_for_a_user_who_signed_out_is_not_shown_to_the_next(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel")
    patient = _patients(demo_core, 1)[0]
    window.idle.lock_now()
    requests = _requests(window)
    _send(qtbot, window, requests, patient.nhs_number)
    window.sign_out()
    other = demo_core.services.users.by_username("dr.okafor")
    window.session.sign_in(other)
    window.show()
    qtbot.wait(50)
    settle(qtbot, window.session)
    assert _from_record(patient.nhs_number) == [] and requests.pending == []
    assert "was not opened" in window.statusBar().currentMessage()


def test_a_copy_on_another_database_refuses_the_request(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel")
    requests = LaunchRequests(database_key("sqlite:///practice.sqlite3"), demo=False)
    requests.attach(Opened(window.session.app, window.session, window))
    patient = _patients(demo_core, 1)[0]
    for asked in (request_for([patient.nhs_number], None, demo=True),
                  request_for([patient.nhs_number], "sqlite:///other.sqlite3", demo=False)):
        reply = requests.answer(asked)
        assert not reply.ok and "already open on" in reply.message
    settle(qtbot, window.session)
    assert requests.pending == [] and _from_record(patient.nhs_number) == []
    # what is on screen is told only to the two-process tests' demo copies
    assert not requests.answer(LaunchRequest("state")).ok
