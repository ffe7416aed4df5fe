"""The details pane: the patient banner on top, wording and buttons for the role signed in."""

from __future__ import annotations

from practice_rx.domain.identifiers import format_nhs_number
from practice_rx.services.worklist import WorklistQuery
from tests.support.factories import NATIONAL
from tests.ui.conftest import make_window
from tests.ui.helpers import settle
from tests.ui.selection_helpers import highlight_row, show_status


def test_the_banner_names_the_patient_and_the_referral(window, qtbot):
    row = highlight_row(window, qtbot, 0)
    banner = window.detail.banner
    assert banner.isVisible() and banner.referral_id == row.id
    referral = window.detail.referral
    text = banner.text()
    assert text.startswith(f"{referral.patient.family_name.upper()}, {referral.patient.given_name}")
    assert f"NHS {format_nhs_number(referral.patient.nhs_number)}" in text
    assert f"Referral {row.id}" in text
    # at the top of the pane, above the status and the buttons
    assert banner.y() < window.detail.status_line.y() < window.detail.update_button.y()


def test_a_receptionist_is_not_told_to_start_a_referral(window):
    assert window.detail.pages.currentIndex() == 0
    assert "Ctrl+N" not in window.detail.empty.text()
    assert "overdue" in window.detail.empty.text()


def test_a_clinician_is_told_ctrl_n_starts_one(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    assert "Ctrl+N starts a new referral" in window.detail.empty.text()


def a_draft_by(core, username: str, name: str) -> int:
    services = core.services
    author = services.users.ensure(username, name, "clinician")
    first = services.worklist.page(author.id, WorklistQuery()).rows[0]
    patient_id = services.referrals.get(author.id, first.id).patient_id
    return services.referrals.create_draft(author.id, patient_id, NATIONAL).id


def open_in_pane(window, qtbot, referral_id: int) -> None:
    window.detail.show_referral(referral_id)
    settle(qtbot, window.session)
    assert window.detail.showing() == referral_id == window.target()


def test_continue_draft_says_whose_draft_it_is(demo_core, qtbot):
    own = a_draft_by(demo_core, "dr.patel", "Dr Asha Patel")
    other = a_draft_by(demo_core, "dr.okafor", "Dr Chidi Okafor")
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    open_in_pane(window, qtbot, own)
    assert window.detail.edit_button.isVisible()
    assert window.detail.edit_button.text() == "Continue dr&aft…"
    open_in_pane(window, qtbot, other)
    assert window.detail.edit_button.isVisible()
    assert window.detail.edit_button.text() == "Continue Dr Chidi Okafor's dr&aft…"


def test_only_a_clinician_is_offered_continue_draft(demo_core, qtbot):
    draft = a_draft_by(demo_core, "dr.okafor", "Dr Chidi Okafor")
    for username, role in (("reception.jones", "receptionist"), ("admin", "admin"),
                           ("linkworker.ahmed", "link_worker")):
        window = make_window(demo_core, qtbot, username, role)
        open_in_pane(window, qtbot, draft)
        assert not window.detail.edit_button.isVisible(), role
        window.close()


def test_a_receptionist_sees_no_send_on_a_draft(window, qtbot):
    show_status(window, qtbot, "draft")
    names = {b.objectName() for b in window.detail.findChildren(type(window.detail.update_button))
             if b.isVisible()}
    assert "to_sent" not in names and "continue_draft" not in names
