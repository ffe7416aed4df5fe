"""Opening a window no larger than the screen it opens on.

A practice PC is often 1366×768, or 1920×1080 at 150% (1280×720 logical), less a
taskbar; a window's preferred size must give way to that, or its buttons end up
off the bottom of the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: room for the window manager's title bar and borders round a window
FRAME = QSize(16, 40)


def available(widget: QWidget) -> QSize:
    """The work area (screen less taskbar) of the screen ``widget`` opens on, less a frame."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry().size() - FRAME


def open_size(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` to ``width``×``height``, or to the screen if that is smaller."""
    widget.resize(QSize(width, height).boundedTo(available(widget)))
