"""The case's contacts, newest first: when, how, whether the person was reached, and what was
said — the note only for the roles the service gives it to.

A link worker picks up from the last conversation here; a receptionist sees the
dates and attempts (the service blanks every note for that role), never the words.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QTableView, QVBoxLayout, QWidget

from practice_rx.domain.contacts import CONTACT_TYPE_LABELS, ContactType
from practice_rx.domain.identifiers import format_date, format_moment
from practice_rx.services.contacts import ContactRow
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, hint, labelled, row_table

Index = QModelIndex | QPersistentModelIndex


def _kind(code: str) -> str:
    return CONTACT_TYPE_LABELS[ContactType(code)] if code in ContactType._value2member_map_ \
        else code


def _how(row: ContactRow) -> str:
    """'Phone, 20 min', or 'Phone: not reached' for an attempt."""
    if not row.made:
        return f"{_kind(row.contact_type)}: not reached"
    return _kind(row.contact_type) + (f", {row.minutes} min" if row.minutes else "")


def _columns(with_notes: bool) -> list[tuple[str, Any]]:
    """(title, text of a row) for each column: in a narrow pane, what was said gets the room;
    a role without notes sees who recorded each and the next date agreed instead."""
    columns = [("When and how", lambda row: f"{format_moment(row.occurred_at)}\n{_how(row)}")]
    if with_notes:
        return [*columns, ("Note", lambda row: row.note or "")]
    return [*columns, ("By", lambda row: row.recorded_by_name),
            ("Next contact", lambda row: format_date(row.next_contact_on)
             if row.next_contact_on else "")]


def _details(row: ContactRow) -> str:
    """Everything about a contact, for its tooltip."""
    agreed = f"; next contact {format_date(row.next_contact_on)}" if row.next_contact_on else ""
    return f"Recorded by {row.recorded_by_name} at {format_moment(row.recorded_at)}{agreed}"


class ContactsModel(QAbstractTableModel):
    """Rows of :class:`ContactRow`, newest first."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[ContactRow] = []
        self.columns = _columns(False)

    def set_rows(self, rows: list[ContactRow]) -> None:
        self.beginResetModel()
        self.rows = list(reversed(rows))
        self.columns = _columns(any(row.note is not None for row in rows))
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.columns):
            return self.columns[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[index.column()][1](row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _details(row)
        return None


class ContactsPanel(QWidget):
    """``ContactsPanel(session, referral_id)``: the contacts of one case, reloaded when the
    case changes anywhere (a contact recorded in its dialog, say)."""

    def __init__(self, session: Session, referral_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contacts_panel")
        self.session = session
        self.referral_id = referral_id
        self.model = ContactsModel(self)
        self.table = row_table(QTableView())
        self.table.setObjectName("contacts")
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        self.empty = hint("")
        self.message = FieldMessage("Contacts")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Contacts", 3))
        # no Alt key: the tab's letters are all taken by its commands and the menus
        layout.addWidget(labelled("Contacts so far:", self.table, name="Contacts so far"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.message)
        session.referral_changed.connect(
            lambda referral_id: referral_id == self.referral_id and self.reload())
        self.reload()

    def reload(self) -> None:
        services, user = self.session.services, self.session.user
        self.session.operations.run(
            lambda: services.contacts.list(user.id, self.referral_id), done=self._loaded,
            failed=lambda error: self.message.set_message(str(error)), owner=self,
            message="Opening the contacts…")

    def _loaded(self, rows: list[ContactRow]) -> None:
        self.model.set_rows(rows)
        header = self.table.horizontalHeader()
        titles = [title for title, _ in self.model.columns]
        for column, title in enumerate(titles):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if title == "Note"
                                        else QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection("Note" not in titles)
        self.table.resizeRowsToContents()
        self.empty.setText("" if rows else "No contact yet.")
