"""Choosing one of the practices a user sees, and reading which those are.

The practices come from ``services.practice.visible`` (the service decides who sees
what); screens show a chooser only when there is more than one to choose from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QComboBox, QWidget

from practice_rx.storage.models import Practice
from practice_rx.ui.session import Session


def practice_label(practice: Practice) -> str:
    return f"{practice.name} ({practice.ods_code})"


def read_visible(session: Session, owner: QWidget,
                 done: Callable[[list[Practice]], None]) -> None:
    """The practices the signed-in user sees, by name, to ``done`` (off the GUI thread)."""
    if not session.signed_in:
        return
    session.operations.run(session.services.practice.visible, session.user.id, done=done,
                           owner=owner, message="Reading the practices…")


class PracticeCombo(QComboBox):
    """One practice, or the first entry (what choosing none means: "All my practices",
    "Choose a practice"), whose data is None."""

    def __init__(self, none_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItem(none_text, None)
        self.setMinimumContentsLength(16)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.practices: list[Practice] = []

    def set_practices(self, practices: Sequence[Practice]) -> None:
        """List these practices, keeping the one chosen if it is still among them
        (no signal: the list changed, not the user's choice)."""
        chosen = self.chosen_id()
        self.practices = list(practices)
        self.blockSignals(True)
        while self.count() > 1:
            self.removeItem(1)
        for practice in practices:
            self.addItem(practice_label(practice), practice.id)
        self.setCurrentIndex(max(0, self.findData(chosen)) if chosen is not None else 0)
        self.blockSignals(False)

    def chosen_id(self) -> int | None:
        return self.currentData()

    def choose(self, practice_id: int | None) -> None:
        self.setCurrentIndex(max(0, self.findData(practice_id)) if practice_id is not None
                             else 0)
