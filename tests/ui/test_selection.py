"""Selection is the truth: the pane and every command act on the highlighted row only.

Each test drives one way the list and the pane could drift apart (a filter, a
sort, a refresh with new rows, a new referral, a saved status, a conflict
reload, signing out and in) and checks that they still agree: the pane shows
the highlighted referral, or nothing, or (just after a save or a send) the
referral saved with no other row highlighted.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.ui.status_dialog import StatusDialog
from practice_rx.ui.worklist_model import COLUMNS, ROW_ROLE
from tests.support.factories import NATIONAL
from tests.ui.conftest import make_window
from tests.ui.helpers import message_box, press, settle
from tests.ui.selection_helpers import highlight_row, highlighted_id, show_status

CTRL = Qt.KeyboardModifier.ControlModifier


def open_status_dialogs(window) -> list[StatusDialog]:
    return [d for d in window.findChildren(StatusDialog) if d.isVisible()]


def assert_nothing_to_act_on(window) -> None:
    assert highlighted_id(window) is None
    assert window.detail.referral is None and window.detail.pages.currentIndex() == 0
    assert window.target() is None
    assert not window.act_update.isEnabled() and not window.act_note.isEnabled()
    assert not window.act_letters.isEnabled()
    assert window.update_status() is None and open_status_dialogs(window) == []


def assert_agree(window) -> None:
    """The pane shows the highlighted row's referral, or nothing when no row is highlighted."""
    highlighted = highlighted_id(window)
    if highlighted is None:
        assert_nothing_to_act_on(window)
    else:
        assert window.detail.showing() == highlighted == window.target()
        assert window.detail.banner.referral_id == highlighted


def test_a_find_that_hides_the_shown_row_empties_the_pane_and_ctrl_u_opens_nothing(
        window, qtbot):
    """The reported bug: the pane kept MORGAN's referral while the list showed TAYLOR only."""
    session = window.session
    shown = highlight_row(window, qtbot, 0)
    assert window.detail.banner.referral_id == shown.id and window.act_update.isEnabled()
    model = window.worklist.model
    family = shown.patient_name.split(",")[0]
    other = next(model.data(model.index(r, 0), ROW_ROLE) for r in range(model.rowCount())
                 if model.data(model.index(r, 0), ROW_ROLE).patient_name.split(",")[0] != family)
    other_family = other.patient_name.split(",")[0]

    window.focus_find()
    QTest.keyClicks(window.worklist.filters.text, other_family.lower())
    qtbot.waitUntil(lambda: model.query.filter.text == other_family.lower())
    settle(qtbot, session)
    listed = {model.data(model.index(r, 0), ROW_ROLE).id for r in range(model.rowCount())}
    assert shown.id not in listed and other.id in listed
    assert_nothing_to_act_on(window)
    press(Qt.Key.Key_U, CTRL)  # from inside the Find box
    assert open_status_dialogs(window) == []
    assert "Choose a referral" in window.statusBar().currentMessage()
    assert window.worklist.filters.text.text() == other_family.lower()


def test_moving_to_another_row_empties_the_pane_until_that_row_opens(window, qtbot):
    first = highlight_row(window, qtbot, 0)
    window.worklist.table.setFocus()
    press(Qt.Key.Key_Down)
    second = window.worklist.model.data(window.worklist.model.index(1, 0), ROW_ROLE)
    assert highlighted_id(window) == second.id != first.id
    # at once, before the pause that opens it: nothing shown, nothing to act on
    assert window.detail.referral is None and window.target() is None
    assert window.update_status() is None
    qtbot.waitUntil(lambda: window.detail.showing() == second.id)
    assert_agree(window)


def test_a_sort_that_moves_the_row_out_of_reach_empties_the_pane(window, qtbot):
    session = window.session
    newest = highlight_row(window, qtbot, 0)  # sorted by created, newest first
    created = next(i for i, c in enumerate(COLUMNS) if c.sort == "created")
    window.worklist.table.sortByColumn(created, Qt.SortOrder.AscendingOrder)
    settle(qtbot, session)
    assert window.worklist.model.query.descending is False
    assert window.worklist.model.row_of(newest.id) is None  # now the last row, not read yet
    assert_nothing_to_act_on(window)


