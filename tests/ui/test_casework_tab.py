"""The Casework tab and the caseload window, wired into the main window, per role."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from practice_rx.storage.models import Referral, Service, User
from practice_rx.ui.casework.case_tab import NOT_A_CASE
from practice_rx.ui.casework.connections_panel import ConnectionsPanel
from practice_rx.ui.casework.outcomes_panel import OutcomesPanel
from tests.ui.conftest import make_window
from tests.ui.helpers import settle


def _case(core, status: str) -> Referral:
    with core.services.db.reading() as session:
        ahmed = session.scalar(select(User.id).where(User.username == "linkworker.ahmed"))
        return session.scalars(select(Referral).where(
            Referral.allocated_to_id == ahmed, Referral.status == status)
            .order_by(Referral.id)).first()


def _community_referral(core) -> Referral:
    with core.services.db.reading() as session:
        return session.scalars(select(Referral).join(Service).where(
            Service.is_link_worker.is_(False), Referral.status == "sent")
            .order_by(Referral.id)).first()


def _shown_tab(window, qtbot, referral_id: int):
    window.detail.show_referral(referral_id)
    settle(qtbot, window.session)
    assert window.detail.showing() == referral_id
    return window.detail.casework


def _visible_commands(tab) -> set[str]:
    return {key for key, button in tab.commands.items() if not button.isHidden()}


def test_a_link_worker_sees_their_case_and_its_commands(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "linkworker.ahmed", "link_worker")
    case = _case(demo_core, "in_progress")
    tab = _shown_tab(window, qtbot, case.id)
    assert tab.summary.text().startswith("Link worker: Nadia Ahmed.")
    assert _visible_commands(tab) == {"allocate", "contact", "plan", "history", "close"}
    assert tab.findChild(ConnectionsPanel) is not None and tab.findChild(OutcomesPanel)
    other = _case(demo_core, "accepted")
    tab = _shown_tab(window, qtbot, other.id)
    assert "close" not in _visible_commands(tab)  # only a case in progress is closed
    settle(qtbot, window.session)
    assert [panel.referral_id for panel in tab.findChildren(ConnectionsPanel)
            if not panel.isHidden() and panel.parent() is tab] == [other.id]


def test_a_receptionist_sees_who_holds_the_case_and_when_but_not_the_casework(demo_core,
                                                                              qtbot):
    window = make_window(demo_core, qtbot, "reception.jones", "receptionist")
    case = _case(demo_core, "in_progress")
    tab = _shown_tab(window, qtbot, case.id)
    assert tab.summary.text().startswith("Link worker: Nadia Ahmed.")
    assert _visible_commands(tab) == set()
    assert tab.findChild(OutcomesPanel) is None and tab.findChild(ConnectionsPanel) is None


def test_a_clinician_reads_the_summary_and_cannot_record(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    case = _case(demo_core, "in_progress")
    tab = _shown_tab(window, qtbot, case.id)
    assert _visible_commands(tab) == set()
    assert tab.findChild(OutcomesPanel) is not None
    assert not tab.findChild(OutcomesPanel).record_button.isVisibleTo(tab)


def test_a_referral_straight_to_a_community_service_has_no_casework(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "linkworker.ahmed", "link_worker")
    referral = _community_referral(demo_core)
    tab = _shown_tab(window, qtbot, referral.id)
    assert tab.summary.text() == NOT_A_CASE and _visible_commands(tab) == set()
    assert tab.findChild(OutcomesPanel) is None


def test_the_caseload_opens_from_the_main_window_and_shows_a_case_there(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "linkworker.ahmed", "link_worker")
    assert window.act_caseload.isEnabled() and window.act_new.isEnabled()
    caseload = window.open_caseload()
    settle(qtbot, window.session)
    view = caseload.view
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10_000)
    view.table.setFocus()
    view.table.selectRow(0)
    chosen = view.current_referral_id()
    caseload.findChild(QPushButton, "caseload_open_case").click()
    settle(qtbot, window.session)
    assert window.detail.showing() == chosen
    assert window.detail.tabs.currentWidget() is window.detail.casework


def test_a_clinician_has_no_caseload(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    assert not window.act_caseload.isEnabled()
    assert window.open_caseload() is None


def test_the_casework_tab_has_unique_alt_keys_for_every_role(demo_core, qtbot):
    from tests.ui.test_accessibility import duplicates, mnemonics

    for user, role in (("linkworker.ahmed", "link_worker"), ("admin", "admin"),
                       ("dr.patel", "clinician"), ("reception.jones", "receptionist")):
        window = make_window(demo_core, qtbot, user, role)
        for status in ("accepted", "contacted", "in_progress"):
            _shown_tab(window, qtbot, _case(demo_core, status).id)
            window.detail.tabs.setCurrentWidget(window.detail.casework)
            settle(qtbot, window.session)
            assert duplicates(mnemonics(window)) == set(), (role, status)
        window.close()


def _contacts_shown(tab) -> list[list[str]]:
    from practice_rx.ui.casework.contacts_panel import ContactsPanel

    [panel] = tab.findChildren(ContactsPanel)
    model = panel.model
    return [[model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())],
            *[[model.data(model.index(r, c)) for c in range(model.columnCount())]
              for r in range(model.rowCount())]]


def test_a_link_worker_reads_the_past_contacts_newest_first_with_their_notes(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "linkworker.ahmed", "link_worker")
    case = _case(demo_core, "in_progress")
    tab = _shown_tab(window, qtbot, case.id)
    header, *rows = _contacts_shown(tab)
    assert header == ["When and how", "Note"]
    stored = demo_core.services.contacts.list(window.session.user.id, case.id)
    assert len(rows) == len(stored) >= 2
    assert rows[0][1] == stored[-1].note and rows[-1][1] == stored[0].note  # newest first
    made = next(contact for contact in stored if contact.made and contact.minutes)
    assert f"{made.minutes} min" in " ".join(row[0] for row in rows)


def test_a_receptionist_sees_when_and_how_contacts_went_but_no_note(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "reception.jones", "receptionist")
    case = _case(demo_core, "in_progress")
    header, *rows = _contacts_shown(_shown_tab(window, qtbot, case.id))
    assert header == ["When and how", "By", "Next contact"] and rows
    shown = " ".join(" ".join(row) for row in rows)
    assert "Talked about" not in shown and "left a message" not in shown
