"""Signing in: the login dialog, the first admin on a new database, and the flow joining them.

Every decision is the services': ``services.auth.login`` checks the password,
counts failures and locks the account, and its message is shown as it comes
(wrong details, locked for N minutes, disabled). ``services.users.create``
checks a new admin's username and password. On demo data the login is filled
in with the demo GP and the published demo password, so one Enter opens it.

The login is shown before the database layer is imported (:mod:`practice_rx.ui.starting`
opens the database meanwhile): until :meth:`LoginDialog.attach` gives it the session,
pressing Sign in waits for the database rather than checking a password against nothing,
and a database that cannot be opened is said on the login itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.demo_accounts import DEMO_PASSWORD, DEMO_USERNAME
from practice_rx.errors import AuthenticationError
from practice_rx.ui import messages
from practice_rx.ui.widgets import ERROR_COLOUR, FieldMessage, heading, hint, labelled

if TYPE_CHECKING:  # SQLAlchemy: imported off the GUI thread while the login is shown
    from practice_rx.storage.models import User
    from practice_rx.ui.session import Session

MISMATCH = "Password again: the two passwords are not the same; type the same one twice"
OTHER_DEMO_USERS = "admin, dr.okafor, nurse.lee, reception.jones, linkworker.ahmed"


def problem_label(name: str) -> QLabel:
    """A message shown as the service wrote it, in words and colour; hidden when empty."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName("Problem")
    label.hide()
    return label


def one_line(label: QLabel) -> QLabel:
    """A heading that does not wrap (a wrapping label leaves a gap under it in a dialog)."""
    label.setWordWrap(False)
    return label


def fit_height(dialog: QDialog, width: int | None = None) -> None:
    """As tall as the wrapped text needs at ``width``: no gaps, and room for a new message."""
    width = width or dialog.width()
    dialog.layout().activate()
    dialog.resize(width, dialog.layout().totalHeightForWidth(width))


def say(label: QLabel, text: str | None) -> None:
    label.setText(text or "")
    label.setAccessibleDescription(text or "")
    label.setVisible(bool(text))


def password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def refusal(error: Exception) -> str:
    """The text to show for a refused login: the service's own words when it has some."""
    if isinstance(error, AuthenticationError):
        return str(error)
    return messages.describe(error)[1]


