"""One editor per kind of form question (:class:`FieldType`), all with the same small API.

An editor gives its answer *as typed* (text for text, numbers and dates; True
or False; a code; a list of codes): the core's ``clean_answers`` checks and
normalises it, so the rules live in one place. ``changed`` fires on every edit,
``committed`` when the user has finished with the field (left it, or ticked a box).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from practice_rx.forms import OTHER_CODE, FieldType, FormField
from practice_rx.ui.widgets import labelled

Answer = object


class FieldEditor(QWidget):
    changed = Signal()
    committed = Signal()

    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field

    def value(self) -> Answer:
        raise NotImplementedError

    def set_value(self, value: Answer) -> None:
        raise NotImplementedError

    def extra_answers(self) -> dict[str, Answer]:
        """Answers kept under other keys (a coded reason's "other" text)."""
        return {}

    def set_extra_answers(self, answers: dict[str, Answer]) -> None:
        return None

    def focus_target(self) -> QWidget:
        return self

    def follow_on(self, focused: QWidget) -> QWidget | None:
        """A part of this question Enter visits before the next question, if any."""
        return None

    def _commit_on_focus_out(self, widget: QWidget) -> None:
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self.committed.emit()
        return False


class _OneWidgetEditor(FieldEditor):
    """An editor that is one text widget: laid out, focused, and watched the same way."""

    def _hold(self, edit: QLineEdit | QPlainTextEdit) -> None:
        self.edit = edit
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit)
        self.setFocusProxy(edit)
        edit.textChanged.connect(self.changed)
        self._commit_on_focus_out(edit)

    def focus_target(self) -> QWidget:
        return self.edit


class TextEditor(_OneWidgetEditor):
    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        edit = QLineEdit()
        if field.max_length:
            edit.setMaxLength(field.max_length)
        self._hold(edit)

    def value(self) -> str:
        return self.edit.text()

    def set_value(self, value: Answer) -> None:
        self.edit.setText("" if value is None else str(value))


class NumberEditor(TextEditor):
    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.edit.setMaximumWidth(200)
        self.layout().addStretch(1)
        self.edit.setInputMethodHints(Qt.InputMethodHint.ImhFormattedNumbersOnly)


class DateEditor(TextEditor):
    """A date typed as 24/11/2026 (or 2026-11-24); stored answers come back as ISO dates."""

    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.edit.setPlaceholderText("dd/mm/yyyy")
        self.edit.setMaximumWidth(200)
        self.layout().addStretch(1)

    def set_value(self, value: Answer) -> None:
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                pass
        if isinstance(value, date):
            value = f"{value.day:02d}/{value.month:02d}/{value.year}"
        super().set_value(value)


class LongTextEditor(_OneWidgetEditor):
    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)  # Tab moves on, as in every other field
        edit.setMinimumHeight(70)
        edit.setMaximumHeight(120)
        self._hold(edit)

    def value(self) -> str:
        return self.edit.toPlainText()

    def set_value(self, value: Answer) -> None:
        self.edit.setPlainText("" if value is None else str(value))


ARROWS_BACK = (Qt.Key.Key_Left, Qt.Key.Key_Up)
ARROWS_ON = (Qt.Key.Key_Right, Qt.Key.Key_Down)


def arrow_choice(buttons: list[QRadioButton], key: int) -> QRadioButton | None:
    """The radio button an arrow key chooses: the neighbour of the chosen one, or of the
    focused one when none is chosen yet; it stops at the ends (a yes/no never wraps round).

    Qt's own arrow handling only moves the focus while nothing is chosen, so each answer
    needed Right+Space; here the arrow itself chooses.
    """
    if key not in ARROWS_BACK + ARROWS_ON or not buttons:
        return None
    chosen = next((i for i, button in enumerate(buttons) if button.isChecked()), None)
    if chosen is None:
        focused = next((i for i, button in enumerate(buttons) if button.hasFocus()), 0)
        # from nothing chosen, Left/Up chooses the focused answer, Right/Down the next one
        step = 1 if key in ARROWS_ON else 0
        return buttons[min(focused + step, len(buttons) - 1)]
    step = 1 if key in ARROWS_ON else -1
    return buttons[max(0, min(chosen + step, len(buttons) - 1))]


class YesNoEditor(FieldEditor):
    """Two radio buttons, neither chosen at first: arrow keys or Y / N choose, no Space needed."""

    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.yes = QRadioButton("Yes")
        self.no = QRadioButton("No")
        for button, word in ((self.yes, "Yes"), (self.no, "No")):
            button.setAccessibleName(f"{field.label}: {word}")
            button.installEventFilter(self)
        self.group = QButtonGroup(self)
        self.group.addButton(self.yes)
        self.group.addButton(self.no)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.yes)
        layout.addWidget(self.no)
        layout.addStretch(1)
        self.setFocusProxy(self.yes)
        self.group.buttonToggled.connect(self._toggled)

    def _toggled(self, _button, checked: bool) -> None:
        if checked:
            self.changed.emit()
            self.committed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or event.modifiers() & ~(
                Qt.KeyboardModifier.KeypadModifier):
            return False
        if event.key() in (Qt.Key.Key_Y, Qt.Key.Key_N):
            button = self.yes if event.key() == Qt.Key.Key_Y else self.no
        else:
            button = arrow_choice([self.yes, self.no], event.key())
        if button is None:
            return False
        button.setChecked(True)
        button.setFocus()
        return True

    def value(self) -> bool | None:
        if self.yes.isChecked():
            return True
        if self.no.isChecked():
            return False
        return None

    def set_value(self, value: Answer) -> None:
        if isinstance(value, str):
            value = {"yes": True, "no": False}.get(value.lower())
        if value is True:
            self.yes.setChecked(True)
        elif value is False:
            self.no.setChecked(True)
        else:
            self.group.setExclusive(False)
            self.yes.setChecked(False)
            self.no.setChecked(False)
            self.group.setExclusive(True)

    def focus_target(self) -> QWidget:
        return self.no if self.no.isChecked() else self.yes


