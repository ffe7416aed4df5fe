"""Filters a person uses every day, saved under a name and picked from a list.

Kept per user on this workstation (a receptionist's "Overdue at Beeston Hill"
is not a GP's); stored as JSON in the view preferences, dates as ISO text.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QInputDialog, QPushButton, QWidget

from practice_rx.ui.worklist.preferences import preferences

CHOOSE = "Choose a saved filter…"


@dataclass(frozen=True)
class SavedFilter:
    """Everything that narrows the list: the statuses chosen, the filter row, "mine"."""

    name: str
    statuses: list[str] = field(default_factory=list)
    text: str = ""
    service_id: int | None = None
    referrer_id: int | None = None
    created_from: str | None = None
    created_to: str | None = None
    mine: bool = False

    @classmethod
    def of(cls, name: str, statuses: set[str], values: dict, mine: bool) -> SavedFilter:
        def iso(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return cls(name, sorted(statuses), values["text"], values["service_id"],
                   values["referrer_id"], iso(values["created_from"]),
                   iso(values["created_to"]), mine)

    def values(self) -> dict:
        """The filter row's values, as :meth:`FilterRow.values` gives them."""
        def day(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        return {"text": self.text, "service_id": self.service_id,
                "referrer_id": self.referrer_id, "created_from": day(self.created_from),
                "created_to": day(self.created_to)}


class SavedFilterStore:
    """One user's saved filters, by name."""

    def __init__(self, username: str) -> None:
        self.key = f"saved_filters/{username}"

    def all(self) -> list[SavedFilter]:
        raw = preferences().value(self.key) or "[]"
        try:
            return [SavedFilter(**item) for item in json.loads(raw)]
        except (TypeError, ValueError):
            return []  # an unreadable entry is dropped rather than breaking the list

    def _write(self, filters: list[SavedFilter]) -> None:
        settings = preferences()
        settings.setValue(self.key, json.dumps([asdict(f) for f in filters]))
        settings.sync()

    def save(self, saved: SavedFilter) -> None:
        """Add it, replacing one of the same name."""
        self._write([f for f in self.all() if f.name != saved.name] + [saved])

    def delete(self, name: str) -> None:
        self._write([f for f in self.all() if f.name != name])


class SavedFiltersBar(QWidget):
    """A list of saved filters (choosing one applies it), Save as… and Delete."""

    #: a saved filter was chosen
    chosen = Signal(object)
    #: the user asked to save the filters shown under a name
    save_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store: SavedFilterStore | None = None
        self.combo = QComboBox()
        self.combo.setObjectName("saved_filters")
        self.combo.setAccessibleName("Saved filters")
        self.combo.setMinimumContentsLength(6)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.save_button = QPushButton("Save…")
        self.save_button.setAccessibleName("Save the filters shown under a name")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setAccessibleName("Delete the chosen saved filter")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.save_button)
        layout.addWidget(self.delete_button)
        self.combo.activated.connect(self._activated)
        self.save_button.clicked.connect(self.ask_name)
        self.delete_button.clicked.connect(self.delete_chosen)
        self.set_user(None)

    def set_user(self, username: str | None) -> None:
        self.store = SavedFilterStore(username) if username else None
        self.reload()

    def reload(self, current: str | None = None) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(CHOOSE, None)
        for saved in self.store.all() if self.store else []:
            self.combo.addItem(saved.name, saved)
        self.combo.setCurrentIndex(max(0, self.combo.findText(current)) if current else 0)
        self.combo.blockSignals(False)
        self.delete_button.setEnabled(self.combo.currentIndex() > 0)
        self.setEnabled(self.store is not None)

    def names(self) -> list[str]:
        return [self.combo.itemText(i) for i in range(1, self.combo.count())]

    def choose(self, name: str) -> None:
        index = self.combo.findText(name)
        if index > 0:
            self.combo.setCurrentIndex(index)
            self._activated(index)

    def _activated(self, index: int) -> None:
        self.delete_button.setEnabled(index > 0)
        saved = self.combo.itemData(index)
        if saved is not None:
            self.chosen.emit(saved)

    def ask_name(self) -> None:
        name, ok = QInputDialog.getText(self, "Save filters", "Name for the filters shown:")
        if ok and name.strip():
            self.save_requested.emit(name.strip())

    def add(self, saved: SavedFilter) -> None:
        if self.store is not None:
            self.store.save(saved)
            self.reload(saved.name)

    def delete_chosen(self) -> None:
        if self.store is not None and self.combo.currentIndex() > 0:
            self.store.delete(self.combo.currentText())
            self.reload()
