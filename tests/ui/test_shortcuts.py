"""The main window's shortcuts work from inside any text box; Down and Tab reach the list."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from practice_rx.ui.status_dialog import StatusDialog
from tests.ui.conftest import make_window
from tests.ui.helpers import focused, press, settle
from tests.ui.selection_helpers import highlighted_id, show_status

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def find_own_patient(window, qtbot) -> tuple[object, str]:
    """A sent referral highlighted, and its patient's family name typed into Find."""
    row = show_status(window, qtbot, "sent")
    press(Qt.Key.Key_F, CTRL)
    find = window.worklist.filters.text
    assert focused() is find
    text = row.patient_name.split(",")[0].lower()
    QTest.keyClicks(find, text)
    qtbot.waitUntil(lambda: window.worklist.model.query.filter.text == text)
    settle(qtbot, window.session)
    assert focused() is find and highlighted_id(window) == row.id
    return row, text


def test_ctrl_u_in_the_find_box_updates_the_highlighted_referral_and_keeps_the_text(
        window, qtbot):
    row, text = find_own_patient(window, qtbot)
    press(Qt.Key.Key_U, CTRL)  # QLineEdit's own Ctrl+U would delete the text
    dialog = next(d for d in window.findChildren(StatusDialog) if d.isVisible())
    assert dialog.referral.id == row.id
    assert window.worklist.filters.text.text() == text
    dialog.reject()


def test_ctrl_shift_n_and_ctrl_f_move_between_the_find_box_and_the_note(window, qtbot):
    _row, text = find_own_patient(window, qtbot)
    press(Qt.Key.Key_N, CTRL | SHIFT)
    assert focused() is window.detail.note
    QTest.keyClicks(window.detail.note, "Rang twice")
    press(Qt.Key.Key_F, CTRL)  # from the note box back to Find
    assert focused() is window.worklist.filters.text
    assert window.worklist.filters.text.text() == text
    assert window.detail.note.text() == "Rang twice"


def test_ctrl_l_locks_from_inside_the_find_box(window, qtbot):
    find_own_patient(window, qtbot)
    press(Qt.Key.Key_L, CTRL)
    assert window.idle.locked
    window.idle.release()


def test_ctrl_n_starts_a_referral_from_inside_the_find_box(demo_core, qtbot):
    from practice_rx.ui.new_referral import NewReferralDialog

    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    window.focus_find()
    QTest.keyClicks(window.worklist.filters.text, "smi")
    press(Qt.Key.Key_N, CTRL)
    assert any(d.isVisible() for d in window.findChildren(NewReferralDialog))
    assert window.worklist.filters.text.text() == "smi"


def test_keys_no_command_uses_stay_with_the_text_box(window, qtbot):
    window.focus_find()
    QTest.keyClicks(window.worklist.filters.text, "taylor")
    press(Qt.Key.Key_A, CTRL)  # select all: the line edit's own
    assert window.worklist.filters.text.selectedText() == "taylor"


def test_down_from_find_moves_into_the_list_on_its_first_row(window, qtbot):
    window.focus_find()
    press(Qt.Key.Key_Down)
    assert focused() is window.worklist.table
    first = window.worklist.model.index(0, 0)
    assert window.worklist.table.currentIndex().row() == 0
    qtbot.waitUntil(lambda: window.detail.showing() == highlighted_id(window)
                    == window.worklist.model.data(first, Qt.ItemDataRole.UserRole + 1))


def test_one_tab_from_find_reaches_the_list(window, qtbot):
    window.focus_find()
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.worklist.table