class SingleChoiceEditor(FieldEditor):
    """A drop-down list; type the first letters of a choice to pick it."""

    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.combo = QComboBox()
        self.combo.addItem("Choose…", None)
        for choice in field.choices:
            self.combo.addItem(choice.label, choice.code)
        self.combo.setMinimumContentsLength(18)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addStretch(1)
        self.setFocusProxy(self.combo)
        self.combo.currentIndexChanged.connect(lambda _: (self.changed.emit(),
                                                          self.committed.emit()))

    def value(self) -> str | None:
        return self.combo.currentData()

    def set_value(self, value: Answer) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(value)) if value else 0)

    def focus_target(self) -> QWidget:
        return self.combo


class MultipleChoiceEditor(FieldEditor):
    """A tick box per choice, in two columns."""

    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.boxes: dict[str, QCheckBox] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        rows = (len(field.choices) + 1) // 2
        for index, choice in enumerate(field.choices):
            box = QCheckBox(choice.label)
            box.setAccessibleName(f"{field.label}: {choice.label}")
            box.toggled.connect(self._toggled)
            self.boxes[choice.code] = box
            grid.addWidget(box, index % rows, index // rows)
        self._layout.addLayout(grid)
        if self.boxes:
            self.setFocusProxy(next(iter(self.boxes.values())))

    def _toggled(self, _checked: bool) -> None:
        self.changed.emit()
        self.committed.emit()

    def value(self) -> list[str]:
        return [code for code, box in self.boxes.items() if box.isChecked()]

    def set_value(self, value: Answer) -> None:
        chosen = set(value) if isinstance(value, (list, tuple, set)) else set()
        for code, box in self.boxes.items():
            box.setChecked(code in chosen)

    def focus_target(self) -> QWidget:
        return next(iter(self.boxes.values()), self)


class CodedReasonEditor(MultipleChoiceEditor):
    """Coded reasons; choosing Other asks for its details, kept under ``<key>_other``."""

    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.other = QLineEdit()
        if field.max_length:
            self.other.setMaxLength(field.max_length)
        other_label = field.choice_label(OTHER_CODE)
        self.other_label = labelled(f"{other_label} – give details:", self.other,
                                    name=f"{field.label}: details of {other_label.lower()}")
        row = QHBoxLayout()
        row.addWidget(self.other_label)
        row.addWidget(self.other, 1)
        self._layout.addLayout(row)
        self.other.textChanged.connect(self.changed)
        self._commit_on_focus_out(self.other)
        other_box = self.boxes.get(OTHER_CODE)
        if other_box is not None:
            # the details follow the Other box in the tab order
            self.setTabOrder(other_box, self.other)
        self._show_other()

    def _toggled(self, checked: bool) -> None:
        self._show_other()
        super()._toggled(checked)

    def _show_other(self) -> None:
        chosen = OTHER_CODE in self.value()
        self.other.setVisible(chosen)
        self.other_label.setVisible(chosen)

    def follow_on(self, focused: QWidget) -> QWidget | None:
        """With Other ticked, Enter goes on to its details before the next question."""
        return self.other if self.other.isVisible() and focused is not self.other else None

    def extra_answers(self) -> dict[str, Answer]:
        key = self.field.other_text_key
        return {key: self.other.text()} if key and OTHER_CODE in self.value() else {}

    def set_extra_answers(self, answers: dict[str, Answer]) -> None:
        key = self.field.other_text_key
        if key and answers.get(key):
            self.other.setText(str(answers[key]))


EDITORS: dict[FieldType, type[FieldEditor]] = {
    FieldType.TEXT: TextEditor,
    FieldType.LONG_TEXT: LongTextEditor,
    FieldType.NUMBER: NumberEditor,
    FieldType.DATE: DateEditor,
    FieldType.YES_NO: YesNoEditor,
    FieldType.SINGLE_CHOICE: SingleChoiceEditor,
    FieldType.MULTIPLE_CHOICE: MultipleChoiceEditor,
    FieldType.CODED_REASON: CodedReasonEditor,
}


def editor_for(field: FormField) -> FieldEditor:
    editor = EDITORS[field.type](field)
    editor.setAccessibleName(field.label)
    target = editor.focus_target()
    if target is not editor and field.type not in (FieldType.YES_NO, FieldType.MULTIPLE_CHOICE,
                                                   FieldType.CODED_REASON):
        target.setAccessibleName(field.label)
    if field.help:
        target.setAccessibleDescription(field.help)
    return editor
