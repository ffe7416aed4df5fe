"""Locking the screen after some idle minutes, keeping everything typed.

An application-wide event filter sees every key press and mouse movement and
restarts a single-shot :class:`QTimer`. When the timer fires, every window of
the main window (the main window and the dialogs open over it) gets an opaque
cover, and a small application-modal dialog asks the signed-in user for their
password again. No widget is closed, cleared or read again: a half-written
note or a half-filled referral form is exactly as it was when the covers lift.
While locked, input meant for anything but the lock dialog is dropped, and a
window that opens meanwhile (a message from work that finished) is covered too.

The password is checked by ``services.auth.login`` with the signed-in user's
username, so failures count towards the account's lockout. Somebody else
cannot unlock: they sign out, which asks before discarding unsaved work.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from practice_rx.storage.models import User
from practice_rx.ui.formatting import ROLE_LABELS
from practice_rx.ui.login import fit_height, one_line, password_edit, problem_label, refusal, say
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import heading, hint, labelled

T = QEvent.Type
#: what counts as someone using the workstation
ACTIVITY = frozenset({
    T.KeyPress, T.KeyRelease, T.MouseButtonPress, T.MouseButtonRelease,
    T.MouseButtonDblClick, T.MouseMove, T.Wheel, T.TouchBegin, T.TouchUpdate, T.TouchEnd,
    T.TabletPress, T.TabletMove, T.InputMethod,
})
#: what is dropped, while locked, unless it is meant for the lock dialog
GUARDED = ACTIVITY | {T.Shortcut, T.ShortcutOverride, T.ContextMenu}
COVER_COLOUR = "#005eb8"  # NHS blue, as the opening window


def minutes_text(minutes: float) -> str:
    if minutes >= 1 and float(minutes).is_integer():
        return f"{int(minutes)} minute{'s' if minutes != 1 else ''}"
    seconds = max(1, round(minutes * 60))
    return f"{seconds} second{'s' if seconds != 1 else ''}"


class Cover(QWidget):
    """An opaque panel over one window while the screen is locked; the window is untouched."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("lock_cover")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"#lock_cover {{ background: {COVER_COLOUR}; }}"
                           "QLabel { color: white; font-size: 16pt; font-weight: bold; }")
        label = QLabel("PracticeRx is locked")
        label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 48, 12, 12)  # above the lock dialog, which is centred
        layout.addWidget(label)
        layout.addStretch(1)
        self.setAccessibleName("PracticeRx is locked")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        window.installEventFilter(self)
        self.setGeometry(window.rect())
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget():
            if event.type() == T.Resize:
                self.setGeometry(watched.rect())
            elif event.type() == T.ChildAdded:
                QTimer.singleShot(0, self._on_top)  # a widget added later stays underneath
        return False

    def _on_top(self) -> None:
        if shiboken6.isValid(self):
            self.raise_()


