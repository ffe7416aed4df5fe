"""The audit trail for practice admins: who did what, where and when, filtered; and its check.

The rows come from ``services.audit.list`` (which refuses anyone but an admin),
newest first, read off the GUI thread. The filters are the service's: a user,
a patient (found by NHS number or name through ``services.patients.find``) and
a date range. "Verify chain" runs ``services.audit.verify`` and shows the first
row that was edited, deleted or moved, if any.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.identifiers import format_date, local_time
from practice_rx.services.audit import AuditFilter
from practice_rx.storage.models import AuditEvent, Patient, User
from practice_rx.ui import messages
from practice_rx.ui.formatting import moment, patient_line
from practice_rx.ui.login import problem_label, say
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import ERROR_COLOUR, heading, hint, labelled

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
EVENT_ROLE = Qt.ItemDataRole.UserRole + 1
#: rows read at most; the service's own default
LIMIT = 500
LONGEST = 160  # characters of "before → after" shown in the cell; all of it in the tooltip
OK_COLOUR = "#007f3b"  # NHS green
NOBODY = "No user (command line or system)"


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def value_text(value: Any) -> str:
    """A value as stored in the trail, dates written the NHS way (``24 Nov 2026``)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        if ISO_DATE.fullmatch(value):
            return format_date(date.fromisoformat(value))
        if ISO_MOMENT.fullmatch(value):  # stored in UTC, read in local time
            return moment(datetime.fromisoformat(value))
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def change_text(before: dict | None, after: dict | None) -> str:
    """``status: sent → accepted; note: Rang them``: each value that changed."""
    before, after = before or {}, after or {}
    parts = []
    for key in dict.fromkeys([*before, *after]):
        if key in before and key in after:
            parts.append(f"{key}: {value_text(before[key])} → {value_text(after[key])}")
        elif key in after:
            parts.append(f"{key}: {value_text(after[key])}")
        else:
            parts.append(f"{key}: {value_text(before[key])} → (removed)")
    return "; ".join(parts)


def action_text(action: str) -> str:
    return action.replace("_", " ")


