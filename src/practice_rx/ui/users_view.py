"""Users, for practice admins: list them, add one, disable or enable, reset a password,
and say which of the network's practices each works for.

Every change goes through ``services.users`` with the admin's id (``add``,
``set_active``, ``reset_password``, ``set_practices``), which checks the role and the
values and writes the audit trail; their messages are shown beside the fields they name.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.identifiers import local_time
from practice_rx.domain.permissions import ROLE_LABELS, Role
from practice_rx.storage.models import Practice, User
from practice_rx.ui import messages
from practice_rx.ui.formatting import moment
from practice_rx.ui.login import MISMATCH, fit_height, password_edit, problem_label, say
from practice_rx.ui.practices.practice_chooser import practice_label
from practice_rx.ui.practices.user_practices_dialog import PracticeChecks, UserPracticesDialog
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, hint, labelled

USER_ROLE = Qt.ItemDataRole.UserRole + 1


def state_text(user: User, now: datetime) -> str:
    """Active, disabled, locked after failed logins, or without a password yet."""
    if not user.active:
        return "Disabled"
    if user.password_hash is None:
        return "Active (no password yet)"
    if user.locked_until is not None and user.locked_until > now:
        return f"Locked after failed logins, until {local_time(user.locked_until):%H:%M}"
    return "Active"


def practices_text(user: User, linked: Collection[int], practices: Sequence[Practice]) -> str:
    """"All practices", or the ODS codes of those the user is linked to (the admin sees)."""
    if user.all_practices:
        return "All practices"
    codes = [practice.ods_code for practice in practices if practice.id in linked]
    others = len(set(linked) - {practice.id for practice in practices})
    if others:
        codes.append(f"{others} other{'s' if others > 1 else ''}")
    return ", ".join(codes) or "None: sees no patient"


def practices_names(user: User, linked: Collection[int], practices: Sequence[Practice]) -> str:
    """The practices in full, for the column's tooltip."""
    if user.all_practices:
        return "Works across the network: sees every practice"
    return "\n".join(practice_label(p) for p in practices if p.id in linked)


class _FieldsDialog(QDialog):
    """A small form whose service errors appear beside the fields they name."""

    ORDER: tuple[str, ...] = ()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, FieldMessage] = {}
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.problem = problem_label(f"{self.objectName() or 'form'}_problem")
        self.buttons = QDialogButtonBox()

    def add_field(self, key: str, text: str, widget: QWidget, description: str = "") -> None:
        widget.setObjectName(f"user_{key}")
        self.inputs[key] = widget
        message = FieldMessage(text.replace("&", "").rstrip(":"))
        message.setObjectName(f"user_message_{key}")
        self.messages[key] = message
        cell = QVBoxLayout()
        cell.setSpacing(1)
        cell.addWidget(message)
        cell.addWidget(widget)
        self.form.addRow(labelled(text, widget, description=description), cell)

    def clear_messages(self) -> None:
        for message in self.messages.values():
            message.set_message(None)
        say(self.problem, None)

    def passwords_match(self) -> bool:
        if self.inputs["password"].text() == self.inputs["again"].text():
            return True
        self.messages["again"].set_message(MISMATCH)
        fit_height(self)
        self.inputs["again"].clear()
        self.inputs["again"].setFocus()
        return False

    def run(self, function: Callable, *args, done: Callable, message: str,
            button: QPushButton) -> None:
        button.setEnabled(False)

        def finished(result) -> None:
            button.setEnabled(True)
            button.setDefault(True)
            done(result)

        def failed(error: Exception) -> None:
            button.setEnabled(True)
            button.setDefault(True)
            self.show_error(error)

        self.session.operations.run(function, *args, done=finished, failed=failed, owner=self,
                                    message=message)

    def show_error(self, error: Exception) -> None:
        self._explain(error)
        fit_height(self)

    def _explain(self, error: Exception) -> None:
        messages.show_beside_fields(error, self.messages, self.inputs,
                                    lambda text: say(self.problem, text), self.ORDER)


