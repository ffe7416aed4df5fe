"""The main window fits a practice PC: nothing cut off at 1366×768, 1280×720 or 1024×600.

The subprocess test in ``test_screen_fit`` opens the window on configured screens
(1920×1080 at 150% among them) and checks how it opens; this one resizes an open
window to each work area, with a long referral open on every tab, and checks that
every button is inside the window or inside a scroll area that reaches it.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QTabBar, QWidget

from tests.ui.conftest import make_window
from tests.ui.helpers import enclosing_scroll_area, settle
from tests.ui.selection_helpers import show_status

#: the work areas: each display less a 48 px taskbar and a 30 px title bar
SIZES = [(1366, 690), (1280, 642), (1024, 600)]


def rect_in(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())



def part_of_a_control(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QTabBar, QAbstractItemView)):
            return True
        parent = parent.parentWidget()
    return False


def cut_off(window: QWidget) -> list[str]:
    problems = []
    for button in window.findChildren(QAbstractButton):
        if not button.isVisible() or part_of_a_control(button) or button.window() is not window:
            continue
        name = button.text().replace("&", "") or button.accessibleName() or button.objectName()
        area = enclosing_scroll_area(button)
        if area is not None:  # reachable by scrolling: the area is in the window, and the
            # button is inside the area's content across (it scrolls only up and down)
            content = area.widget()
            inside = QRect(button.mapTo(content, QPoint(0, 0)), button.size())
            if not window.rect().contains(rect_in(area.viewport(), window)):
                problems.append(f"the scroll area round {name!r} is cut off")
            elif inside.right() > area.viewport().width() or inside.left() < 0:
                problems.append(f"{name!r} is off the side of its scroll area")
            continue
        rect, shown = rect_in(button, window), rect_in(button, window)
        parent = button.parentWidget()
        while parent is not None and parent is not window:
            shown &= rect_in(parent, window)
            parent = parent.parentWidget()
        if shown & window.rect() != rect:
            problems.append(f"{name!r} at {rect.x()},{rect.y()} {rect.width()}×{rect.height()} "
                            "is cut off")
    return problems


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_nothing_is_cut_off(size, demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    show_status(window, qtbot, "sent")  # the most buttons a referral offers a GP
    window.resize(*size)
    settle(qtbot, window.session)
    minimum = window.minimumSizeHint()
    assert minimum.width() <= size[0] and minimum.height() <= size[1]
    assert window.width() == size[0] and window.height() == size[1]
    assert window.statusBar().isVisible()
    assert window.rect().contains(rect_in(window.statusBar(), window))
    tabs = window.detail.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        qtbot.wait(20)
        assert cut_off(window) == [], f"tab {tabs.tabText(index)!r} at {size}"
    assert {"to_cancelled", "update_status"} <= {
        b.objectName() for b in window.detail.findChildren(QAbstractButton) if b.isVisible()}
    bar = tabs.tabBar()
    letters = tabs.indexOf(window.detail.letters)
    assert bar.rect().contains(bar.tabRect(letters)) or bar.usesScrollButtons()


def test_the_minimum_size_is_at_most_1024_by_600(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    show_status(window, qtbot, "sent")
    minimum = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert minimum.width() <= 1024 and minimum.height() <= 600
