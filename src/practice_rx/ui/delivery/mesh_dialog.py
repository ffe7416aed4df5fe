"""Tools › MESH delivery: this workstation's MESH server and files, and the keyring's secrets.

The server, workflow and certificate paths go to the settings file (checked
there, each problem beside its field); the mailbox password and the shared key
go to the keyring, never the file, and are never shown again (an empty box
leaves them as they are). "Check sign-in" signs in with what is typed, off the
GUI thread, and counts the inbox without reading it. Only an admin saves.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.permissions import Action
from practice_rx.errors import ValidationError
from practice_rx.settings import Settings
from practice_rx.ui import messages
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, hint, labelled

#: the settings file's keys this dialog edits, with their labels and what they hold
FILE_FIELDS = (
    ("mesh_url", "MESH se&rver", "https://msg.intspineservices.nhs.uk"),
    ("mesh_workflow_id", "&Workflow id",
     "The workflow agreed with the services, e.g. GPFED_REFERRAL"),
    ("mesh_client_cert", "Client &certificate file",
     "The PEM file of this workstation's MESH certificate"),
    ("mesh_client_key", "Client &key file", "The PEM file of the certificate's key"),
    ("mesh_ca_bundle", "CA &bundle file",
     "The CAs that sign the MESH server; empty for the system's"),
)


def check_sign_in(settings: Settings, mailbox_id: str, password: str, shared_key: str) -> str:
    """Sign in with these settings (and the typed secrets, else the keyring's); the sentence
    to show. Raises a DeliveryError saying what is wrong."""
    from practice_rx.delivery.mesh_settings import MeshSettingsChannel

    waiting = MeshSettingsChannel(lambda: settings).bind(mailbox_id, None).channel(
        password=password or None, shared_key=shared_key or None).check()
    return (f"{mailbox_id.strip().upper()}: signed in to {settings.mesh_url}; {waiting} "
            f"message{'s' if waiting != 1 else ''} waiting in the inbox")


class MeshSettingsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mesh_settings")
        self.setWindowTitle("MESH delivery")
        self.session = session
        self.may_change = session.can(Action.MANAGE_SETTINGS)
        self.inputs: dict[str, QLineEdit] = {}
        self.messages: dict[str, FieldMessage] = {}

        file_box = QGroupBox("This workstation (the settings file)")
        file_form = QFormLayout(file_box)
        file_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, label, description in FILE_FIELDS:
            self._field(file_form, key, label, description, getattr(session.settings, key))

        secrets_box = QGroupBox("Signing in (kept in the keyring, never shown)")
        secrets_form = QFormLayout(secrets_box)
        secrets_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        practice = session.services.practice.get()
        self._field(secrets_form, "mailbox", "&Mailbox id", "The practice's MESH mailbox "
                    "(set in the practice's details)",
                    (practice.mesh_mailbox_id if practice else None) or "")
        self._field(secrets_form, "password", "Mailbox &password", "Empty leaves the saved "
                    "password as it is", "", secret=True)
        self._field(secrets_form, "shared_key", "S&hared key", "The MESH environment's key; "
                    "empty leaves it as it is", "", secret=True)

        self.check_button = QPushButton("Check s&ign-in")
        self.check_button.setObjectName("check_mesh")
        self.check_button.setToolTip("Sign in with what is typed here and count the inbox; "
                                     "no message is read")
        self.check_result = hint("")
        self.check_result.setObjectName("check_result")
        self.check_result.setAccessibleName("Sign-in check result")
        self.problem = FieldMessage("MESH delivery")

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("save_mesh")
        self.save_button.setEnabled(self.may_change)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.check_button.clicked.connect(self.check)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("MESH delivery", 2))
        if not self.may_change:
            layout.addWidget(hint("Only a practice admin can change how referrals are "
                                  "delivered; you can check the sign-in."))
        layout.addWidget(file_box)
        layout.addWidget(secrets_box)
        layout.addWidget(self.check_button)
        layout.addWidget(self.check_result)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        open_size(self, 600, 560)

    def _field(self, form: QFormLayout, key: str, label: str, description: str, value: str,
               *, secret: bool = False) -> None:
        widget = QLineEdit(value)
        widget.setObjectName(f"mesh_{key}")
        if secret:
            widget.setEchoMode(QLineEdit.EchoMode.Password)
        widget.setReadOnly(not self.may_change and key not in ("password", "shared_key"))
        message = FieldMessage(label.replace("&", ""))
        self.inputs[key], self.messages[key] = widget, message
        cell = QVBoxLayout()
        cell.setSpacing(1)
        cell.addWidget(message)
        cell.addWidget(widget)
        title = labelled(f"{label}:", widget, description=description)
        title.setWordWrap(False)  # short labels: the fields are wide enough to spare them a line
        form.addRow(title, cell)

    def settings(self) -> Settings:
        """The settings as typed, checked (ValidationError naming the key)."""
        typed = {key: self.inputs[key].text().strip() for key, *_ in FILE_FIELDS}
        candidate = replace(self.session.settings, **typed)
        candidate.check()
        return candidate

    def _clear(self) -> None:
        for message in self.messages.values():
            message.set_message(None)
        self.problem.set_message(None)

    def _show_problem(self, error: Exception) -> None:
        messages.show_beside_fields(error, self.messages, self.inputs, self.problem.set_message)

    def check(self) -> None:
        self._clear()
        try:
            settings = self.settings()
        except ValidationError as error:
            self._show_problem(error)
            return
        self.check_button.setEnabled(False)
        self.check_result.setText("Signing in…")

        def done(text: str) -> None:
            self.check_button.setEnabled(True)
            self.check_result.setText(text)

        def failed(error: Exception) -> None:
            self.check_button.setEnabled(True)
            self.check_result.setText(f"Not signed in: {messages.describe(error)[1]}")

        self.session.operations.run(
            check_sign_in, settings, self.inputs["mailbox"].text(),
            self.inputs["password"].text(), self.inputs["shared_key"].text(), done=done,
            failed=failed, owner=self, message="Checking the MESH sign-in…")

    def save(self) -> None:
        """The file's settings, then any secret typed into the keyring."""
        if not self.may_change:
            return
        from practice_rx.delivery import secrets
        from practice_rx.errors import PracticeRxError

        self._clear()
        try:
            settings = self.settings()
        except ValidationError as error:
            self._show_problem(error)
            return
        password = self.inputs["password"].text()
        mailbox = self.inputs["mailbox"].text().strip().upper()
        if password and not mailbox:
            self.messages["mailbox"].set_message("Mailbox id: enter the mailbox whose "
                                                 "password this is")
            self.inputs["mailbox"].setFocus()
            return
        try:
            settings.save()
            if password:
                secrets.set_mailbox_password(mailbox, password)
            if self.inputs["shared_key"].text():
                secrets.set_shared_key(self.inputs["shared_key"].text())
        except (OSError, PracticeRxError) as error:
            self.problem.set_message(f"Not saved: {messages.describe(error)[1]}")
            return
        for key, *_ in FILE_FIELDS:
            setattr(self.session.settings, key, getattr(settings, key))
        self.accept()
