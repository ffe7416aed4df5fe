"""Small widgets the screens share: labelled fields, inline messages, a note box.

Every control gets a visible label (its buddy, so Alt+letter reaches it) and an
accessible name; messages are words, never colour alone.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSizePolicy,
    QTableView,
    QWidget,
)

ERROR_COLOUR = "#b10e1e"     # NHS red: text on white passes WCAG AA
OVERDUE_BACKGROUND = "#fde8e6"
OVERDUE_TEXT = "#8a1020"
HINT_COLOUR = "#4c6272"      # NHS secondary text


def plain(text: str) -> str:
    """A label's text without its mnemonic ampersand or trailing colon."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(": ")


def labelled(text: str, widget: QWidget, *, name: str | None = None,
             description: str = "") -> QLabel:
    """A label for ``widget`` (its buddy), and the widget's accessible name and description."""
    label = QLabel(text)
    label.setBuddy(widget)
    label.setWordWrap(True)
    widget.setAccessibleName(name or plain(text))
    if description:
        widget.setAccessibleDescription(description)
        widget.setToolTip(description)
    return label


def row_table(table: QTableView) -> QTableView:
    """A table of records: whole rows chosen one at a time, Tab leaves it, no row numbers."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    return table


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {HINT_COLOUR};")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def heading(text: str, level: int = 2) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * {1: 1.5, 2: 1.25, 3: 1.1}.get(level, 1.0))
    label.setFont(font)
    label.setWordWrap(True)
    label.setAccessibleName(text)
    return label


class FieldMessage(QLabel):
    """An inline message beside one field; hidden when there is nothing to say."""

    def __init__(self, field_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._field_name = field_name
        self.setAccessibleName(f"{field_name} message" if field_name else "Message")
        self.hide()

    def set_message(self, text: str | None) -> None:
        if text:
            self.setText(f"Error: {text}")
            self.setAccessibleDescription(text)
            self.show()
        else:
            self.clear()
            self.hide()

    @property
    def message(self) -> str:
        return self.text().removeprefix("Error: ") if self.isVisibleTo(self.parentWidget()) \
            else ""


class NoteEdit(QPlainTextEdit):
    """A short multi-line text: Enter submits, Shift+Enter starts a new line, Tab moves on."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setMaximumHeight(90)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit()
            return
        super().keyPressEvent(event)

    def text(self) -> str:
        return self.toPlainText()


class SearchBox(QLineEdit):
    """A search field whose Down key moves into the results below it."""

    down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.down.emit()
            return
        super().keyPressEvent(event)


def down_into(results: QListWidget) -> None:
    """Down from a search box: into the results, on the next match, as in any list.

    The first match is already highlighted (Enter in the box chooses it), so Down
    means "the one after"; with nothing highlighted it means the first.
    """
    if results.count():
        results.setFocus()
        results.setCurrentRow(min(results.currentRow() + 1, results.count() - 1))