def test_a_sort_that_keeps_the_row_in_the_list_keeps_it_highlighted(window, qtbot):
    session = window.session
    shown = highlight_row(window, qtbot, 3)
    ref = next(i for i, c in enumerate(COLUMNS) if c.sort == "id")
    window.worklist.table.sortByColumn(ref, Qt.SortOrder.DescendingOrder)
    settle(qtbot, session)
    if window.worklist.model.row_of(shown.id) is not None:
        assert highlighted_id(window) == shown.id
    assert_agree(window)


def test_a_refresh_with_new_rows_keeps_the_same_referral_highlighted(window, qtbot):
    session = window.session
    services = session.services
    shown = highlight_row(window, qtbot, 3)
    gp = services.users.ensure("dr.okafor", "Dr Chidi Okafor", "clinician")
    patient_id = services.referrals.get(session.user.id, shown.id).patient_id
    for _ in range(2):  # newer than everything: they arrive at the top
        services.referrals.create_draft(gp.id, patient_id, NATIONAL)
    press(Qt.Key.Key_F5)
    settle(qtbot, session)
    assert window.worklist.model.total == 302
    assert window.worklist.model.row_of(shown.id) == 5
    assert highlighted_id(window) == shown.id == window.detail.showing()
    assert_agree(window)


def new_draft(window) -> int:
    session = window.session
    patient_id = session.services.referrals.get(
        session.user.id, window.worklist.model.data(window.worklist.model.index(0, 0),
                                                    ROW_ROLE).id).patient_id
    return session.services.referrals.create_draft(session.user.id, patient_id, NATIONAL).id