class AuditModel(QAbstractTableModel):
    """Audit events as rows; the names of the people who acted come with them."""

    HEADERS = ("When", "Who", "Workstation", "Action", "Entity", "Entity id", "Patient id",
               "Before → after")
    TIPS = ("Local time, to the second", "The user it is recorded against",
            "The computer it was done on", "What was done", "The kind of record",
            "The record's number", "The patient the record belongs to, if any",
            "What changed: the value before, then after")
    NUMBERS = (5, 6)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.events: list[AuditEvent] = []
        self.names: dict[int, str] = {}

    def set_events(self, events: list[AuditEvent], names: dict[int, str] | None = None) -> None:
        self.beginResetModel()
        self.events = list(events)
        if names is not None:
            self.names = dict(names)
        self.endResetModel()

    def event_at(self, row: int) -> AuditEvent | None:
        return self.events[row] if 0 <= row < len(self.events) else None

    def who(self, event: AuditEvent) -> str:
        if event.user_id is None:
            return NOBODY
        return self.names.get(event.user_id, f"User {event.user_id}")

    def text(self, event: AuditEvent, column: int) -> str:
        if column == 0:
            local = local_time(event.at)
            return f"{format_date(local.date())} {local:%H:%M:%S}"
        if column == 1:
            return self.who(event)
        if column == 2:
            return event.workstation or ""
        if column == 3:
            return action_text(event.action)
        if column == 4:
            return event.entity
        if column == 5:
            return "" if event.entity_id is None else str(event.entity_id)
        if column == 6:
            return "" if event.patient_id is None else str(event.patient_id)
        return change_text(event.before, event.after)

    # -- Qt's model interface ----------------------------------------------------------

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.events)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return self.HEADERS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.TIPS[section]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        event = self.event_at(index.row())
        if event is None or not 0 <= index.column() < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            text = self.text(event, index.column())
            return text if len(text) <= LONGEST else text[:LONGEST - 1] + "…"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.text(event, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == len(self.HEADERS) - 1:
            return self.text(event, index.column()) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.NUMBERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == EVENT_ROLE:
            return event
        return None


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit(QDate.currentDate())
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("d MMM yyyy")
    edit.setEnabled(False)
    return edit


def _day(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


class AuditDialog(QDialog):
    """Filters, the table and the chain check."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit")
        self.setWindowTitle("Audit trail")
        self.session = session
        self.patient_id: int | None = None
        self._generation = 0

        self.user_choice = QComboBox()
        self.user_choice.setObjectName("audit_user")
        self.user_choice.addItem("Everyone", None)
        self.patient = QLineEdit()
        self.patient.setObjectName("audit_patient")
        self.patient.setPlaceholderText("NHS number or name, then Enter")
        self.patient.setClearButtonEnabled(True)
        self.find_button = QPushButton("Fi&nd patient")
        self.find_button.setObjectName("audit_find_patient")
        self.patient_choice = QComboBox()
        self.patient_choice.setObjectName("audit_patient_choice")
        self.patient_choice.setAccessibleName("Which patient")
        self.patient_choice.hide()
        self.patient_note = hint("")
        self.patient_note.setObjectName("audit_patient_note")
        self.from_box = QCheckBox("&From")
        self.from_box.setObjectName("audit_from_on")
        self.from_date = _date_edit("audit_from")
        self.from_date.setAccessibleName("From date")
        self.to_box = QCheckBox("&To")
        self.to_box.setObjectName("audit_to_on")
        self.to_date = _date_edit("audit_to")
        self.to_date.setAccessibleName("To date")

        self.user_choice.setMinimumWidth(260)
        self.patient.setMinimumWidth(260)
        self.patient_choice.setMinimumWidth(320)
        filters = QGridLayout()
        filters.setHorizontalSpacing(8)
        filters.addWidget(labelled("&User:", self.user_choice), 0, 0)
        filters.addWidget(self.user_choice, 0, 1)
        dates = QHBoxLayout()
        dates.addSpacing(16)
        dates.addWidget(self.from_box)
        dates.addWidget(self.from_date)
        dates.addSpacing(12)
        dates.addWidget(self.to_box)
        dates.addWidget(self.to_date)
        dates.addStretch(1)
        filters.addLayout(dates, 0, 2)
        filters.addWidget(labelled("&Patient:", self.patient, name="Patient",
                                   description="An NHS number or a name; Enter finds them"),
                          1, 0)
        filters.addWidget(self.patient, 1, 1)
        patient_row = QHBoxLayout()
        patient_row.addSpacing(8)
        patient_row.addWidget(self.find_button)
        patient_row.addWidget(self.patient_choice)
        patient_row.addWidget(self.patient_note, 1)
        filters.addLayout(patient_row, 1, 2)
        filters.setColumnStretch(2, 1)

        self.model = AuditModel(self)
        self.table = QTableView()
        self.table.setObjectName("audit_table")
        self.table.setAccessibleName("Audit trail entries")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        for column in range(len(AuditModel.HEADERS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.count = hint("")
        self.count.setObjectName("audit_count")
        self.count.setAccessibleName("Entries shown")
        self.problem = problem_label("audit_problem")

        self.verify_button = QPushButton("&Verify chain")
        self.verify_button.setObjectName("verify_chain")
        self.verify_button.setToolTip("Check that no row of the audit trail has been edited, "
                                      "deleted or moved since it was written")
        self.verify_result = QLabel()
        self.verify_result.setObjectName("verify_result")
        self.verify_result.setAccessibleName("Chain check")
        self.verify_result.setWordWrap(True)
        self.verify_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setObjectName("audit_refresh")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.verify_button)
        bottom.addWidget(self.verify_result, 1)
        bottom.addWidget(self.refresh_button)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Audit trail", 1))
        layout.addWidget(hint("Every change, every opening of a patient's record or a "
                              "referral, and every sign-in, newest first. Times are local."))
        layout.addLayout(filters)
        layout.addWidget(self.problem)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addLayout(bottom)
        open_size(self, 1200, 720)

        self.user_choice.currentIndexChanged.connect(lambda _: self.load())
        self.patient.returnPressed.connect(self.find_patient)
        self.find_button.clicked.connect(self.find_patient)
        self.patient_choice.activated.connect(self._patient_picked)
        for box, edit in ((self.from_box, self.from_date), (self.to_box, self.to_date)):
            box.toggled.connect(edit.setEnabled)
            box.toggled.connect(lambda _on: self.load())
            edit.dateChanged.connect(lambda _d: self.load())
        self.verify_button.clicked.connect(self.verify)
        self.refresh_button.clicked.connect(self.load)
        self._load_users()

    # -- the filters -----------------------------------------------------------------------

    def audit_filter(self) -> AuditFilter:
        return AuditFilter(
            user_id=self.user_choice.currentData(),
            patient_id=self.patient_id,
            date_from=_day(self.from_date) if self.from_box.isChecked() else None,
            date_to=_day(self.to_date) if self.to_box.isChecked() else None)

    def _load_users(self) -> None:
        def done(users: list[User]) -> None:
            self.model.names = {user.id: f"{user.display_name} ({user.username})"
                                for user in users}
            self.user_choice.blockSignals(True)
            for user in users:
                self.user_choice.addItem(f"{user.display_name} ({user.username})", user.id)
            self.user_choice.blockSignals(False)
            self.load()

        self.session.operations.run(self.session.services.users.list, done=done,
                                    failed=self._failed, owner=self,
                                    message="Reading the users…")

    def find_patient(self) -> None:
        """The patient the text names: one match is chosen; several offer a choice."""
        text = self.patient.text().strip()
        self.patient_choice.hide()
        self.patient_choice.clear()
        if not text:
            self.patient_id = None
            self.patient_note.setText("")
            self.load()
            return

        def done(patients: list[Patient]) -> None:
            if not patients:
                self.patient_id = None
                self.patient_note.setText(f"No patient matches “{text}”.")
                self._generation += 1  # drop any reading under way
                self.model.set_events([])
                self.count.setText("No entries: no patient matches.")
                return
            for patient in patients:
                self.patient_choice.addItem(patient_line(patient), patient.id)
            if len(patients) > 1:
                self.patient_choice.show()
                self.patient_note.setText(f"{len(patients)} patients match; the first is "
                                          "shown, choose another in the list.")
            else:
                self.patient_note.setText(f"Patient: {patient_line(patients[0])}")
            self._patient_picked(0)

        self.session.operations.run(self.session.services.patients.find, self.session.user.id,
                                    text, done=done, failed=self._failed, owner=self,
                                    message="Finding the patient…")

    def _patient_picked(self, index: int) -> None:
        self.patient_id = self.patient_choice.itemData(index)
        self.load()

    # -- reading -----------------------------------------------------------------------------

    def load(self) -> None:
        self._generation += 1
        generation = self._generation
        say(self.problem, None)
        self.count.setText("Reading…")

        def done(events: list[AuditEvent]) -> None:
            if generation != self._generation:
                return
            self.model.set_events(events)
            if not events:
                self.count.setText("No entries match these filters.")
            elif len(events) >= LIMIT:
                self.count.setText(f"The newest {LIMIT} entries are shown; narrow the filters "
                                   "to see older ones.")
            else:
                self.count.setText(f"{len(events)} entr{'y' if len(events) == 1 else 'ies'}, "
                                   "newest first.")

        def failed(error: Exception) -> None:
            if generation == self._generation:
                self.count.setText("")
                self._failed(error)

        self.session.operations.run(self.session.services.audit.list, self.session.user.id,
                                    self.audit_filter(), LIMIT, done=done, failed=failed,
                                    owner=self, message="Reading the audit trail…")

    def _failed(self, error: Exception) -> None:
        say(self.problem, messages.describe(error)[1])

    # -- the chain -----------------------------------------------------------------------------

    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.verify_result.setStyleSheet("")
        self.verify_result.setText("Checking every row…")

        def done(problem: str | None) -> None:
            self.verify_button.setEnabled(True)
            if problem is None:
                self._result("Verified: no row of the audit trail has been edited, deleted "
                             "or moved.", OK_COLOUR)
            else:
                self._result(f"Problem: {problem}", ERROR_COLOUR)

        def failed(error: Exception) -> None:
            self.verify_button.setEnabled(True)
            self._result(f"Problem: the check could not run: {messages.describe(error)[1]}",
                         ERROR_COLOUR)

        self.session.operations.run(self.session.services.audit.verify, done=done,
                                    failed=failed, owner=self,
                                    message="Verifying the audit trail…")

    def _result(self, text: str, colour: str) -> None:
        self.verify_result.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.verify_result.setText(text)
        self.verify_result.setAccessibleDescription(text)
