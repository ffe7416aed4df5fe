"""Waiting for work off the GUI thread, finding dialogs, typing like a person."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QScrollArea, QWidget

from practice_rx.ui.operations import Operations


def wait_idle(qtbot, session, timeout: int = 10_000) -> None:
    """Until every service call the UI started has finished and called back."""
    qtbot.waitUntil(lambda: not session.operations.busy, timeout=timeout)


def settle(qtbot, session, timeout: int = 10_000) -> None:
    """Idle, twice: callbacks may start more work (a reload after a save)."""
    wait_idle(qtbot, session, timeout)
    qtbot.wait(20)
    wait_idle(qtbot, session, timeout)


def finish(session) -> None:
    Operations.wait_for_all()


def key(widget: QWidget, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(widget, key, modifier)


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def type_into_focus(text: str) -> None:
    QTest.keyClicks(QApplication.focusWidget(), text)


def press(key_: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press sent where the keyboard focus is, as a person's would be."""
    QTest.keyClick(QApplication.focusWidget(), key_, modifier)


def message_box(parent: QWidget, name: str | None = None) -> QMessageBox | None:
    for box in parent.findChildren(QMessageBox):
        if box.isVisible() and (name is None or box.objectName() == name):
            return box
    return None


def top_level(kind, name: str | None = None):
    """The visible top-level window of this class (and object name), if one is open."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and widget.isVisible() and (
                name is None or widget.objectName() == name):
            return widget
    return None


def enclosing_scroll_area(widget: QWidget) -> QScrollArea | None:
    """The scroll area ``widget`` sits in, within its own window, if any."""
    parent = widget.parentWidget()
    while parent is not None and not parent.isWindow():
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None