def test_a_new_referral_is_highlighted_and_shown_when_the_list_holds_it(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    session = window.session
    highlight_row(window, qtbot, 4)
    referral_id = new_draft(window)
    session.referral_changed.emit(referral_id)  # as the new-referral dialog does
    window._referral_done(referral_id, f"Referral {referral_id} saved as a draft")
    settle(qtbot, session)
    assert highlighted_id(window) == referral_id == window.detail.showing()
    assert window.worklist.model.row_of(referral_id) == 0
    assert_agree(window)


def test_a_new_referral_not_in_the_list_is_shown_with_no_row_highlighted(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    session = window.session
    show_status(window, qtbot, "completed")
    referral_id = new_draft(window)
    session.referral_changed.emit(referral_id)
    window._referral_done(referral_id, f"Referral {referral_id} saved as a draft")
    settle(qtbot, session)
    assert window.worklist.model.row_of(referral_id) is None
    assert highlighted_id(window) is None  # no other row stands in for it
    assert window.detail.showing() == referral_id == window.target()
    dialog = window.update_status()
    assert dialog is not None and dialog.referral.id == referral_id
    dialog.reject()
    # once the list is changed, the pane follows it again
    window.sidebar.statuses.choose("cancelled")
    settle(qtbot, session)
    assert_agree(window)


def save_status_by_keyboard(window, qtbot, note: str) -> None:
    press(Qt.Key.Key_U, CTRL)
    dialog = open_status_dialogs(window)[0]
    assert dialog.referral.id == window.target()
    dialog.note.setFocus()
    QTest.keyClicks(dialog.note, note)
    QTest.keyClick(dialog.note, Qt.Key.Key_Return)
    settle(qtbot, window.session)


def test_a_saved_status_that_leaves_the_list_stays_shown_with_no_row_highlighted(window, qtbot):
    session = window.session
    press(Qt.Key.Key_O, CTRL | Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, session)
    row = highlight_row(window, qtbot, 0)
    total = window.worklist.model.total
    save_status_by_keyboard(window, qtbot, "Service rang back")
    assert window.worklist.model.total == total - 1  # no longer overdue
    assert window.worklist.model.row_of(row.id) is None
    assert highlighted_id(window) is None
    assert window.detail.showing() == row.id == window.target()
    assert window.detail.referral.status != row.status  # the saved status shows


def test_a_saved_status_in_the_list_keeps_its_row_highlighted(window, qtbot):
    session = window.session
    row = highlight_row(window, qtbot, 0)
    save_status_by_keyboard(window, qtbot, "Spoke to the service")
    assert session.services.referrals.get(session.user.id, row.id).status != row.status
    assert highlighted_id(window) == row.id == window.detail.showing()
    assert_agree(window)


def test_a_conflict_reload_keeps_list_pane_and_dialog_on_one_referral(window, qtbot):
    session = window.session
    services = session.services
    row = show_status(window, qtbot, "sent")
    press(Qt.Key.Key_U, CTRL)
    dialog = open_status_dialogs(window)[0]
    dialog.note.setFocus()
    QTest.keyClicks(dialog.note, "Accepted by phone")
    other = services.users.ensure("dr.okafor", "Dr Chidi Okafor")
    services.referrals.add_note(other.id, row.id, row.version, "Patient rang in")
    QTest.keyClick(dialog.note, Qt.Key.Key_Return)
    settle(qtbot, session)
    box = message_box(dialog, "conflict")
    assert box is not None
    assert dialog.referral.id == row.id == window.detail.showing() == highlighted_id(window)
    assert dialog.referral.version == row.version + 1
    box.accept()
    QTest.keyClick(dialog.note, Qt.Key.Key_Return)
    settle(qtbot, session)
    assert services.referrals.get(session.user.id, row.id).status == "accepted"
    assert window.detail.showing() == row.id and highlighted_id(window) is None  # left "sent"


def test_signing_out_and_in_leaves_nothing_highlighted_or_shown(window, qtbot):
    session = window.session
    highlight_row(window, qtbot, 2)
    window.sign_out()
    assert window.detail.referral is None and highlighted_id(window) is None
    other = session.services.users.ensure("linkworker.ahmed", "Nadia Ahmed", "link_worker")
    session.sign_in(other)
    window._signed_in(other)
    settle(qtbot, session)
    assert window.worklist.model.total == 300
    assert_nothing_to_act_on(window)
    assert window.worklist.current_id() is None


def test_a_referral_opened_from_elsewhere_is_highlighted_too(window, qtbot):
    """Whatever opens a referral in the pane (a dialog, a tool), the list agrees with it."""
    session = window.session
    highlight_row(window, qtbot, 0)
    sent = session.services.worklist.page(session.user.id, WorklistQuery(
        WorklistFilter(statuses=frozenset({"sent"})))).rows[0]
    window.detail.show_referral(sent.id)
    settle(qtbot, session)
    if window.worklist.model.row_of(sent.id) is None:
        assert highlighted_id(window) is None and window.target() == sent.id
    else:
        assert highlighted_id(window) == sent.id == window.target()


def click_row(window, row: int) -> None:
    """A left click in the middle of a row, as a person's mouse would."""
    table = window.worklist.table
    rect = table.visualRect(window.worklist.model.index(row, 1))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, rect.center())


def test_a_mouse_click_chooses_the_row_and_every_action_follows_it(window, qtbot):
    """The bug found at the desk: a click highlighted a row, the pane kept the last one,
    and a note typed next was saved on that other referral."""
    session = window.session
    show_status(window, qtbot, "sent", row=1)
    model = window.worklist.model
    for row in (3, 0, 2):
        wanted = model.data(model.index(row, 0), ROW_ROLE)
        click_row(window, row)
        qtbot.waitUntil(lambda: window.detail.showing() == wanted.id, timeout=10_000)
        settle(qtbot, session)
        assert_agree(window)
    dialog = window.update_status()
    assert dialog is not None and dialog.referral.id == wanted.id
    dialog.reject()
    window.focus_note()
    QTest.keyClicks(window.detail.note, "Left a voicemail")
    press(Qt.Key.Key_Return)
    settle(qtbot, session)
    assert session.services.referrals.get(session.user.id, wanted.id).notes[-1].text == (
        "Left a voicemail")
