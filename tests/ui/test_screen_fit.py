"""Every window fits a practice PC's screen, and none of its buttons is off it.

How the screens are made: each target screen runs this module again in a
subprocess under Qt's offscreen platform with a config file giving that screen
(``offscreen:configfile=…``, a Qt 6 feature) and, for 150%, ``QT_SCALE_FACTOR``.
That is a real QScreen: the windows open, lay out, clamp and position themselves
against its available geometry exactly as the code asks Qt to, so the test checks
the app's own sizing rather than a size the test imposes. Resizing windows to a
given rect would not: it would hide a window that opens too big or whose
minimum size is larger than the screen. One screen per process because Qt's
screens are fixed when the application starts.

The offscreen screen has no taskbar or title bars, so each screen is configured as
the display less a 48 px taskbar (Windows 11 at 100%; 72 px at 150%), and every
window needs ``TITLE_BAR`` px more above it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QMargins, QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QScrollBar,
    QTabBar,
    QWidget,
)

from tests.ui.helpers import enclosing_scroll_area
from tests.ui.screens import WINDOWS

ROOT = Path(__file__).resolve().parents[2]
TITLE_BAR = 30
TASKBAR = 48
SCREEN_VARIABLE = "PRACTICE_RX_TEST_SCREEN"
THIS_SCREEN = os.environ.get(SCREEN_VARIABLE)
#: the words a footer button starts with: these must never scroll out of sight
FOOTER_WORDS = {"ok", "cancel", "close", "next", "back", "send", "save", "discard", "unlock",
                "sign", "create", "apply"}


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int
    scale: float = 1.0

    def config(self) -> dict:
        """The offscreen platform's screen: the display in device pixels, less the taskbar."""
        return {"screens": [{
            "name": self.name, "x": 0, "y": 0, "width": self.width,
            "height": self.height - round(TASKBAR * self.scale),
            "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}


SCREENS = [Screen("1366x768", 1366, 768), Screen("1280x720", 1280, 720),
           Screen("1920x1080-150", 1920, 1080, 1.5)]


def _inside_a_control(widget: QWidget) -> bool:
    """Tab bar arrows, a spin box's buttons, a table's corner: parts of another control."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QTabBar, QScrollBar, QComboBox, QAbstractSpinBox,
                               QCalendarWidget, QAbstractItemView)):
            return True
        parent = parent.parentWidget()
    return False



def _footer_button(button: QAbstractButton) -> bool:
    words = button.text().replace("&", "").split()
    in_box = isinstance(button.parentWidget(), QDialogButtonBox)
    return in_box or bool(words) and words[0].lower() in FOOTER_WORDS


def _rect_in(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def window_problems(window: QWidget) -> list[str]:
    """The window's minimum and opening size, and its place, against the screen's room."""
    available = window.screen().availableGeometry()
    room = available.size().shrunkBy(QMargins(0, TITLE_BAR, 0, 0))
    problems = []
    minimum = window.minimumSize().expandedTo(window.minimumSizeHint())
    if minimum.width() > room.width() or minimum.height() > room.height():
        problems.append(f"minimum size {minimum.width()}×{minimum.height()} is more than the "
                        f"screen's {room.width()}×{room.height()}")
    frame = window.frameGeometry()
    if frame.width() > room.width() or frame.height() > room.height():
        problems.append(f"opens at {frame.width()}×{frame.height()} on a screen with room for "
                        f"{room.width()}×{room.height()}")
    elif not available.contains(window.geometry()):
        inside = window.geometry()
        problems.append(f"opens at {inside.x()},{inside.y()} {inside.width()}×"
                        f"{inside.height()}: partly off the {available.width()}×"
                        f"{available.height()} screen")
    return problems


def button_problems(window: QWidget) -> list[str]:
    """Visible buttons cut off by the window, the screen or their own pane, or scrolling."""
    screen = window.screen().availableGeometry()
    problems = []
    for button in window.findChildren(QAbstractButton):
        if not button.isVisible() or button.window() is not window or _inside_a_control(
                button):
            continue
        name = button.text().replace("&", "") or button.accessibleName() or \
            button.objectName()
        if enclosing_scroll_area(button) is not None:
            if isinstance(window, QDialog) and _footer_button(button):
                problems.append(f"{name!r} is inside a scroll area, not in the footer")
            continue
        rect = _rect_in(button, window)
        shown = QRect(rect)
        parent = button.parentWidget()
        while parent is not None and parent is not window:
            shown &= _rect_in(parent, window)
            parent = parent.parentWidget()
        shown &= window.rect()
        on_screen = QRect(window.mapToGlobal(rect.topLeft()), rect.size())
        if shown != rect:
            problems.append(f"{name!r} at {rect.x()},{rect.y()} {rect.width()}×"
                            f"{rect.height()} is cut off by the window")
        elif not screen.contains(on_screen):
            problems.append(f"{name!r} is off the screen at {on_screen.x()},{on_screen.y()}")
        elif button.text() and not button.size().expandedTo(button.minimumSizeHint()) == \
                button.size():
            problems.append(f"{name!r} is squeezed to {button.width()}×{button.height()}, "
                            "smaller than its text")
    return problems


@pytest.mark.skipif(THIS_SCREEN is None, reason="runs inside test_every_window_fits")
@pytest.mark.parametrize("name", WINDOWS)
def test_window_fits_this_screen(name, demo_core, qtbot):
    opened = WINDOWS[name](demo_core, qtbot)
    qtbot.wait(50)  # layouts settle, late resizes land
    window = opened.window()
    problems = window_problems(window) + button_problems(window)
    assert problems == [], f"{name} on {THIS_SCREEN}: " + "; ".join(problems)


@pytest.mark.skipif(THIS_SCREEN is not None, reason="the subprocess checks one screen")
@pytest.mark.parametrize("screen", SCREENS, ids=lambda screen: screen.name)
def test_every_window_fits(screen: Screen, tmp_path: Path):
    """Each screen's own process opens every window in ``WINDOWS`` and checks it."""
    config = tmp_path / "screen.json"
    config.write_text(json.dumps(screen.config()), encoding="utf-8")
    env = {**os.environ, SCREEN_VARIABLE: screen.name,
           "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    env.pop("QT_SCALE_FACTOR", None)
    if screen.scale != 1.0:
        env["QT_SCALE_FACTOR"] = str(screen.scale)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(Path(__file__).relative_to(ROOT)), "-q",
         "-p", "no:cacheprovider", "-p", "no:randomly", "-k", "this_screen or what_they_say",
         "--tb=line", "-rf"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    failures = [line.partition("Error: ")[2] or line for line in result.stdout.splitlines()
                if line.startswith(("/", "ERROR")) and "Error" in line]
    assert result.returncode == 0 and "passed" in result.stdout, (
        "\n".join(failures) or result.stdout[-3000:] + result.stderr[-3000:])


@pytest.mark.skipif(THIS_SCREEN is None, reason="runs inside test_every_window_fits")
def test_the_screens_are_what_they_say(qapp):
    """The screen Qt reports is the one configured: else every check above is moot."""
    screen = next(s for s in SCREENS if s.name == THIS_SCREEN)
    available = QApplication.primaryScreen().availableGeometry()
    assert available.width() == round(screen.width / screen.scale)
    assert abs(available.height() - round((screen.height - TASKBAR * screen.scale)
                                          / screen.scale)) <= 1
