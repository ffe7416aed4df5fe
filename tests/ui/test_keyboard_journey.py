"""The keyboard never misfires: Enter takes the highlighted patient, whatever the moment.

Two synthetic "WILSON, Yusuf" share a name; only the banner tells them apart.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from practice_rx.ui.new_referral import FORM, PATIENT, REVIEW, SERVICE, NewReferralDialog
from practice_rx.ui.patient_banner import banner_text
from tests.ui.conftest import make_window
from tests.ui.helpers import message_box, press, settle
from tests.ui.same_name import two_wilsons
from tests.ui.test_accessibility import duplicates, mnemonics

CTRL = Qt.KeyboardModifier.ControlModifier


def open_new_referral(core, qtbot) -> NewReferralDialog:
    window = make_window(core, qtbot, "dr.patel", "clinician")
    QTest.keyClick(window, Qt.Key.Key_N, CTRL)
    dialog = window.findChild(NewReferralDialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.patient_picker.search.search)
    return dialog


def search_for_wilsons(dialog, qtbot) -> None:
    QTest.keyClicks(QApplication.focusWidget(), "wilson yusuf")
    qtbot.waitUntil(lambda: dialog.patient_picker.search.results.count() == 2)


def test_each_match_shows_the_whole_banner_and_the_highlighted_one_below(demo_core, qtbot):
    first, second = two_wilsons(demo_core)
    dialog = open_new_referral(demo_core, qtbot)
    search = dialog.patient_picker.search
    search_for_wilsons(dialog, qtbot)
    today = demo_core.services.clock().date()
    texts = [search.results.item(row).text() for row in range(2)]
    assert texts == [banner_text(first, today), banner_text(second, today)]
    assert texts[0] != texts[1]  # born, postcode, phone and NHS number differ
    assert "NHS 999 555" in texts[0] and "LS11 5AB" in texts[0] and "07700 900101" in texts[0]
    assert search.results.currentRow() == 0  # the first match is highlighted
    assert search.banner.isVisible() and search.banner.patient.id == first.id

    press(Qt.Key.Key_Down)  # from the search box to the next match, as in any list
    assert QApplication.focusWidget() is search.results
    assert search.banner.text() == banner_text(second, today)
    press(Qt.Key.Key_Down)  # the last match: Down stays on it
    assert search.results.currentRow() == 1
    press(Qt.Key.Key_Return)
    assert dialog.step == FORM and dialog.patient.id == second.id
    assert dialog.patient_banner.text() == banner_text(second, today)


def test_enter_chooses_the_highlighted_patient_with_two_matches(demo_core, qtbot):
    first, _second = two_wilsons(demo_core)
    dialog = open_new_referral(demo_core, qtbot)
    search_for_wilsons(dialog, qtbot)
    assert QApplication.focusWidget() is dialog.patient_picker.search.search
    press(Qt.Key.Key_Return)  # the first Enter, from the search box, chooses
    assert dialog.step == FORM and dialog.patient.id == first.id


def test_enter_while_still_typing_chooses_the_first_match_and_later_keys_reach_the_form(
        demo_core, qtbot):
    first, _second = two_wilsons(demo_core)
    dialog = open_new_referral(demo_core, qtbot)
    search = dialog.patient_picker.search
    QTest.keyClicks(search.search, "wilson yusuf")
    assert search.pending and search.results.count() == 0  # the typing timer is running
    press(Qt.Key.Key_Return)
    press(Qt.Key.Key_Left)  # typed at once: meant for the form's first question
    assert dialog.step == FORM and dialog.patient.id == first.id
    assert search.search.text() == "wilson yusuf"  # no key landed in the search box
    renderer = dialog.renderer
    assert renderer.editor("consent_given").value() is True
    assert renderer.editor("referrer_role").value()  # the prefilled referrer is untouched
    settle(qtbot, dialog.session)
    assert dialog.patient.id == first.id


def test_enter_while_the_search_is_running_chooses_the_first_match(demo_core, qtbot):
    first, _second = two_wilsons(demo_core)
    dialog = open_new_referral(demo_core, qtbot)
    search = dialog.patient_picker.search
    search.search.setText("wilson yusuf")
    search.find()  # the query is in flight
    assert search.searching
    press(Qt.Key.Key_Return)
    assert dialog.step == FORM and dialog.patient.id == first.id
    settle(qtbot, dialog.session)  # the stale answer arrives and changes nothing
    assert dialog.step == FORM and dialog.patient.id == first.id


def test_enter_on_the_service_step_before_the_catalogue_arrives_chooses_the_first(
        demo_core, qtbot):
    first, _second = two_wilsons(demo_core)
    dialog = open_new_referral(demo_core, qtbot)
    dialog._patient_chosen(first)
    dialog.go(SERVICE)  # starts the catalogue search
    assert dialog.service_picker.pending
    press(Qt.Key.Key_Return)
    assert dialog.step == REVIEW and dialog.service is not None
    assert dialog.service.is_link_worker  # listed first


def test_a_search_with_no_match_keeps_enter_on_the_patient_step(demo_core, qtbot):
    dialog = open_new_referral(demo_core, qtbot)
    QTest.keyClicks(dialog.patient_picker.search.search, "zzqx nobody")
    press(Qt.Key.Key_Return)
    assert dialog.step == PATIENT and dialog.patient is None
    assert "No patient matches" in dialog.patient_picker.search.found.text()


def test_every_step_and_box_has_unique_alt_keys(demo_core, qtbot):
    first, _second = two_wilsons(demo_core)
    dialog = open_new_referral(demo_core, qtbot)
    session = dialog.session
    search_for_wilsons(dialog, qtbot)
    assert duplicates(mnemonics(dialog)) == set()
    dialog.patient_picker.add_patient()
    keys = mnemonics(dialog)
    assert duplicates(keys) == set()
    save = dialog.patient_picker.form.save_button.text()
    assert save.replace("&", "") == "Save patient" and "&" in save
    assert "p" in keys  # Postcode keeps Alt+P; Save patient has its own key
    dialog.patient_picker.back_to_search()
    dialog._patient_chosen(first)
    for step in (FORM, SERVICE, REVIEW):
        dialog.go(step)
        settle(qtbot, session)
        assert duplicates(mnemonics(dialog)) == set(), step

    dialog.reject()  # unsaved answers: it asks first
    box = message_box(dialog, "discard")
    assert box is not None
    keys = mnemonics(box)
    assert len(keys) == 2 and duplicates(keys) == set()  # Discard and Keep editing have keys
    box.button(box.StandardButton.Cancel).click()
    assert dialog.isVisible()


def test_down_typed_ahead_of_the_search_still_reaches_the_next_match(demo_core, qtbot):
    """Found at the desk: "wilson", Down, Down, Enter typed fast chose the first match."""
    _first, second = two_wilsons(demo_core)
    dialog = open_new_referral(demo_core, qtbot)
    search = dialog.patient_picker.search
    QTest.keyClicks(QApplication.focusWidget(), "wilson yusuf")
    assert search.pending  # nothing searched yet: the keys below arrive first
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_Return)
    assert dialog.step == FORM and dialog.patient.id == second.id


def test_back_to_the_patient_step_lists_only_the_patient_chosen(demo_core, qtbot):
    """Found at the desk: after Back, the list highlighted one WILSON and the banner
    above named the other."""
    first, second = two_wilsons(demo_core)
    dialog = open_new_referral(demo_core, qtbot)
    search = dialog.patient_picker.search
    search_for_wilsons(dialog, qtbot)
    press(Qt.Key.Key_Return)
    assert dialog.step == FORM and dialog.patient.id == first.id
    dialog.back()
    assert dialog.step == PATIENT
    assert search.results.count() == 1 and search.banner.patient.id == first.id
    assert dialog.patient_banner.patient.id == first.id
    # searching again shows both, and choosing the other one changes the patient
    search.search.selectAll()
    QTest.keyClicks(search.search, "wilson yusuf")
    qtbot.waitUntil(lambda: search.results.count() == 2)
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_Return)
    assert dialog.step == FORM and dialog.patient.id == second.id
    assert dialog.patient_banner.patient.id == second.id