class LockDialog(QDialog):
    """The password of the user signed in, or sign out; Escape does not close it."""

    #: the password was right
    unlocked = Signal()
    #: the person at the workstation chose to sign out instead
    sign_out_requested = Signal()

    def __init__(self, session: Session, minutes: float | None, parent: QWidget | None = None,
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("lock")
        self.setWindowTitle("PracticeRx is locked")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        self.session = session
        self._may_close = False
        user: User = session.user
        self.who = QLabel(f"Signed in as <b>{_escape(user.display_name)}</b> "
                          f"({_escape(user.username)}, "
                          f"{ROLE_LABELS.get(user.role, user.role)})")
        self.who.setObjectName("lock_user")
        self.who.setWordWrap(True)
        self.password = password_edit("unlock_password")
        self.message = problem_label("unlock_message")
        self.buttons = QDialogButtonBox()
        self.unlock_button = self.buttons.addButton("&Unlock",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.unlock_button.setObjectName("unlock")
        self.unlock_button.setDefault(True)
        self.sign_out_button = self.buttons.addButton(
            "Sign &out / switch user…", QDialogButtonBox.ButtonRole.ActionRole)
        self.sign_out_button.setObjectName("lock_sign_out")
        self.sign_out_button.setAutoDefault(False)  # Enter unlocks, never signs out
        self.buttons.accepted.connect(self.submit)
        self.sign_out_button.clicked.connect(self.sign_out_requested)

        layout = QVBoxLayout(self)
        layout.addWidget(one_line(heading("PracticeRx is locked", 1)))
        why = ("You locked the screen" if minutes is None else
               f"Nobody used this workstation for {minutes_text(minutes)}, so the screen was "
               "locked")
        layout.addWidget(hint(f"{why} to keep patients' details private. Everything you "
                              "were doing is kept as you left it."))
        layout.addWidget(self.who)
        layout.addWidget(labelled("Your &password:", self.password, name="Password"))
        layout.addWidget(self.password)
        layout.addWidget(self.message)
        layout.addWidget(hint("Someone else? Sign out first; you will be asked before "
                              "unsaved work is discarded."))
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        fit_height(self, 460)
        self.password.setFocus()

    def submit(self) -> None:
        """Check the password of the user signed in, off the GUI thread."""
        say(self.message, None)
        self.unlock_button.setEnabled(False)
        self.password.setReadOnly(True)  # not disabled: the focus stays here
        expected = self.session.user

        def done(user: User) -> None:
            self._ready()
            if user.id != expected.id:  # cannot happen with one username; never unlock on it
                say(self.message, f"Only {expected.display_name} can unlock; sign out instead")
                return
            self.unlocked.emit()

        def failed(error: Exception) -> None:
            self._ready()
            say(self.message, refusal(error))
            fit_height(self)

        self.session.operations.run(self.session.services.auth.login, expected.username,
                                    self.password.text(), done=done, failed=failed, owner=self,
                                    message="Checking your password…")

    def _ready(self) -> None:
        self.unlock_button.setEnabled(True)
        self.unlock_button.setDefault(True)
        self.password.setReadOnly(False)
        self.password.clear()
        self.password.setFocus()

    def reject(self) -> None:
        """Escape leaves the screen locked."""

    def closeEvent(self, event) -> None:
        if self._may_close:
            super().closeEvent(event)
        else:
            event.ignore()

    def dismiss(self) -> None:
        self._may_close = True
        self.done(QDialog.DialogCode.Accepted)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class IdleLock(QObject):
    """Locks ``window`` (and the dialogs over it) after ``minutes`` without input."""

    #: True when the screen locked, False when it was unlocked or released
    locked_changed = Signal(bool)
    #: the person at the locked workstation chose to sign out
    sign_out_requested = Signal()

    def __init__(self, window: QWidget, session: Session, minutes: float | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock)
        self.set_minutes(session.idle_lock_minutes if minutes is None else minutes)
        self.covers: list[Cover] = []
        self.dialog: LockDialog | None = None
        self._locked = False
        self._focus: QWidget | None = None
        application = QApplication.instance()
        application.installEventFilter(self)
        session.user_changed.connect(self._user_changed)
        if session.signed_in:
            self.arm()

    @property
    def locked(self) -> bool:
        return self._locked

    def set_minutes(self, minutes: float) -> None:
        self.minutes = minutes
        self.timer.setInterval(max(1, round(minutes * 60_000)))
        if self.timer.isActive():
            self.timer.start()

    def arm(self) -> None:
        """Start counting idle time (again)."""
        if self.session.signed_in and not self._locked:
            self.timer.start()

    def _user_changed(self, user) -> None:
        if user is None:
            self.release()
            self.timer.stop()
        else:
            self.arm()

    # -- watching for activity -------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self._locked:
            if kind in GUARDED and not self._for_lock_dialog(watched):
                return True
            if (kind == T.Show and watched.isWidgetType() and watched.isWindow()
                    and not self._for_lock_dialog(watched) and self._belongs(watched)):
                QTimer.singleShot(0, lambda: self._cover(watched))
        elif kind in ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False

    def _for_lock_dialog(self, watched: QObject) -> bool:
        """Whether input for ``watched`` may pass while locked: the lock dialog and its boxes."""
        if isinstance(watched, QWindow):
            return True  # passed on to a widget, which is checked then
        if not watched.isWidgetType() or self.dialog is None:
            return False
        widget = watched.window()
        while widget is not None:
            if widget is self.dialog:
                return True
            parent = widget.parentWidget()
            widget = parent.window() if parent is not None else None
        return False

    def _belongs(self, widget: QWidget) -> bool:
        while widget is not None:
            if widget is self.window:
                return True
            widget = widget.parentWidget()
        return False

    # -- locking -------------------------------------------------------------------------

    def lock_now(self) -> None:
        """Lock at once (File → Lock now, Ctrl+L)."""
        self.lock(idle=False)

    def lock(self, idle: bool = True) -> None:
        """Cover every window of the main window and ask for the password."""
        if self._locked or not self.session.signed_in or not self.window.isVisible():
            return
        self._locked = True
        self.timer.stop()
        focus = QApplication.focusWidget()
        self._focus = focus if focus is not None and self._belongs(focus) else None
        for _ in range(10):  # menus and combo lists open now are closed, not covered
            popup = QApplication.activePopupWidget()
            if popup is None:
                break
            popup.close()
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and self._belongs(widget):
                self._cover(widget)
        self.dialog = LockDialog(self.session, self.minutes if idle else None, self.window)
        self.dialog.unlocked.connect(self.unlock)
        self.dialog.sign_out_requested.connect(self.sign_out_requested)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.dialog.password.setFocus()
        self.locked_changed.emit(True)

    def _cover(self, widget: QWidget) -> None:
        if not self._locked or not shiboken6.isValid(widget) or not widget.isVisible():
            return
        if any(shiboken6.isValid(cover) and cover.parentWidget() is widget
               for cover in self.covers):
            return
        self.covers.append(Cover(widget))

    def unlock(self) -> None:
        """Lift the covers; the focus goes back where it was."""
        if not self._locked:
            return
        focus = self._focus
        self.release()
        if focus is not None and shiboken6.isValid(focus) and focus.isVisible():
            focus.window().activateWindow()
            focus.setFocus()
        self.arm()

    def release(self) -> None:
        """Lift the covers and close the lock dialog (unlocked, or signing out)."""
        if not self._locked:
            return
        self._locked = False
        self._focus = None
        for cover in self.covers:
            if shiboken6.isValid(cover):
                cover.hide()
                cover.deleteLater()
        self.covers = []
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.dismiss()
            self.dialog.deleteLater()
        self.dialog = None
        self.locked_changed.emit(False)
