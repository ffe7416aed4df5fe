"""Which practices a user works for: a check box per practice, or the whole network.

The rule (who may link whom to what) is ``services.users.set_practices``'s; the
dialog disables only what it would refuse: "works across the network" is for an
admin who works across it, and practices the admin does not see are not offered.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QVBoxLayout,
    QWidget,
)

from practice_rx.storage.models import Practice, User
from practice_rx.ui import messages
from practice_rx.ui.login import problem_label, say
from practice_rx.ui.practices.practice_chooser import practice_label
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import heading, hint


class PracticeChecks(QGroupBox):
    """A check box per practice (names shown as written: an ``&`` is not an Alt key)."""

    def __init__(self, title: str, practices: Sequence[Practice],
                 checked: Collection[int] = (), parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setObjectName("practice_checks")
        self.boxes: dict[int, QCheckBox] = {}
        layout = QVBoxLayout(self)
        for practice in practices:
            box = QCheckBox(practice_label(practice).replace("&", "&&"))
            box.setObjectName(f"practice_check_{practice.ods_code}")
            box.setChecked(practice.id in checked)
            self.boxes[practice.id] = box
            layout.addWidget(box)

    def checked_ids(self) -> frozenset[int]:
        return frozenset(key for key, box in self.boxes.items() if box.isChecked())

    def check(self, *practice_ids: int) -> None:
        for key, box in self.boxes.items():
            box.setChecked(key in practice_ids)


class UserPracticesDialog(QDialog):
    """An admin says where ``user`` works; :attr:`saved` carries the user saved."""

    saved = Signal(object)

    def __init__(self, session: Session, user: User, practices: Sequence[Practice],
                 linked: Collection[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("user_practices")
        self.setWindowTitle("Practices of a user")
        self.session = session
        self.user = user
        self.checks = PracticeChecks("Pra&ctices they work for", practices, linked)
        self.across = QCheckBox("&Works across the network (sees every practice)")
        self.across.setObjectName("works_across")
        self.across.setChecked(user.all_practices)
        may_say_across = session.user.all_practices
        self.across.setEnabled(may_say_across)
        if not may_say_across:
            self.across.setToolTip("Only an admin who works across the network says who "
                                   "else does")
        self.problem = problem_label("user_practices_problem")
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("save_user_practices")
        self.save_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"Practices of {user.display_name}", 2))
        layout.addWidget(hint("They see the patients and referrals of the practices ticked; "
                              "working across the network, they see every practice's."))
        layout.addWidget(self.checks)
        layout.addWidget(self.across)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

    def submit(self) -> None:
        say(self.problem, None)
        self.save_button.setEnabled(False)
        self.session.operations.run(
            self.session.services.users.set_practices, self.session.user.id, self.user.id,
            self.checks.checked_ids(), self.across.isChecked(), done=self._saved,
            failed=self._refused, owner=self, message="Saving the user's practices…")

    def _saved(self, user: User) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(user)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        say(self.problem, messages.describe(error)[1])