class AddUserDialog(_FieldsDialog):
    """A new user with a role and a first password (they can be given a new one later)."""

    added = Signal(object)
    ORDER = ("username", "display_name", "role", "job_title", "password", "again")

    def __init__(self, session: Session, parent: QWidget | None = None,
                 practices: Sequence[Practice] = ()) -> None:
        super().__init__(session, parent)
        self.setObjectName("add_user")
        self.setWindowTitle("Add a user")
        self.problem.setObjectName("add_user_problem")
        role = QComboBox()
        for code in Role:
            role.addItem(ROLE_LABELS[code], code.value)
        role.setCurrentIndex(role.findData(Role.CLINICIAN.value))
        self.add_field("username", "&Username:", QLineEdit(), "What they type to sign in")
        self.add_field("display_name", "Full &name:", QLineEdit(),
                       "As shown on screen, on letters and in the audit trail")
        self.add_field("role", "&Role:", role, "What they may do: see the permission table")
        self.add_field("job_title", "&Job title:", QLineEdit(), "For example GP, care navigator")
        self.add_field("password", "&Password:", password_edit("user_password"),
                       "At least 10 characters; tell them in person")
        self.add_field("again", "Password &again:", password_edit("user_again"))
        #: a check box per practice, in a network (None with one practice: they work there)
        self.practices = PracticeChecks("Pra&ctices they work for", practices) \
            if len(practices) > 1 else None
        self.save_button = self.buttons.addButton("A&dd user",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("save_user")
        self.save_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Add a user", 2))
        layout.addLayout(self.form)
        if self.practices is not None:
            layout.addWidget(self.practices)
            layout.addWidget(hint("A link worker works across the network (every practice) "
                                  "as well; Set practices changes that."))
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def submit(self) -> None:
        self.clear_messages()
        if not self.passwords_match():
            return
        i = self.inputs
        chosen = self.practices.checked_ids() if self.practices is not None else None
        self.run(self.session.services.users.add, self.session.user.id, i["username"].text(),
                 i["display_name"].text(), i["role"].currentData(), i["password"].text(),
                 i["job_title"].text().strip(), chosen or None, done=self._added,
                 message="Adding the user…", button=self.save_button)

    def _added(self, user: User) -> None:
        self.added.emit(user)
        self.accept()


class ResetPasswordDialog(_FieldsDialog):
    """A new password for someone who forgot theirs; it also lifts a lockout."""

    reset = Signal(object)
    ORDER = ("password", "again")

    def __init__(self, session: Session, user: User, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("reset_password")
        self.setWindowTitle("Reset a password")
        self.problem.setObjectName("reset_password_problem")
        self.user = user
        self.add_field("password", "New &password:", password_edit("user_password"),
                       "At least 10 characters; tell them in person")
        self.add_field("again", "Password &again:", password_edit("user_again"))
        self.save_button = self.buttons.addButton("&Set password",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("save_password")
        self.save_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"New password for {user.display_name}", 2))
        layout.addWidget(hint(f"Username {user.username}. A new password also unlocks an "
                              "account locked after failed logins."))
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

    def submit(self) -> None:
        self.clear_messages()
        if not self.passwords_match():
            return
        self.run(self.session.services.users.reset_password, self.session.user.id,
                 self.user.id, self.inputs["password"].text(), done=self._reset,
                 message="Setting the password…", button=self.save_button)

    def _reset(self, user: User) -> None:
        self.reset.emit(user)
        self.accept()


class UsersDialog(QDialog):
    """Everyone who can use PracticeRx here, and what an admin can do about them."""

    COLUMNS = ("Name", "Username", "Role", "Job title", "State", "Added", "Practices")

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("users")
        self.setWindowTitle("Users")
        self.session = session
        self.users: list[User] = []
        #: the practices the admin sees, and each user's links (read with the users)
        self.practices: list[Practice] = []
        self.links: dict[int, frozenset[int]] = {}

        self.table = QTreeWidget()
        self.table.setObjectName("users_table")
        self.table.setAccessibleName("Users")
        self.table.setColumnCount(len(self.COLUMNS))
        self.table.setHeaderLabels(list(self.COLUMNS))
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.add_button = QPushButton("&Add user…")
        self.add_button.setObjectName("add_user_button")
        self.active_button = QPushButton("&Disable")
        self.active_button.setObjectName("toggle_active")
        self.reset_button = QPushButton("&Reset password…")
        self.reset_button.setObjectName("reset_password_button")
        self.practices_button = QPushButton("Set pra&ctices…")
        self.practices_button.setObjectName("set_practices_button")
        self.practices_button.hide()  # shown once the users are read, in a network
        self.note = hint("")
        self.note.setObjectName("users_note")
        self.note.setAccessibleName("Result")
        self.problem = problem_label("users_problem")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        buttons = QHBoxLayout()
        for button in (self.add_button, self.active_button, self.reset_button,
                       self.practices_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Users", 1))
        layout.addWidget(hint("A disabled user cannot sign in; their name stays on what they "
                              "did. Nobody is ever deleted, so the audit trail stays whole."))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        open_size(self, 900, 520)

        self.add_button.clicked.connect(self.add_user)
        self.active_button.clicked.connect(self.toggle_active)
        self.reset_button.clicked.connect(self.reset_password)
        self.practices_button.clicked.connect(self.set_practices)
        self.table.currentItemChanged.connect(lambda *_: self._chosen_changed())
        self._chosen_changed()
        self.load()

    # -- the list ------------------------------------------------------------------------------

    def load(self, select_id: int | None = None) -> None:
        chosen = select_id if select_id is not None else (
            self.chosen().id if self.chosen() else None)

        services, admin_id = self.session.services, self.session.user.id

        def read():
            users = services.users.list()
            return (users, {user.id: services.users.practices_of(user.id) for user in users},
                    services.practice.visible(admin_id))

        def done(result) -> None:
            users, self.links, self.practices = result
            now = self.session.services.clock()
            self.users = users
            self.practices_button.setVisible(len(self.practices) > 1)
            self.table.clear()
            for user in users:
                item = QTreeWidgetItem([
                    user.display_name, user.username, ROLE_LABELS.get(user.role, user.role),
                    user.job_title or "", state_text(user, now), moment(user.created_at),
                    practices_text(user, self.links.get(user.id, ()), self.practices)])
                item.setData(0, USER_ROLE, user)
                item.setToolTip(6, practices_names(user, self.links.get(user.id, ()),
                                                   self.practices))
                self.table.addTopLevelItem(item)
                if user.id == chosen:
                    self.table.setCurrentItem(item)
            if self.table.currentItem() is None and users:
                self.table.setCurrentItem(self.table.topLevelItem(0))
            self._chosen_changed()

        self.session.operations.run(read, done=done, failed=self._failed, owner=self,
                                    message="Reading the users…")

    def chosen(self) -> User | None:
        item = self.table.currentItem()
        return item.data(0, USER_ROLE) if item is not None else None

    def select(self, username: str) -> None:
        for row in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(row)
            if item.data(0, USER_ROLE).username == username:
                self.table.setCurrentItem(item)
                return
        raise LookupError(username)

    def _chosen_changed(self) -> None:
        user = self.chosen()
        self.active_button.setEnabled(user is not None)
        self.reset_button.setEnabled(user is not None)
        self.practices_button.setEnabled(user is not None)
        self.active_button.setText("&Enable" if user is not None and not user.active
                                   else "&Disable")
        self.active_button.setAccessibleName(self.active_button.text().replace("&", ""))

    def _failed(self, error: Exception) -> None:
        say(self.problem, messages.describe(error)[1])

    # -- changes ----------------------------------------------------------------------------------

    def add_user(self) -> AddUserDialog:
        dialog = AddUserDialog(self.session, self, self.practices)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.added.connect(lambda user: self._changed(user, f"{user.display_name} "
                                                              f"({user.username}) was added."))
        dialog.open()
        return dialog

    def toggle_active(self) -> None:
        user = self.chosen()
        if user is None:
            return
        say(self.problem, None)
        active = not user.active

        def done(saved: User) -> None:
            self.active_button.setEnabled(True)
            state = "enabled: they can sign in again" if active else \
                "disabled: they cannot sign in"
            self._changed(saved, f"{saved.display_name} is now {state}.")

        def failed(error: Exception) -> None:
            self.active_button.setEnabled(True)
            self._failed(error)

        self.active_button.setEnabled(False)
        self.session.operations.run(self.session.services.users.set_active,
                                    self.session.user.id, user.id, active, done=done,
                                    failed=failed, owner=self,
                                    message="Saving the user…")

    def reset_password(self) -> ResetPasswordDialog | None:
        user = self.chosen()
        if user is None:
            return None
        dialog = ResetPasswordDialog(self.session, user, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.reset.connect(lambda saved: self._changed(
            saved, f"{saved.display_name} has a new password."))
        dialog.open()
        return dialog

    def set_practices(self) -> UserPracticesDialog | None:
        user = self.chosen()
        if user is None:
            return None
        dialog = UserPracticesDialog(self.session, user, self.practices,
                                     self.links.get(user.id, frozenset()), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda saved: self._changed(
            saved, f"{saved.display_name}'s practices are saved."))
        dialog.open()
        return dialog

    def _changed(self, user: User, text: str) -> None:
        say(self.problem, None)
        self.note.setText(text)
        self.note.setAccessibleDescription(text)
        self.load(select_id=user.id)
