"""Any referral form, rendered from its definition: sections, fields, live rules, messages.

Nothing here knows the national form: every plugin's form renders the same
way. ``show_if`` is applied as the user types (:func:`is_visible`), and the
core's ``clean_answers(..., complete=False)`` supplies the inline messages for a
field once the user has left it. Messages the services send back (a refused
send) stay beside their fields until those fields are changed.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QApplication, QGroupBox, QLabel, QVBoxLayout, QWidget

from practice_rx.errors import ValidationError
from practice_rx.forms import FormDefinition, FormField, clean_answers, is_visible
from practice_rx.ui.field_editors import FieldEditor, editor_for
from practice_rx.ui.widgets import FieldMessage, heading, hint

LIVE_DELAY_MS = 200


def _is_empty(value: object) -> bool:
    return value is None or value == "" or value == [] or (
        isinstance(value, str) and not value.strip())


class FieldRow(QWidget):
    """A question: its label, help, editor and message."""

    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.editor: FieldEditor = editor_for(field)
        optional = "" if field.required else " (optional)"
        self.label = QLabel(f"<b>{_escape(field.label)}</b>{optional}")
        self.label.setWordWrap(True)
        self.label.setBuddy(self.editor.focus_target())
        self.message = FieldMessage(field.label)
        self.message.setObjectName(f"message_{field.key}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        if field.help:
            layout.addWidget(hint(field.help))
        layout.addWidget(self.message)
        layout.addWidget(self.editor)

    def set_message(self, text: str | None) -> None:
        self.message.set_message(text)
        target = self.editor.focus_target()
        description = self.field.help
        if text:
            description = f"Error: {text}. {description}".strip()
        target.setAccessibleDescription(description)


class FormRenderer(QWidget):
    """Edits the answers to one form."""

    #: answers changed (after the live rules have been applied)
    changed = Signal()

    def __init__(self, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.rows: dict[str, FieldRow] = {}
        self.sections: dict[str, QGroupBox] = {}
        self._committed: set[str] = set()
        self._server_errors: dict[str, str] = {}
        layout = QVBoxLayout(self)
        if form.description:
            layout.addWidget(hint(form.description))
        for section in form.sections:
            layout.addWidget(heading(section.title, 3))
            box = QGroupBox()
            box.setAccessibleName(section.title)
            box.setObjectName(f"section_{section.key}")
            inner = QVBoxLayout(box)
            if section.help:
                inner.addWidget(hint(section.help))
            for field in section.fields:
                row = FieldRow(field)
                row.setObjectName(f"field_{field.key}")
                self.rows[field.key] = row
                inner.addWidget(row)
                row.editor.changed.connect(lambda key=field.key: self._edited(key))
                row.editor.committed.connect(lambda key=field.key: self._committed_field(key))
            self.sections[section.key] = box
            layout.addWidget(box)
        layout.addStretch(1)
        self._live = QTimer(self, singleShot=True, interval=LIVE_DELAY_MS)
        self._live.timeout.connect(self.refresh)
        self.refresh()

    # -- answers -------------------------------------------------------------------------

    def answers(self) -> dict[str, object]:
        """The answers as typed, empty ones left out; the core checks the rest."""
        answers: dict[str, object] = {}
        for key, row in self.rows.items():
            value = row.editor.value()
            if not _is_empty(value):
                answers[key] = value
            for extra_key, extra in row.editor.extra_answers().items():
                if not _is_empty(extra):
                    answers[extra_key] = extra
        return answers

    def set_answers(self, answers: Mapping[str, object]) -> None:
        for key, row in self.rows.items():
            row.editor.blockSignals(True)
            row.editor.set_value(answers.get(key))
            row.editor.set_extra_answers(dict(answers))
            row.editor.blockSignals(False)
        self.refresh()

    def editor(self, key: str) -> FieldEditor:
        return self.rows[key].editor

    def message(self, key: str) -> str:
        row = self.rows[key]
        return row.message.message if not row.message.isHidden() else ""

    # -- messages ------------------------------------------------------------------------

    def show_errors(self, errors: Mapping[str, str]) -> list[str]:
        """Put the services' messages beside their fields; returns the keys shown here."""
        self._server_errors = {key: text for key, text in errors.items() if key in self.rows}
        self.refresh()
        return [key for key in self.rows if key in self._server_errors]

    def first_error(self) -> str | None:
        return next((key for key, row in self.rows.items()
                     if not row.message.isHidden() and not row.isHidden()), None)

    def first_to_answer(self) -> str | None:
        """Where the user should start: the first message, else the first unanswered
        question, else the first question (the prefilled referrer needs no keys)."""
        shown = [key for key, row in self.rows.items() if not row.isHidden()]
        answers = self.answers()
        return self.first_error() or next((key for key in shown if key not in answers),
                                          shown[0] if shown else None)

    def focus_next_question(self) -> bool:
        """Enter in the form: on to the next question (not the next tick box of this one);
        False when the focus is not in a question or there is no next one."""
        focused = QApplication.focusWidget()
        keys = [key for key, row in self.rows.items() if not row.isHidden()]
        current = next((key for key in keys if focused is not None
                        and self.rows[key].isAncestorOf(focused)), None)
        if current is None:
            return False
        inside = self.rows[current].editor.follow_on(focused)
        if inside is not None:
            inside.setFocus()
            return True
        following = keys[keys.index(current) + 1:]
        if not following:
            return False
        self.focus_field(following[0])
        return True

    def focus_field(self, key: str) -> None:
        row = self.rows[key]
        row.editor.focus_target().setFocus()
        scroll = self.parentWidget()
        while scroll is not None and not hasattr(scroll, "ensureWidgetVisible"):
            scroll = scroll.parentWidget()
        if scroll is not None:
            scroll.ensureWidgetVisible(row)

    def _edited(self, key: str) -> None:
        self._server_errors.pop(key, None)
        self._live.start()

    def _committed_field(self, key: str) -> None:
        self._committed.add(key)
        self._live.start()

    def refresh(self) -> None:
        """Apply ``show_if`` and the inline messages now."""
        self._live.stop()
        answers = self.answers()
        for row in self.rows.values():
            row.setVisible(is_visible(row.field, answers))
        try:
            clean_answers(self.form, answers, complete=False)
            live: dict[str, str] = {}
        except ValidationError as error:
            live = error.errors
        for key, row in self.rows.items():
            text = live.get(key) if key in self._committed else None
            row.set_message(text or self._server_errors.get(key))
        self.changed.emit()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
