"""The main window's shortcuts win over a text box's own.

A QLineEdit claims Ctrl+U (delete to the start of the line on X11), Ctrl+Z and
others through a ShortcutOverride event; pressed in the Find box, Ctrl+U then
cleared the search instead of updating the status. This filter answers the
override for any key sequence one of the window's actions has, so the action
runs and the text stays as typed. Keys no action uses are left to the box.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget


class ActionShortcutsWin(QObject):
    """Installed on the application for one window; goes when the window does."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        QApplication.instance().installEventFilter(self)

    def claims(self, event: QKeyEvent) -> bool:
        """Whether one of the window's actions has this key sequence."""
        pressed = QKeySequence(event.keyCombination())
        return any(pressed.matches(shortcut) == QKeySequence.SequenceMatch.ExactMatch
                   for action in self._window.actions() for shortcut in action.shortcuts())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(watched, QWidget)
                and watched.window() is self._window and self.claims(event)):
            event.ignore()  # not overridden: the shortcut map triggers the action
            return True
        return False
