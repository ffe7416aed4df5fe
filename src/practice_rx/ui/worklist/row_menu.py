"""The menu on a worklist row: open it, update its status, its letters, copy its NHS number.

Right-clicking a row highlights it first, so the menu acts on the row the list
and the details pane both show.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu, QWidget

from practice_rx.services.worklist import WorklistRow
from practice_rx.ui.formatting import nhs


def copy_nhs_number(row: WorklistRow) -> None:
    """Digits only: what a GP system's search box accepts."""
    QGuiApplication.clipboard().setText(row.nhs_number)


def row_menu(parent: QWidget, row: WorklistRow, *, open_: Callable[[], None],
             update: Callable[[], None] | None, letters: Callable[[], None] | None) -> QMenu:
    """``update`` and ``letters`` are None where the user's role may not do them."""
    menu = QMenu(parent)
    menu.setObjectName("row_menu")
    menu.addAction("&Open", open_)
    update_action = menu.addAction("&Update status…", update or (lambda: None))
    update_action.setEnabled(update is not None)
    letters_action = menu.addAction("&Letters…", letters or (lambda: None))
    letters_action.setEnabled(letters is not None)
    menu.addSeparator()
    menu.addAction(f"&Copy NHS number ({nhs(row.nhs_number)})", lambda: copy_nhs_number(row))
    return menu
