"""The connections panel: connect with the service picker by keyboard, move a status."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from practice_rx.ui.casework.connections_panel import ConnectDialog, ConnectionsPanel
from practice_rx.ui.session import Session
from tests.caseload.casework_cases import open_case
from tests.support.factories import make_service, make_user
from tests.ui.helpers import settle, top_level

FITS = (1366 - 16, 768 - 48 - 40)


def _panel(core, qtbot, user=None):
    case = open_case(core.services)
    session = Session(core, user or case.worker)
    panel = ConnectionsPanel(session, case.referral_id)
    qtbot.addWidget(panel)
    panel.show()
    settle(qtbot, session)
    return case, session, panel


def test_connect_by_keyboard_then_move_its_status(core, qtbot):
    make_service(core.services, "Tuesday walking group")
    case, session, panel = _panel(core, qtbot)
    assert "Not connected" in panel.empty.text()
    panel.connect_button.click()
    dialog = top_level(ConnectDialog)
    settle(qtbot, session)
    QTest.keyClicks(dialog.picker.search, "tuesday walking")
    qtbot.wait(300)
    settle(qtbot, session)
    QTest.keyClick(dialog.picker.search, Qt.Key.Key_Return)
    settle(qtbot, session)
    assert [r.service_name for r in panel.model.rows] == ["Tuesday walking group"]
    assert panel.model.rows[0].status == "suggested"
    assert [panel.move_to.itemText(i) for i in range(panel.move_to.count())] == [
        "Referred", "Did not start"]
    panel.note.setFocus()
    QTest.keyClicks(panel.note, "Emailed the organiser")
    QTest.keyClick(panel.note, Qt.Key.Key_Return)
    settle(qtbot, session)
    assert panel.model.rows[0].status == "referred"
    assert panel.note.text() == ""
    assert [panel.move_to.itemText(i) for i in range(panel.move_to.count())] == [
        "Attending", "Did not start"]


def test_a_clinician_sees_the_connections_but_cannot_change_them(core, qtbot):
    gp = make_user(core.services, "clinician", "Dr Ravi Shah")
    case, session, panel = _panel(core, qtbot, gp)
    assert panel.connect_button.isHidden() and panel.move_button.isHidden()
    assert panel.message.message == ""


def test_the_panel_and_its_dialog_fit_a_practice_screen(core, qtbot):
    case, session, panel = _panel(core, qtbot)
    dialog = ConnectDialog(session, panel)
    qtbot.addWidget(dialog)
    for widget in (panel, dialog):
        hint = widget.minimumSizeHint()
        assert hint.width() <= FITS[0] and hint.height() <= FITS[1]


def test_the_connections_model_passes_the_model_tester(core, qtbot, qtmodeltester):
    make_service(core.services, "Art class")
    case, session, panel = _panel(core, qtbot)
    panel.connect_to(core.services.catalogue.search("Art class", None)[0].id)
    settle(qtbot, session)
    assert panel.model.rowCount() == 1
    qtmodeltester.check(panel.model)
