"""Settings: the practice's details (letterheads, response windows) and the database.

The practice's details are saved through the practice service (a practice
admin's job, checked there). The database URL belongs to this workstation's
settings file and is used from the next start; "Test connection" tries it off
the GUI thread without changing anything.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.calendar import DEFAULT_RESPONSE_DAYS
from practice_rx.domain.contacts import DEFAULT_ATTEMPTS_BEFORE_NOT_CONTACTABLE
from practice_rx.domain.permissions import Action
from practice_rx.services.chasing import DEFAULT_CHASE_AGAIN_DAYS
from practice_rx.services.practice import PracticeDetails
from practice_rx.settings import DATABASE_URL_ENV, default_database_url
from practice_rx.storage.database import safe_url
from practice_rx.ui import messages
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, hint, labelled


def check_connection(url: str) -> str:
    """Connect to ``url`` and read its schema revision; changes nothing. Raises on failure.

    A stand-in until the core offers a "test this database" call.
    """
    from practice_rx.storage import migrate
    from practice_rx.storage.database import create_engine_for

    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            revision = migrate.current_revision(connection)
    finally:
        engine.dispose()
    head = migrate.head_revision()
    if revision is None:
        return "Connected. The database is empty; PracticeRx will set it up when it starts."
    if revision == head:
        return "Connected. The database is ready for this version of PracticeRx."
    if revision in migrate.known_revisions():
        return ("Connected. The database will be upgraded to this version of PracticeRx "
                "when it starts.")
    return ("Connected, but the database was written by a newer PracticeRx; this version "
            "will refuse to open it. Update PracticeRx on this workstation.")


def with_keyring_password(url: str) -> str:
    """``url`` with its password from the keyring when none was typed (as on opening)."""
    from sqlalchemy.engine import make_url

    from practice_rx.passwords import with_password

    try:
        return with_password(make_url(url)).render_as_string(hide_password=False)
    except Exception:  # malformed: check_connection says which part, password masked
        return url


def keep_password_out(url: str) -> tuple[str, str]:
    """(the URL to save, a note): a password typed in the URL goes to the keyring, never
    to the settings file; with no keyring, the note says so and what to do instead."""
    from sqlalchemy.engine import make_url

    from practice_rx import passwords
    from practice_rx.settings import without_password

    stripped = without_password(url)
    if stripped == url:
        return url, ""
    try:
        passwords.store(make_url(url))
    except passwords.NoKeyringError as error:
        return stripped, str(error)
    except Exception:  # malformed: Test connection says which part; the password is dropped
        return stripped, "The password was not saved (the URL is not valid)."
    return stripped, "The password is kept in this computer's keyring, not the settings file."


class SettingsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings")
        self.setWindowTitle("Settings")
        self.session = session
        self.may_change = session.can(Action.MANAGE_SETTINGS)
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, FieldMessage] = {}

        practice_box = QGroupBox("Practice details (printed on letters)")
        practice_form = QFormLayout(practice_box)
        practice_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, label, widget, description in (
            ("name", "Practice &name", QLineEdit(), ""),
            ("ods_code", "&ODS code", QLineEdit(),
             "The practice's organisation code, for example A81001"),
            ("address", "Addr&ess", self._text(), ""),
            ("postcode", "&Postcode", QLineEdit(), ""),
            ("phone", "P&hone", QLineEdit(), ""),
            ("email", "E&mail", QLineEdit(), ""),
            ("response_days", "Default &response window", self._days(),
             "For a service to acknowledge a referral, unless it sets its own"),
            ("contact_days", "&First contact window", self._days(),
             "From acceptance to the first contact with the patient"),
            ("chase_again_days", "Chase a&gain after", self._days(DEFAULT_CHASE_AGAIN_DAYS),
             "Working days after a chase before the chase list ticks that referral again"),
            # beside the first contact window (see below): a row more would not fit 1280×720
            ("contact_attempts", "then offer 'not contactable' after", self._attempts(), ""),
        ):
            widget.setObjectName(f"practice_{key}")
            widget.setEnabled(self.may_change)
            self.inputs[key] = widget
            message = FieldMessage(label.replace("&", ""))
            message.setObjectName(f"practice_message_{key}")
            self.messages[key] = message
            if key == "contact_attempts":
                attempts_cell.addWidget(message)
                attempts_row.addWidget(labelled(f"{label.replace('after', '&after')}", widget,
                                                name="Contact attempts"))
                attempts_row.addWidget(widget)
                attempts_row.addStretch(1)
                continue
            cell = QVBoxLayout()
            cell.setSpacing(1)
            cell.addWidget(message)
            if key == "contact_days":
                attempts_cell, attempts_row = cell, QHBoxLayout()
                attempts_row.addWidget(widget)
                cell.addLayout(attempts_row)
            else:
                cell.addWidget(widget)
            if description:
                note = hint(description)
                note.setWordWrap(False)
                cell.addWidget(note)
            practice_form.addRow(labelled(f"{label}:", widget, description=description), cell)
        self.practice_problem = FieldMessage("Practice details")

        database_box = QGroupBox("Database (this workstation)")
        database_layout = QVBoxLayout(database_box)
        self.database_url = QLineEdit(session.settings.database_url)
        self.database_url.setObjectName("database_url")
        self.database_url.setPlaceholderText(default_database_url())
        self.test_button = QPushButton("&Test connection")
        self.test_button.setObjectName("test_connection")
        self.test_result = hint("")
        self.test_result.setObjectName("test_result")
        self.test_result.setAccessibleName("Connection test result")
        url_row = QHBoxLayout()
        url_row.addWidget(self.database_url, 1)
        url_row.addWidget(self.test_button)
        database_layout.addWidget(labelled("&Database URL:", self.database_url,
                                           name="Database URL", description=(
                                               "Empty means the SQLite file in your data "
                                               "folder; for a shared server, for example "
                                               "postgresql+psycopg://practice@server/practice_rx")))
        database_layout.addLayout(url_row)
        now = safe_url(str(session.services.db.engine.url.render_as_string(hide_password=False)))
        using = hint(f"In use now: {now}" + (" (a demo database)" if session.demo else ""))
        database_layout.addWidget(using)
        if os.environ.get(DATABASE_URL_ENV):
            database_layout.addWidget(hint(f"{DATABASE_URL_ENV} is set on this computer and "
                                           "wins over this setting."))
        database_layout.addWidget(hint("A new database URL is used when PracticeRx is next "
                                       "started."))
        database_layout.addWidget(self.test_result)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("save_settings")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.saved_note = hint("")

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Settings", 2))
        if not self.may_change:
            layout.addWidget(hint("Only a practice admin can change the practice's details. "
                                  "You can change this workstation's database."))
        layout.addWidget(practice_box)
        layout.addWidget(self.practice_problem)
        layout.addWidget(database_box)
        layout.addStretch(1)
        layout.addWidget(self.saved_note)
        layout.addWidget(self.buttons)
        self.test_button.clicked.connect(self.test_connection)
        open_size(self, 640, 700)
        self._load_practice()

    @staticmethod
    def _text() -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        edit.setMaximumHeight(64)
        return edit

    @staticmethod
    def _days(value: int = DEFAULT_RESPONSE_DAYS) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(1, 90)
        spin.setValue(value)
        spin.setSuffix(" working days")
        spin.setMaximumWidth(180)
        return spin

    @staticmethod
    def _attempts() -> QSpinBox:
        spin = QSpinBox()
        spin.setToolTip("Failed attempts in a row after which a link worker is offered "
                        "'not contactable'")
        spin.setAccessibleDescription(spin.toolTip())
        spin.setRange(1, 20)
        spin.setSuffix(" failed attempts")
        spin.setValue(DEFAULT_ATTEMPTS_BEFORE_NOT_CONTACTABLE)
        spin.setMaximumWidth(180)
        return spin

    def _load_practice(self) -> None:
        def done(practice) -> None:
            if practice is None:
                return
            for key, widget in self.inputs.items():
                value = getattr(practice, key)
                if isinstance(widget, QSpinBox):
                    widget.setValue(int(value))
                elif isinstance(widget, QPlainTextEdit):
                    widget.setPlainText(value or "")
                else:
                    widget.setText(value or "")

        self.session.operations.run(self.session.services.practice.get, done=done, owner=self,
                                    message="Reading the practice's details…")

    def practice_details(self) -> PracticeDetails:
        values: dict[str, object] = {}
        for key, widget in self.inputs.items():
            if isinstance(widget, QSpinBox):
                values[key] = widget.value()
            elif isinstance(widget, QPlainTextEdit):
                values[key] = widget.toPlainText().strip()
            else:
                values[key] = widget.text().strip()
        return PracticeDetails(**values)

    # -- the database --------------------------------------------------------------------

    def test_connection(self) -> None:
        url = self.database_url.text().strip() or default_database_url()
        self.test_button.setEnabled(False)
        self.test_result.setText(f"Trying {safe_url(url)}…")

        def done(text: str) -> None:
            self.test_button.setEnabled(True)
            kept, note = keep_password_out(url)  # it worked: the password goes to the keyring
            if kept != url:
                self.database_url.setText(kept)
            self.test_result.setText(f"{text} {note}".strip())

        def failed(error: Exception) -> None:
            self.test_button.setEnabled(True)
            self.test_result.setText(f"Could not connect: {messages.describe(error)[1]}")

        self.session.operations.run(check_connection, with_keyring_password(url), done=done,
                                    failed=failed, owner=self,
                                    message="Testing the database connection…")

    # -- saving --------------------------------------------------------------------------

    def save(self) -> None:
        settings = self.session.settings
        url, password_note = keep_password_out(self.database_url.text().strip())
        url_changed = url != settings.database_url
        if url_changed:
            settings.database_url = url
            try:
                settings.save()
            except OSError as error:
                self.saved_note.setText(f"The settings file could not be written: {error}")
                return
            self.database_url.setText(url)
            self.saved_note.setText("The database URL is saved; it is used from the next start."
                                    + (f" {password_note}" if password_note else ""))
            if password_note and password_note.startswith("This computer has no"):
                return  # stay open, so the advice about ~/.pgpass is read
        if not self.may_change:
            if url_changed:
                self.accept()
            else:
                self.reject()
            return
        for message in self.messages.values():
            message.set_message(None)
        self.practice_problem.set_message(None)
        self.save_button.setEnabled(False)
        self.session.operations.run(
            self.session.services.practice.save, self.session.user.id, self.practice_details(),
            done=self._saved, failed=self._refused, owner=self,
            message="Saving the practice's details…")

    def _saved(self, _practice) -> None:
        self.session.practice_changed.emit()
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        messages.show_beside_fields(error, self.messages, self.inputs,
                                    self.practice_problem.set_message)
