"""Settings: the practice's details (letterheads, response windows, list size) and the
database.

The practice's details are saved through the practice service (a practice
admin's job, checked there). In a network, a chooser above them says which of the
practices the user sees is shown; an admin who works across the network may add one. The database URL belongs to this workstation's
settings file and is used from the next start; "Test connection" tries it off
the GUI thread without changing anything.
"""

from __future__ import annotations

import os

from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
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
from practice_rx.ui.practices.practice_chooser import practice_label, read_visible
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, hint, labelled, plain


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


#: fields shown beside another's, not on a row of their own (a row more would not fit
#: 1280×720), with their labels there
BESIDE = {"list_size": "ods_code", "mesh_mailbox_id": "email"}
SHORT_LABELS = {"list_size": "&List size", "mesh_mailbox_id": "MESH mail&box"}
#: the chooser's entry for a practice being added, not saved yet
NEW_PRACTICE = -1
MAX_LIST_SIZE = 1_000_000


def list_size(text: str) -> int | str | None:
    """The number typed (group separators allowed), None for nothing; other text goes to
    the service as typed, which says what it expects."""
    plain = text.strip().replace(",", "").replace(" ", "")
    if not plain:
        return None
    return int(plain) if plain.isdigit() else text


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
        #: the practice the fields show (None: none saved yet, or the first one)
        self.practice_id: int | None = None
        self.adding = False

        self.chooser = QComboBox()
        self.chooser.setObjectName("practice_chooser")
        self.chooser.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.chooser_label = labelled("Pra&ctice:", self.chooser, name="Practice",
                                      description="Which of the network's practices to "
                                      "show and change")
        self.add_practice_button = QPushButton("Add pract&ice…")
        self.add_practice_button.setObjectName("add_practice")
        self.add_practice_button.setToolTip("Another practice of the network, with its own "
                                            "details")
        self.add_practice_button.setVisible(self.may_change and session.user.all_practices)
        chooser_row = QHBoxLayout()  # beside the heading: a row more would not fit 1280×720
        chooser_row.addWidget(heading("Settings", 2))
        chooser_row.addStretch(1)
        chooser_row.addWidget(self.chooser_label)
        chooser_row.addWidget(self.chooser)
        chooser_row.addWidget(self.add_practice_button)
        self._show_chooser(False)

        practice_box = QGroupBox("Practice details (printed on letters)")
        practice_form = QFormLayout(practice_box)
        practice_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        beside: dict[str, tuple[QVBoxLayout, QHBoxLayout]] = {}
        for key, label, widget, description in (
            ("name", "Practice &name", QLineEdit(), ""),
            ("ods_code", "&ODS code", QLineEdit(),
             "The practice's organisation code, for example A81001"),
            # beside the ODS code (see below)
            ("list_size", "List size", self._list_size(),
             "Registered patients, for the referral rate in reports; empty if not known"),
            ("address", "Addr&ess", self._text(), ""),
            ("postcode", "&Postcode", QLineEdit(), ""),
            ("phone", "P&hone", QLineEdit(), ""),
            ("email", "E&mail", QLineEdit(), ""),
            # beside the email (see below)
            ("mesh_mailbox_id", "MESH mailbox", self._mailbox(),
             "The practice's own NHS MESH mailbox id, for example X26ABC1; empty if none"),
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
            if key in BESIDE:  # beside another field, as the attempts are (1280×720)
                cell, row = beside[BESIDE[key]]
                cell.addWidget(message)
                row.addSpacing(12)
                row.addWidget(labelled(f"{SHORT_LABELS[key]}:", widget, name=plain(label),
                                       description=description))
                row.addWidget(widget)
                row.addStretch(1)
                continue
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
            elif key in BESIDE.values():
                beside[key] = cell, QHBoxLayout()
                beside[key][1].addWidget(widget)
                cell.addLayout(beside[key][1])
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
        settings = session.settings
        if "database_url" in settings.locked:  # the IT provider's, for every user of the PC
            self.database_url.setReadOnly(True)
            database_layout.addWidget(hint(f"Set for every user of this computer in "
                                           f"{settings.site_file}; it cannot be changed here."))
        elif settings.database_url and settings.database_url == settings.site.get(
                "database_url"):
            database_layout.addWidget(hint(f"From the settings for every user of this "
                                           f"computer ({settings.site_file}); a URL saved "
                                           "here is used for you instead."))
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
        layout.addLayout(chooser_row)
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
        self.chooser.currentIndexChanged.connect(lambda _index: self._chosen())
        self.add_practice_button.clicked.connect(self.add_practice)
        open_size(self, 640, 700)
        self._load_practices()

    @staticmethod
    def _text() -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        edit.setMaximumHeight(56)  # three lines; the practice chooser needs the room
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
    def _list_size() -> QLineEdit:
        edit = QLineEdit()
        edit.setValidator(QIntValidator(0, MAX_LIST_SIZE, edit))
        edit.setPlaceholderText("not entered")
        edit.setMaximumWidth(120)
        return edit

    @staticmethod
    def _mailbox() -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText("none")
        edit.setMaxLength(20)
        edit.setMaximumWidth(140)
        return edit

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

    # -- which practice ----------------------------------------------------------------

    def _show_chooser(self, shown: bool) -> None:
        self.chooser_label.setVisible(shown)
        self.chooser.setVisible(shown)

    def _load_practices(self) -> None:
        """The practices the user sees; the chooser is shown when there are several."""
        def done(practices) -> None:
            self.chooser.blockSignals(True)
            self.chooser.clear()
            for practice in practices:
                self.chooser.addItem(practice_label(practice), practice.id)
            self.chooser.blockSignals(False)
            self._show_chooser(len(practices) > 1)
            self._load_practice(practices[0].id if practices else None)

        read_visible(self.session, self, done)

    def _chosen(self) -> None:
        practice_id = self.chooser.currentData()
        if practice_id == NEW_PRACTICE or practice_id is None:
            return
        self._stop_adding()
        self._clear_messages()
        self._load_practice(practice_id)

    def _load_practice(self, practice_id: int | None) -> None:
        def done(practice) -> None:
            if practice is not None:
                self.practice_id = practice.id
                self._fill(practice)

        self.session.operations.run(self.session.services.practice.get, practice_id,
                                    done=done, owner=self,
                                    message="Reading the practice's details…")

    def _fill(self, practice) -> None:
        """The fields from a practice (or a new practice's defaults)."""
        for key, widget in self.inputs.items():
            value = getattr(practice, key)
            if isinstance(widget, QSpinBox):
                widget.setValue(int(value))
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value or "")
            elif key == "list_size":
                widget.setText("" if value is None else str(value))
            else:
                widget.setText(value or "")

    def add_practice(self) -> None:
        """Empty fields for another practice of the network, saved by Save (as an add)."""
        self._clear_messages()
        if not self.adding:
            self.adding = True
            self.chooser.blockSignals(True)
            self.chooser.addItem("New practice (not saved yet)", NEW_PRACTICE)
            self.chooser.setCurrentIndex(self.chooser.count() - 1)
            self.chooser.blockSignals(False)
        self._show_chooser(True)
        self.add_practice_button.setEnabled(False)
        self._fill(PracticeDetails(ods_code="", name=""))
        self.saved_note.setText("Enter the new practice's details, then Save.")
        self.inputs["name"].setFocus()

    def _stop_adding(self) -> None:
        if self.adding:
            self.adding = False
            self.chooser.blockSignals(True)
            self.chooser.removeItem(self.chooser.findData(NEW_PRACTICE))
            self.chooser.blockSignals(False)
            self.add_practice_button.setEnabled(True)
            self.saved_note.setText("")
            self._show_chooser(self.chooser.count() > 1)

    def practice_details(self) -> PracticeDetails:
        values: dict[str, object] = {}
        for key, widget in self.inputs.items():
            if isinstance(widget, QSpinBox):
                values[key] = widget.value()
            elif isinstance(widget, QPlainTextEdit):
                values[key] = widget.toPlainText().strip()
            elif key == "list_size":
                values[key] = list_size(widget.text())
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
        self._clear_messages()
        self.save_button.setEnabled(False)
        practices = self.session.services.practice
        if self.adding:
            call, args = practices.add, (self.session.user.id, self.practice_details())
        else:
            call, args = practices.save, (self.session.user.id, self.practice_details(),
                                          self.practice_id)
        self.session.operations.run(call, *args, done=self._saved, failed=self._refused,
                                    owner=self, message="Saving the practice's details…")

    def _clear_messages(self) -> None:
        for message in self.messages.values():
            message.set_message(None)
        self.practice_problem.set_message(None)

    def _saved(self, _practice) -> None:
        self.session.practice_changed.emit()
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        messages.show_beside_fields(error, self.messages, self.inputs,
                                    self.practice_problem.set_message)
