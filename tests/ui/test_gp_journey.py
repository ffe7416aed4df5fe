"""A GP raises and sends a referral mid-consultation, by keyboard alone."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from practice_rx.domain.identifiers import format_nhs_number
from practice_rx.storage.models import Patient
from practice_rx.ui.new_referral import FORM, PATIENT, REVIEW, SERVICE, NewReferralDialog
from tests.ui.conftest import make_window
from tests.ui.helpers import press, settle

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def tab_to(widget, most: int = 60) -> int:
    """Press Tab until ``widget`` has the focus; how many presses it took."""
    for count in range(1, most + 1):
        press(Qt.Key.Key_Tab)
        if QApplication.focusWidget() is widget:
            return count
    raise AssertionError(f"Tab never reached {widget.accessibleName() or widget}")


def type_text(text: str) -> None:
    QTest.keyClicks(QApplication.focusWidget(), text)


def a_patient(core) -> Patient:
    from sqlalchemy import select

    with core.services.db.reading() as session:
        return session.scalars(select(Patient).order_by(Patient.id).limit(1)).one()


def test_gp_sends_a_referral_by_keyboard_only(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    session = window.session
    patient = a_patient(demo_core)

    QTest.keyClick(window, Qt.Key.Key_N, CTRL)
    dialog = window.findChild(NewReferralDialog)
    assert dialog is not None and dialog.step == PATIENT
    search = dialog.patient_picker.search.search
    qtbot.waitUntil(lambda: QApplication.focusWidget() is search)

    # find the patient by NHS number; one Enter searches and chooses the match
    type_text(format_nhs_number(patient.nhs_number))
    press(Qt.Key.Key_Return)
    assert dialog.patient_picker.search.results.count() == 1
    assert dialog.step == FORM and dialog.patient.id == patient.id
    renderer = dialog.renderer
    settle(qtbot, session)

    # the form: the referrer's details are filled in from the user and the practice
    assert renderer.editor("referrer_name").value() == "Dr Asha Patel"
    assert renderer.editor("referrer_phone").value()
    tab_to(renderer.editor("consent_given").yes)
    press(Qt.Key.Key_Y)
    tab_to(renderer.editor("consent_to_share").yes)
    press(Qt.Key.Key_Y)
    tab_to(renderer.editor("consent_method").combo)
    type_text("In")
    assert renderer.editor("consent_method").value() == "in_person"
    tab_to(renderer.editor("reasons").boxes["loneliness"])
    press(Qt.Key.Key_Space)
    tab_to(renderer.editor("reasons").boxes["other"])
    press(Qt.Key.Key_Space)
    other = renderer.editor("reasons").other
    assert tab_to(other) == 1  # the details follow the Other box
    type_text("Recently moved to the area")
    tab_to(renderer.editor("what_matters").edit)
    type_text("Meeting people again")
    for key in ("risk_to_self_or_others", "safeguarding_concerns", "lone_working_risk"):
        tab_to(renderer.editor(key).yes)
        press(Qt.Key.Key_N)
    tab_to(renderer.editor("urgency").combo)
    type_text("R")
    assert renderer.editor("urgency").value() == "routine"

    # Alt+N to the service: search, Enter chooses the link-worker service
    press(Qt.Key.Key_N, ALT)  # a mnemonic "animates" the click: it lands 100 ms later
    qtbot.waitUntil(lambda: dialog.step == SERVICE)
    assert QApplication.focusWidget() is dialog.service_picker.search
    settle(qtbot, session)
    type_text("social prescribing")
    press(Qt.Key.Key_Return)  # searches now, and chooses the first match
    assert dialog.service_picker.current() is not None
    assert dialog.step == REVIEW
    assert "Before it can be sent" not in dialog.problems.text(), dialog.problems.text()
    assert QApplication.focusWidget() is dialog.send_button

    # Enter on the focused Send button sends it
    press(Qt.Key.Key_Return)
    settle(qtbot, session)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()

    referral = session.services.referrals.get(session.user.id, dialog_referral_id(window))
    assert referral.status == "sent" and referral.patient_id == patient.id
    assert referral.answers["reasons"] == ["loneliness", "other"]
    assert referral.answers["reasons_other"] == "Recently moved to the area"
    assert referral.consent_given and referral.consent_to_share
    assert referral.events[-1].to_status == "sent"
    assert referral.events[-1].user.username == "dr.patel"
    assert "sent to" in window.statusBar().currentMessage()


def dialog_referral_id(window) -> int:
    """The referral number the status bar announced ("Referral 12 sent to …")."""
    return next(int(word) for word in window.statusBar().currentMessage().split()
                if word.isdigit())


def test_a_refused_send_shows_each_problem_beside_its_field_and_keeps_the_draft(demo_core,
                                                                              qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    session = window.session
    patient = a_patient(demo_core)
    dialog = window.new_referral()
    dialog._patient_chosen(patient)
    renderer = dialog.renderer
    renderer.editor("what_matters").set_value("Company")
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    QTest.keyClick(dialog, Qt.Key.Key_S, CTRL)  # save a draft
    settle(qtbot, session)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    draft_id = dialog_referral_id(window)
    draft = session.services.referrals.get(session.user.id, draft_id)
    assert draft.status == "draft" and draft.answers["what_matters"] == "Company"

    # the draft opens in the detail pane; "Continue draft" brings the answers back
    settle(qtbot, session)
    assert window.detail.referral.id == draft_id
    assert window.detail.edit_button.isVisible()
    window.detail.edit_button.click()
    again = next(d for d in window.findChildren(NewReferralDialog) if d.isVisible())
    assert again.draft.id == draft_id and again.step == FORM
    assert again.renderer.editor("what_matters").value() == "Company"
    assert not again.form_choice.isEnabled()  # a draft keeps its form
    qtbot.waitUntil(lambda: QApplication.activeWindow() is again)

    # Send: the service refuses; each message sits beside its field, nothing is lost
    QTest.keyClick(again, Qt.Key.Key_Return, CTRL)
    settle(qtbot, session)
    assert again.isVisible() and again.step == FORM
    assert "choose at least one" in again.renderer.message("reasons")
    assert again.renderer.message("consent_given")
    assert again.renderer.editor("what_matters").value() == "Company"
    assert "Draft" in again.status.text()
    first = again.renderer.first_error()
    assert QApplication.focusWidget() is again.renderer.editor(first).focus_target()
    assert session.services.referrals.get(session.user.id, draft_id).status == "draft"


# -- one draft per attempt ------------------------------------------------------------------

def referral_count(core) -> int:
    from sqlalchemy import func, select

    from practice_rx.storage.models import Referral

    with core.services.db.reading() as session:
        return session.scalar(select(func.count(Referral.id)))


def complete_answers(core) -> dict[str, object]:
    """The national form answered in full, as a GP would."""
    return {
        "referrer_name": "Dr Asha Patel", "referrer_role": "GP",
        "referrer_organisation": "Beeston Hill Surgery (demo)",
        "referrer_phone": "0113 496 0000", "consent_given": True, "consent_to_share": True,
        "consent_method": "in_person", "consent_date": core.services.clock().date().isoformat(),
        "reasons": ["loneliness"], "what_matters": "Meeting people again",
        "risk_to_self_or_others": False, "safeguarding_concerns": False,
        "lone_working_risk": False, "urgency": "routine",
    }


def link_worker_service(core):
    return next(s for s in core.services.catalogue.search("", None) if s.is_link_worker)


def test_failed_sends_reuse_one_draft_and_the_good_send_sends_it(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    session = window.session
    before = referral_count(demo_core)
    dialog = window.new_referral()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog._patient_chosen(a_patient(demo_core))
    QTest.keyClick(dialog, Qt.Key.Key_Return, CTRL)
    QTest.keyClick(dialog, Qt.Key.Key_Return, CTRL)  # again, while the first is saving
    settle(qtbot, session)
    assert dialog.isVisible() and dialog.draft is not None
    draft_id = dialog.draft.id
    for _attempt in range(2):
        QTest.keyClick(dialog, Qt.Key.Key_Return, CTRL)
        settle(qtbot, session)
        assert dialog.draft.id == draft_id and "Not sent" in dialog.status.text()
    assert referral_count(demo_core) == before + 1

    dialog.renderer.set_answers(complete_answers(demo_core))
    dialog._service_chosen(link_worker_service(demo_core))
    QTest.keyClick(dialog, Qt.Key.Key_Return, CTRL)
    settle(qtbot, session)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert referral_count(demo_core) == before + 1
    assert session.services.referrals.get(session.user.id, draft_id).status == "sent"


# -- another clinician's draft ---------------------------------------------------------------

def test_another_clinicians_draft_is_sent_only_on_their_behalf_after_confirming(demo_core,
                                                                               qtbot):
    from practice_rx.services.referrals import DraftChanges
    from tests.ui.helpers import message_box
    from tests.ui.test_accessibility import duplicates, mnemonics

    services = demo_core.services
    author = services.users.ensure("dr.patel", "Dr Asha Patel", "clinician")
    form_key = next((f.form_id, f.version) for f in services.forms.available())
    draft = services.referrals.create_draft(
        author.id, a_patient(demo_core).id, form_key,
        DraftChanges(service_id=link_worker_service(demo_core).id,
                     answers=complete_answers(demo_core)))
    window = make_window(demo_core, qtbot, "dr.okafor", "clinician")
    session = window.session
    dialog = window.continue_draft(draft.id)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.go(REVIEW)
    assert dialog.on_behalf_note.isVisible()
    assert "Written by Dr Asha Patel" in dialog.on_behalf_note.text()
    assert dialog.send_button.text().replace("&", "") == "Send on behalf of Dr Asha Patel…"
    assert duplicates(mnemonics(dialog)) == set()

    QTest.keyClick(dialog, Qt.Key.Key_Return, CTRL)
    box = message_box(dialog, "confirm_on_behalf")
    assert box is not None and "written by Dr Asha Patel" in box.text()
    assert len(mnemonics(box)) == 2 and duplicates(mnemonics(box)) == set()
    box.defaultButton().click()  # the default is not to send
    settle(qtbot, session)
    assert services.referrals.get(author.id, draft.id).status == "draft"

    dialog.send_button.click()  # the Send button asks too
    box = message_box(dialog, "confirm_on_behalf")
    box.findChild(QPushButton, "send_on_behalf").click()
    settle(qtbot, session)
    sent = services.referrals.get(author.id, draft.id)
    assert sent.status == "sent" and sent.referrer_id == author.id
    event = sent.events[-1]
    assert event.user.username == "dr.okafor"
    assert "on behalf of Dr Asha Patel" in event.note


# -- the whole journey, key by key --------------------------------------------------------------

class Keys:
    """Presses keys where the focus is, counting each one that is not free text."""

    def __init__(self) -> None:
        self.count = 0

    def press(self, key_: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        press(key_, modifier)
        self.count += 1

    @staticmethod
    def type(text: str) -> None:
        """Free text (names, notes, a date): the words only the GP knows, not counted."""
        type_text(text)


def test_gp_journey_key_by_key_with_two_patients_of_one_name(demo_core, qtbot):
    from tests.ui.same_name import two_wilsons

    _first, second = two_wilsons(demo_core)
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    session = window.session
    before = referral_count(demo_core)
    today = demo_core.services.clock().date()
    keys = Keys()
    focus = QApplication.focusWidget

    QTest.keyClick(window, Qt.Key.Key_N, CTRL)
    keys.count += 1
    dialog = window.findChild(NewReferralDialog)
    search = dialog.patient_picker.search
    qtbot.waitUntil(lambda: focus() is search.search)

    # two WILSON, Yusuf: the banners tell them apart; the younger one is wanted
    keys.type("wilson yusuf")
    qtbot.waitUntil(lambda: search.results.count() == 2)
    keys.press(Qt.Key.Key_Down)  # the first match is highlighted; Down is the next one
    assert search.banner.patient.id == second.id
    keys.press(Qt.Key.Key_Return)
    assert dialog.step == FORM and dialog.patient.id == second.id
    assert "Born 14 Sep 1988" in dialog.patient_banner.text()

    # the form starts at the first question without an answer; Enter moves on a question
    renderer = dialog.renderer
    assert focus() is renderer.editor("consent_given").focus_target()
    keys.press(Qt.Key.Key_Left)  # Yes
    keys.press(Qt.Key.Key_Return)
    assert focus() is renderer.editor("consent_to_share").focus_target()
    keys.press(Qt.Key.Key_Left)
    keys.press(Qt.Key.Key_Return)
    assert focus() is renderer.editor("consent_method").combo
    keys.press(Qt.Key.Key_Down)  # In person
    keys.press(Qt.Key.Key_Return)

    # the date is mistyped, flagged when left, then corrected
    assert focus() is renderer.editor("consent_date").edit
    keys.press(Qt.Key.Key_A, CTRL)
    keys.type(f"31/02/{today.year}")
    keys.press(Qt.Key.Key_Return)
    assert focus() is renderer.editor("reasons").boxes["loneliness"]
    qtbot.waitUntil(lambda: "enter a real date" in renderer.message("consent_date"))
    keys.press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert focus() is renderer.editor("consent_date").edit
    keys.press(Qt.Key.Key_A, CTRL)
    keys.type(today.strftime("%d/%m/%Y"))
    keys.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: renderer.message("consent_date") == "")

    keys.press(Qt.Key.Key_Space)  # Loneliness or social isolation
    keys.press(Qt.Key.Key_Tab)
    keys.press(Qt.Key.Key_Space)  # Low mood, anxiety or stress
    keys.press(Qt.Key.Key_Return)  # past the other tick boxes
    assert focus() is renderer.editor("what_matters").edit
    keys.type("Meeting people again; he used to sing in a choir")
    keys.press(Qt.Key.Key_Tab)
    keys.type("Lives alone since his wife died in March")
    keys.press(Qt.Key.Key_Tab)
    for key in ("risk_to_self_or_others", "safeguarding_concerns", "lone_working_risk"):
        assert focus() is renderer.editor(key).yes, key
        keys.press(Qt.Key.Key_Right)  # No
        keys.press(Qt.Key.Key_Return)
    assert focus() is renderer.editor("urgency").combo
    keys.press(Qt.Key.Key_Down)  # Routine

    # the service: typed, and Enter chooses the first match even before the list arrives
    keys.press(Qt.Key.Key_N, ALT)
    qtbot.waitUntil(lambda: dialog.step == SERVICE)
    assert focus() is dialog.service_picker.search
    keys.type("social prescribing")
    keys.press(Qt.Key.Key_Return)
    assert dialog.step == REVIEW and dialog.service.is_link_worker
    assert "Before it can be sent" not in dialog.problems.text(), dialog.problems.text()
    keys.press(Qt.Key.Key_Return, CTRL)
    settle(qtbot, session)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()

    print(f"\nGP journey: {keys.count} keys besides free text")
    assert keys.count <= 40

    assert referral_count(demo_core) == before + 1
    referral = session.services.referrals.get(session.user.id, dialog_referral_id(window))
    assert referral.status == "sent"
    assert referral.patient_id == second.id
    assert referral.service.is_link_worker
    assert referral.referrer.username == "dr.patel"
    assert referral.consent_given and referral.consent_to_share
    answers = referral.answers
    assert answers["referrer_name"] == "Dr Asha Patel"
    assert answers["referrer_role"]
    assert answers["referrer_organisation"] and answers["referrer_phone"]
    assert answers["consent_given"] is True and answers["consent_to_share"] is True
    assert answers["consent_method"] == "in_person"
    assert answers["consent_date"] == today.isoformat()
    assert answers["reasons"] == ["loneliness", "low_mood"]
    assert answers["what_matters"] == "Meeting people again; he used to sing in a choir"
    assert answers["context"] == "Lives alone since his wife died in March"
    assert answers["risk_to_self_or_others"] is False
    assert answers["safeguarding_concerns"] is False
    assert answers["lone_working_risk"] is False
    assert answers["urgency"] == "routine"
    assert referral.events[-1].to_status == "sent"
    assert referral.events[-1].user.username == "dr.patel"


def test_a_problem_put_right_leaves_the_review_and_the_footer(demo_core, qtbot):
    """Found at the desk: "Not sent: Service: choose the service" stayed in red above
    the service just chosen, and the footer kept saying answers needed attention."""
    from tests.support.factories import complete_answers

    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    session = window.session
    dialog = window.new_referral()
    dialog._patient_chosen(a_patient(demo_core))
    dialog.renderer.set_answers(complete_answers(
        consent_date=session.services.clock().date().isoformat()))
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    QTest.keyClick(dialog, Qt.Key.Key_Return, CTRL)  # no service chosen: refused
    settle(qtbot, session)
    assert dialog.step == SERVICE
    assert dialog.status.text().startswith("Not sent")
    qtbot.waitUntil(lambda: dialog.service_picker.results.count() > 0)
    dialog.service_picker.results.setFocus()
    dialog.service_picker.results.setCurrentRow(0)
    press(Qt.Key.Key_Return)  # choose the service: on to the review
    assert dialog.step == REVIEW and dialog.service is not None
    assert dialog.problems.message == ""
    assert not dialog.status.text().startswith("Not sent")
    QTest.keyClick(dialog, Qt.Key.Key_Return, CTRL)
    settle(qtbot, session)
    sent = session.services.referrals.get(session.user.id, dialog_referral_id(window))
    assert sent.status == "sent"
