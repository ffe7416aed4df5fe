"""Who is using PracticeRx on this workstation, and the one "something changed" signal.

Every change the UI makes is attributed to :attr:`Session.user`, and nothing
else in the UI decides who the user is. The login dialog (:mod:`practice_rx.ui.login`)
calls :meth:`Session.sign_in` once ``services.auth.login`` accepts a password;
the rest of the UI follows through :attr:`Session.user_changed`.

As in Anki, a view that changes a referral says so through
:attr:`Session.referral_changed`, and every view showing referrals refreshes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from practice_rx.domain.permissions import STATUS_ACTIONS, Action, allowed
from practice_rx.domain.statuses import Status
from practice_rx.startup import App
from practice_rx.storage.models import User
from practice_rx.ui.operations import Operations

#: minutes without a key press or mouse movement before the screen locks
DEFAULT_IDLE_LOCK_MINUTES = 10


class Session(QObject):
    """The application, its operations runner and the user acting now."""

    #: the user signed in (a :class:`User`), or None when signed out
    user_changed = Signal(object)
    #: a referral was created or changed here; its id
    referral_changed = Signal(int)
    #: a delivery of this referral was tried here (delivered, or not); its id
    delivery_tried = Signal(int)
    #: services were added to the catalogue here
    catalogue_changed = Signal()
    #: the practice's details were saved here
    practice_changed = Signal()

    def __init__(self, app: App, user: User | None = None, *, demo: bool = False,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.demo = demo
        self.operations = Operations(self)
        self._user = user

    # -- the application ---------------------------------------------------------

    @property
    def services(self):
        return self.app.services

    @property
    def plugins(self):
        return self.app.plugins

    @property
    def settings(self):
        return self.app.settings

    # -- the user ----------------------------------------------------------------

    @property
    def user(self) -> User:
        """The user every change is attributed to."""
        if self._user is None:
            raise RuntimeError("Nobody is signed in")
        return self._user

    @property
    def signed_in(self) -> bool:
        return self._user is not None

    def can(self, action: Action) -> bool:
        """Whether the user's role allows ``action``: the UI hides what the services refuse."""
        return self._user is not None and allowed(self._user.role, action)

    def can_move_to(self, status: str) -> bool:
        action = STATUS_ACTIONS.get(Status(status))
        return action is None or self.can(action)

    @property
    def idle_lock_minutes(self) -> float:
        """Minutes of inactivity before the screen locks: the setting, else the default."""
        minutes = getattr(self.settings, "idle_lock_minutes", None)
        return float(minutes) if minutes else float(DEFAULT_IDLE_LOCK_MINUTES)

    def sign_in(self, user: User) -> None:
        self._user = user
        self.user_changed.emit(user)

    def sign_out(self) -> None:
        self._user = None
        self.user_changed.emit(None)