class LoginDialog(QDialog):
    """Username and password; the service decides, and its message is shown as it is."""

    #: the user the service let in
    signed_in = Signal(object)

    def __init__(self, session: Session | None, username: str = "",
                 parent: QWidget | None = None, *, demo: bool = False) -> None:
        """``session`` None: the database is still opening; :meth:`attach` brings it."""
        super().__init__(parent)
        self.setObjectName("login")
        self.setWindowTitle("Sign in – PracticeRx")
        self.session = session
        self.user: User | None = None
        self._waiting = False  # Sign in pressed before the database was open
        self.open_failed = False
        demo = session.demo if session is not None else demo

        self.username = QLineEdit(username)
        self.username.setObjectName("login_username")
        self.password = password_edit("login_password")
        self.message = problem_label("login_message")
        self.checking = hint("")
        self.checking.setObjectName("login_progress")
        self.checking.hide()

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.addRow(labelled("&Username:", self.username), self.username)
        form.addRow(labelled("&Password:", self.password), self.password)

        self.buttons = QDialogButtonBox()
        self.sign_in_button = self.buttons.addButton("&Sign in",
                                                     QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_in_button.setObjectName("sign_in")
        self.sign_in_button.setDefault(True)
        self.quit_button = self.buttons.addButton("&Quit PracticeRx",
                                                  QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.setObjectName("quit")
        self.quit_button.setAutoDefault(False)  # Enter signs in, never quits
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(one_line(heading("Sign in to PracticeRx", 1)))
        layout.addWidget(hint("Use your own username and password: everything you do is "
                              "recorded against your name."))
        if demo:
            self.demo_hint = hint(
                "Demo data (synthetic patients only). Every demo user's password is "
                f"<b>practice-rx-demo</b>; it is filled in, so press Enter. Other demo users: "
                f"{OTHER_DEMO_USERS}.")
            self.demo_hint.setObjectName("demo_hint")
            self.demo_hint.setTextFormat(Qt.TextFormat.RichText)
            self.demo_hint.setStyleSheet("background: #fff9c4; color: #212b32; padding: 8px;")
            layout.addWidget(self.demo_hint)
            if not username:
                self.username.setText(DEMO_USERNAME)
            self.password.setText(DEMO_PASSWORD)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.checking)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        fit_height(self, 480)
        (self.password if self.username.text() else self.username).setFocus()

    def attach(self, session: Session) -> None:
        """The database is open: a Sign in already pressed goes ahead now."""
        self.session = session
        if self._waiting:
            self._waiting = False
            self.submit()

    def cannot_open(self, text: str) -> None:
        """The database could not be opened: say so here; signing in stays impossible."""
        self._waiting = False
        self.open_failed = True
        self._busy(False)
        self.sign_in_button.setEnabled(False)
        say(self.message, f"PracticeRx cannot open the database. {text}")
        fit_height(self)

    def submit(self) -> None:
        """Ask the service (off the GUI thread); it counts failures and locks accounts."""
        if self.open_failed:
            return
        say(self.message, None)
        if self.session is None:
            self._waiting = True
            self._busy(True, "Opening the database…")
            return
        self._busy(True)
        self.session.operations.run(
            self.session.services.auth.login, self.username.text(), self.password.text(),
            done=self._accepted, failed=self._refused, owner=self, message="Signing in…")

    def _busy(self, busy: bool, doing: str = "Checking your password…") -> None:
        # Read-only rather than disabled, so the focus stays in the fields.
        self.username.setReadOnly(busy)
        self.password.setReadOnly(busy)
        self.sign_in_button.setEnabled(not busy)
        self.sign_in_button.setDefault(True)
        self.checking.setText(doing if busy else "")
        self.checking.setVisible(busy)

    def _accepted(self, user: User) -> None:
        self._busy(False)
        self.user = user
        self.signed_in.emit(user)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self._busy(False)
        say(self.message, refusal(error))
        fit_height(self)
        self.password.clear()
        (self.password if self.username.text().strip() else self.username).setFocus()


class FirstAdminDialog(QDialog):
    """A new database: create the practice's first admin, who then adds everyone else."""

    #: the admin created
    created = Signal(object)

    FIELDS = ("username", "display_name", "password", "again")

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_admin")
        self.setWindowTitle("Create the practice's first admin – PracticeRx")
        self.session = session
        self.username = QLineEdit()
        self.username.setObjectName("admin_username")
        self.display_name = QLineEdit()
        self.display_name.setObjectName("admin_name")
        self.password = password_edit("admin_password")
        self.again = password_edit("admin_password_again")
        self.inputs: dict[str, QLineEdit] = {
            "username": self.username, "display_name": self.display_name,
            "password": self.password, "again": self.again}
        self.messages: dict[str, FieldMessage] = {}
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, text, description in (
                ("username", "&Username:", "What they type to sign in, e.g. p.morgan"),
                ("display_name", "Full &name:", "As shown on screen and in the audit trail"),
                ("password", "&Password:", "At least 10 characters"),
                ("again", "Password &again:", "The same password, to be sure of it")):
            message = FieldMessage(text.replace("&", "").rstrip(":"))
            message.setObjectName(f"admin_message_{key}")
            self.messages[key] = message
            cell = QVBoxLayout()
            cell.setSpacing(1)
            cell.addWidget(message)
            cell.addWidget(self.inputs[key])
            form.addRow(labelled(text, self.inputs[key], description=description), cell)
        self.problem = problem_label("admin_problem")

        self.buttons = QDialogButtonBox()
        self.create_button = self.buttons.addButton("&Create admin",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("create_admin")
        self.create_button.setDefault(True)
        quit_button = self.buttons.addButton("&Quit PracticeRx",
                                             QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setObjectName("quit")
        quit_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(one_line(heading("Create the practice's first admin", 1)))
        layout.addWidget(hint(
            "Nobody can sign in to this database yet. The first admin (usually the practice "
            "manager) signs in next and adds everyone else from Tools → Users."))
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        fit_height(self, 520)
        self.username.setFocus()

    def submit(self) -> None:
        for message in self.messages.values():
            message.set_message(None)
        say(self.problem, None)
        if self.password.text() != self.again.text():
            self.messages["again"].set_message(MISMATCH)
            fit_height(self)
            self.again.clear()
            self.again.setFocus()
            return
        self.create_button.setEnabled(False)
        self.session.operations.run(
            self.session.services.users.create, self.username.text(), self.display_name.text(),
            "admin", self.password.text(), done=self._created, failed=self._refused,
            owner=self, message="Creating the first admin…")

    def _created(self, user: User) -> None:
        self.create_button.setEnabled(True)
        self.create_button.setDefault(True)
        self.created.emit(user)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.create_button.setEnabled(True)
        self.create_button.setDefault(True)
        self._explain(error)
        fit_height(self)

    def _explain(self, error: Exception) -> None:
        focused = messages.show_beside_fields(error, self.messages, self.inputs,
                                              lambda text: say(self.problem, text), self.FIELDS)
        if focused is not None:
            focused.selectAll()


class SignIn(QObject):
    """First admin if the database has none, then the login; signs the user in to the session."""

    #: the user now signed in
    signed_in = Signal(object)
    #: the person closed the dialog instead of signing in
    cancelled = Signal()

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialog: QDialog | None = None

    def start(self, username: str = "", first_admin: bool | None = None) -> None:
        """The first-admin dialog if the database needs one, else the login.

        With ``first_admin`` None the database is asked first, off the GUI thread.
        """
        if first_admin:
            self._first_admin()
            return
        if first_admin is not None:
            self._login(username)
            return
        self.session.operations.run(
            self.session.services.users.needs_first_admin,
            done=lambda needed: self._first_admin() if needed else self._login(username),
            failed=lambda error: self._login(username, messages.describe(error)[1]),
            owner=self, message="Opening the sign-in…")

    def adopt(self, dialog: LoginDialog) -> None:
        """Carry on with a login shown before the database was open (and so before this)."""
        dialog.signed_in.connect(self._signed_in)
        dialog.rejected.connect(self.cancelled)
        self.dialog = dialog

    def _show(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _first_admin(self) -> None:
        dialog = FirstAdminDialog(self.session)
        dialog.created.connect(lambda user: self._login(user.username))
        dialog.rejected.connect(self.cancelled)
        self._show(dialog)

    def _login(self, username: str = "", problem: str | None = None) -> None:
        dialog = LoginDialog(self.session, username)
        if problem:
            say(dialog.message, problem)
        dialog.signed_in.connect(self._signed_in)
        dialog.rejected.connect(self.cancelled)
        self._show(dialog)  # shown before the first-admin dialog closes, so the app stays open

    def _signed_in(self, user: User) -> None:
        self.dialog = None
        self.session.sign_in(user)
        self.signed_in.emit(user)

