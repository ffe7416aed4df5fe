"""The case's connections to community services: connect one from the catalogue, move its status.

The table is a model of :class:`ConnectionRow`; "Move to" offers only the statuses
the highlighted connection may go to now. A move refused because a colleague
moved it meanwhile reloads the list and says so.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.casework import ConnectionStatus
from practice_rx.domain.identifiers import format_moment
from practice_rx.domain.permissions import Action
from practice_rx.errors import ConflictError
from practice_rx.services.connections import ConnectionRow
from practice_rx.storage.models import Service
from practice_rx.ui import messages
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.service_picker import ServicePicker
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, hint, labelled, row_table

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Service", "Status", "Since")


class ConnectionsModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[ConnectionRow] = []

    def set_rows(self, rows: list[ConnectionRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return [row.service_name, row.status_label,
                    format_moment(row.status_changed_at)][index.column()]
        return None


class ConnectDialog(QDialog):
    """Choose the community service to connect the person to (Enter chooses)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connect_dialog")
        self.setWindowTitle("Connect to a community service")
        self.service: Service | None = None
        self.picker = ServicePicker(session)
        self.picker.chosen.connect(self._chosen)
        self.status = QComboBox()
        self.status.setObjectName("connection_start")
        for status in (ConnectionStatus.SUGGESTED, ConnectionStatus.REFERRED):
            self.status.addItem(status.label, status.value)
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton("C&onnect", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.ok.clicked.connect(self.picker.enter)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker, 1)
        row = QHBoxLayout()
        row.addWidget(labelled("Starts &as:", self.status, name="Starts as",
                               description="Suggested: talked about. Referred: the referral "
                               "is made, or the person went themself"))
        row.addWidget(self.status)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(buttons)
        open_size(self, 640, 620)
        self.picker.find()
        self.picker.search.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                self.picker.isAncestorOf(self.focusWidget())):
            self.picker.enter()
            return
        super().keyPressEvent(event)

    def _chosen(self, service: Service) -> None:
        self.service = service
        self.accept()


class ConnectionsPanel(QWidget):
    """``ConnectionsPanel(session, referral_id)``: the connections of one case."""

    #: the connections were changed here (the referral id)
    changed = Signal(int)

    def __init__(self, session: Session, referral_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connections_panel")
        self.session = session
        self.referral_id = referral_id
        self.model = ConnectionsModel(self)
        self.table = row_table(QTableView())
        self.table.setObjectName("connections")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 260)
        self.table.setColumnWidth(1, 140)
        self.connect_button = QPushButton("Connect to a &group or service…")
        self.move_to = QComboBox()
        self.move_to.setObjectName("connection_move_to")
        self.note = QLineEdit()
        self.note.setObjectName("connection_note")
        self.note.setPlaceholderText("Optional: what happened")
        self.move_button = QPushButton("&Move")
        self.message = FieldMessage("Connections")
        self.message.setObjectName("connections_message")
        self.empty = hint("")
        can_change = session.can(Action.RECORD_CASEWORK)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Connections to community services", 3))
        layout.addWidget(labelled("Co&nnections:", self.table, name="Connections"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        move_row = QHBoxLayout()
        move_row.addWidget(labelled("Ne&w status:", self.move_to, name="New status",
                                    description="The statuses this connection may go to now"))
        move_row.addWidget(self.move_to)
        move_row.addWidget(labelled("&Briefly, why:", self.note, name="Note"))
        move_row.addWidget(self.note, 1)
        move_row.addWidget(self.move_button)
        layout.addLayout(move_row)
        layout.addWidget(self.connect_button)
        layout.addWidget(self.message)
        for widget in (self.connect_button, self.move_to, self.note, self.move_button):
            widget.setVisible(can_change)
        self.connect_button.clicked.connect(self.choose_service)
        self.move_button.clicked.connect(self.move_current)
        self.note.returnPressed.connect(self.move_current)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._offer_moves())
        self._version: int | None = None
        session.referral_changed.connect(self._changed_elsewhere)
        self.reload()

    def _changed_elsewhere(self, referral_id: int) -> None:
        """A contact, plan or closing saved in another view moves the case's version."""
        if referral_id == self.referral_id:
            self.reload()

    # -- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        services, user = self.session.services, self.session.user

        def fetch():
            version = (services.referrals.get(user.id, self.referral_id).version
                       if self.session.can(Action.RECORD_CASEWORK) else None)
            return version, services.connections.list(user.id, self.referral_id)

        self.session.operations.run(fetch, done=self._loaded, failed=self._failed, owner=self,
                                    message="Opening the connections…")

    def _loaded(self, got: tuple[int | None, list[ConnectionRow]]) -> None:
        chosen = self.current().id if self.current() else None
        self._version, rows = got
        self.model.set_rows(rows)
        self.empty.setText("" if rows else "Not connected to any service yet.")
        row = next((n for n, r in enumerate(rows) if r.id == chosen), 0 if rows else -1)
        if row >= 0:
            self.table.setCurrentIndex(self.model.index(row, 0))
        self._offer_moves()

    def _failed(self, error: Exception) -> None:
        self.message.set_message(messages.describe(error)[1])

    def current(self) -> ConnectionRow | None:
        row = self.table.currentIndex().row()
        return self.model.rows[row] if 0 <= row < len(self.model.rows) else None

    def _offer_moves(self) -> None:
        self.move_to.clear()
        current = self.current()
        for status in current.moves if current else ():
            self.move_to.addItem(status.label, status.value)
        can_move = self.move_to.count() > 0
        self.move_to.setEnabled(can_move)
        self.move_button.setEnabled(can_move)
        self.note.setEnabled(can_move)

    # -- changing ------------------------------------------------------------------------

    def choose_service(self) -> None:
        dialog = ConnectDialog(self.session, self)
        dialog.accepted.connect(lambda: self.connect_to(dialog.service.id,
                                                        dialog.status.currentData()))
        dialog.open()

    def connect_to(self, service_id: int, status: str = ConnectionStatus.SUGGESTED) -> None:
        if self._version is None:
            return
        self._run(self.session.services.connections.connect, self.session.user.id,
                  self.referral_id, self._version, service_id, status)

    def move_current(self) -> None:
        current, target = self.current(), self.move_to.currentData()
        if current is None or target is None or not self.move_button.isEnabled():
            return
        self._run(self.session.services.connections.move, self.session.user.id, current.id,
                  current.version, target, self.note.text())

    def _run(self, call, *args) -> None:
        self.message.set_message(None)

        def done(_row) -> None:
            self.note.clear()
            self.changed.emit(self.referral_id)
            self.session.referral_changed.emit(self.referral_id)  # which reloads this too

        def failed(error: Exception) -> None:
            self.message.set_message(messages.describe(error)[1])
            if isinstance(error, ConflictError):
                self.reload()

        self.session.operations.run(call, *args, done=done, failed=failed, owner=self,
                                    message="Saving the connection…")
