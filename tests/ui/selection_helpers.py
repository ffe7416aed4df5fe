"""Choosing a worklist row as a person would: the table's current row, then a pause."""

from __future__ import annotations

from practice_rx.ui.worklist_model import ROW_ID_ROLE, ROW_ROLE
from tests.ui.helpers import settle


def highlight_row(window, qtbot, row: int = 0):
    """Highlight row ``row`` of the list and wait for the pane to open it; its WorklistRow."""
    model = window.worklist.model
    window.worklist.highlight_row(row)
    shown = model.data(model.index(row, 0), ROW_ROLE)
    qtbot.waitUntil(lambda: window.detail.showing() == shown.id, timeout=10_000)
    settle(qtbot, window.session)
    return shown


def show_status(window, qtbot, status: str, row: int = 0):
    """Filter the list to one status and highlight a row of it."""
    window.sidebar.statuses.choose(status)
    settle(qtbot, window.session)
    return highlight_row(window, qtbot, row)


def highlighted_id(window) -> int | None:
    """The referral the table highlights, read from the table itself."""
    rows = window.worklist.table.selectionModel().selectedRows()
    return window.worklist.model.data(rows[0], ROW_ID_ROLE) if rows else None
