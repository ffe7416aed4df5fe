"""The new-referral dialog when the service refuses the send, and when it is closed unsaved.

A send the referral service refuses (here a local plugin's rule, which names no
field of the form) shows the service's words on the review step, keeps every
answer and the one draft it saved, and sends nothing; put right, the same draft
goes. Closing with answers typed asks first: "Keep editing" keeps the dialog and
the answers, "Discard" closes it and nothing is saved.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import func, select

from practice_rx.services.demo import DemoSize, fill
from practice_rx.storage.models import Referral, ReferralEvent
from practice_rx.ui.new_referral import REVIEW
from practice_rx.ui.operations import Operations
from tests.ui.area_rule_plugin import MESSAGE
from tests.ui.conftest import make_window, open_core
from tests.ui.helpers import message_box, settle
from tests.ui.test_gp_journey import a_patient, complete_answers, link_worker_service

CTRL = Qt.KeyboardModifier.ControlModifier
AREA_RULE = EntryPoint(name="area_rule", value="tests.ui.area_rule_plugin", group="practice_rx")


@pytest.fixture
def ruled_core(tmp_path: Path):
    """A small demo practice with the area's rule installed."""
    app = open_core(f"sqlite:///{tmp_path / 'ruled.sqlite3'}", discovered=[AREA_RULE])
    fill(app.services.db, DemoSize(patients=20, referrals=40, services=6))
    yield app
    Operations.wait_for_all()
    app.close()


def referrals(core) -> dict[int, str]:
    with core.services.db.reading() as session:
        return dict(session.execute(select(Referral.id, Referral.status)).all())


def sent_events(core, referral_id: int) -> int:
    with core.services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(ReferralEvent).where(
            ReferralEvent.referral_id == referral_id, ReferralEvent.to_status == "sent"))


def ready_dialog(core, qtbot, **answer_changes):
    window = make_window(core, qtbot, "dr.patel", "clinician")
    dialog = window.new_referral()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog._patient_chosen(a_patient(core))
    answers = {**complete_answers(core), **answer_changes}
    dialog.renderer.set_answers(answers)
    dialog._service_chosen(link_worker_service(core))
    dialog.go(REVIEW)
    settle(qtbot, dialog.session)
    return dialog, answers


def test_a_send_the_service_refuses_keeps_the_draft_and_the_answers(ruled_core, qtbot):
    before = referrals(ruled_core)
    dialog, answers = ready_dialog(ruled_core, qtbot, urgency="soon")
    typed = dialog.renderer.answers()
    QTest.keyClick(dialog, Qt.Key.Key_Return, CTRL)  # send
    settle(qtbot, dialog.session)

    assert dialog.isVisible() and dialog.step == REVIEW
    assert dialog.problems.message == f"Not sent: {MESSAGE}"
    assert dialog.status.text() == (
        f"Not sent: some answers need attention. Draft {dialog.draft.id} is saved.")
    assert dialog.renderer.answers() == typed
    after = referrals(ruled_core)
    assert set(after) - set(before) == {dialog.draft.id}  # one draft saved…
    assert after[dialog.draft.id] == "draft" and sent_events(ruled_core, dialog.draft.id) == 0
    assert {k: v for k, v in after.items() if k in before} == before  # …nothing else moved
    assert dialog.send_button.isEnabled()

    # the review keeps saying why until the next send; put right, the same draft goes
    dialog.go(REVIEW)
    assert dialog.problems.message == f"Not sent: {MESSAGE}"
    dialog.renderer.set_answers({**answers, "urgency": "routine"})
    draft_id = dialog.draft.id
    QTest.keyClick(dialog, Qt.Key.Key_Return, CTRL)
    settle(qtbot, dialog.session)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    after = referrals(ruled_core)
    assert set(after) - set(before) == {draft_id} and after[draft_id] == "sent"
    assert sent_events(ruled_core, draft_id) == 1


def test_keep_editing_keeps_the_answers_and_discard_saves_nothing(ruled_core, qtbot):
    before = referrals(ruled_core)
    dialog, _answers = ready_dialog(ruled_core, qtbot)
    typed = dialog.renderer.answers()
    dialog.reject()  # Escape, or the window's close button
    box = message_box(dialog, "discard")
    assert box is not None and box.defaultButton() is box.button(
        QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()  # Keep editing
    settle(qtbot, dialog.session)
    assert dialog.isVisible() and dialog.draft is None
    assert dialog.renderer.answers() == typed
    assert referrals(ruled_core) == before

    dialog.reject()
    box = message_box(dialog, "discard")
    box.button(QMessageBox.StandardButton.Discard).click()
    settle(qtbot, dialog.session)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert referrals(ruled_core) == before  # nothing saved, nothing sent
