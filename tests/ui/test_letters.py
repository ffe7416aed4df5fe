"""Letters from the referral view, and chasers for the whole chase list with progress."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton

from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.ui import letters_view
from practice_rx.ui.worklist_filters import OVERDUE
from tests.ui.helpers import settle


@pytest.fixture
def opened_files(monkeypatch):
    opened = []
    monkeypatch.setattr(letters_view, "open_path", opened.append)
    return opened


def test_make_and_reprint_a_letter(window, qtbot, opened_files):
    session = window.session
    row = session.services.worklist.page(session.user.id, WorklistQuery(
        WorklistFilter(statuses=frozenset({"sent"})))).rows[0]
    window.detail.show_referral(row.id)
    settle(qtbot, session)
    panel = window.detail.letters
    panel.kind.setCurrentIndex(panel.kind.findData("chaser"))
    panel.findChild(QPushButton, "make_letter").click()
    settle(qtbot, session)
    assert "Saved PRX-" in panel.message.text(), panel.message.text()
    path = opened_files[-1]
    assert path.read_bytes().startswith(b"%PDF")
    assert panel.history.topLevelItemCount() == 1
    assert "Chaser" in panel.history.topLevelItem(0).text(1)

    panel.reprint()
    settle(qtbot, session)
    assert opened_files[-1].read_bytes() == path.read_bytes()
    assert "exactly" in panel.message.text()


def test_chaser_letters_for_the_chase_list(window, qtbot, opened_files):
    session = window.session
    window.sidebar.statuses.choose(OVERDUE)
    settle(qtbot, session)
    overdue = window.worklist.model.total
    dialog = window.chaser_letters()
    assert dialog.objectName() == "batch_progress"
    settle(qtbot, session)
    folder = opened_files[-1]
    assert len(list(folder.glob("*.pdf"))) == overdue
    assert f"{overdue} chaser letters saved" in window.statusBar().currentMessage()
