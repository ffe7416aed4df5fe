"""The new-referral window fits a practice PC: every step scrolls inside, the buttons stay.

Sizes are logical pixels less a taskbar: 1366×768 and 1280×720 at 100%, and
1920×1080 at 150% (1280×720 logical), plus a 1024×600 netbook for margin.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QAbstractScrollArea, QPushButton, QWidget

from practice_rx.ui.new_referral import (
    FORM,
    FRAME_ALLOWANCE,
    PATIENT,
    REVIEW,
    SERVICE,
    NewReferralDialog,
    initial_size,
)
from tests.ui.conftest import make_window
from tests.ui.helpers import settle
from tests.ui.test_gp_journey import a_patient

TASKBAR = 40
SCREENS = {"1366x768": QSize(1366, 768), "1280x720": QSize(1280, 720),
           "1920x1080 at 150%": QSize(1280, 720), "1024x600": QSize(1024, 600)}


def available(screen: QSize) -> QRect:
    return QRect(0, 0, screen.width(), screen.height() - TASKBAR)


def client_size(screen: QSize) -> QSize:
    return available(screen).size() - FRAME_ALLOWANCE


def off_screen_buttons(dialog: QWidget) -> list[str]:
    """Visible push buttons not wholly inside the dialog, or scrolled out of their viewport."""
    outside = []
    for button in dialog.findChildren(QPushButton):
        if not button.isVisible() or button.window() is not dialog:
            continue
        rect = QRect(button.mapTo(dialog, button.rect().topLeft()), button.size())
        where = dialog.rect()
        parent = button.parentWidget()
        while parent is not None and parent is not dialog:
            if isinstance(parent, QAbstractScrollArea):
                viewport = parent.viewport()
                where = where.intersected(QRect(viewport.mapTo(dialog, viewport.rect().topLeft()),
                                                viewport.size()))
            parent = parent.parentWidget()
        if not where.contains(rect):
            outside.append(f"{button.text()!r} at {rect.getRect()} outside {where.getRect()}")
    return outside


def test_the_initial_size_is_clamped_to_the_screen():
    for screen in SCREENS.values():
        size = initial_size(available(screen))
        assert size.width() <= client_size(screen).width()
        assert size.height() <= client_size(screen).height()
    roomy = initial_size(QRect(0, 0, 2560, 1400))
    assert roomy == QSize(900, 760)  # a big screen gets the preferred size


def test_the_dialog_opens_inside_the_available_screen(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    dialog = window.new_referral()
    qtbot.waitExposed(dialog)
    screen = dialog.screen().availableGeometry()
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height()
    minimum = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
    assert minimum.width() <= 1000 and minimum.height() <= 600


@pytest.mark.parametrize("screen", list(SCREENS), ids=list(SCREENS))
def test_every_button_of_every_step_is_in_view(demo_core, qtbot, screen):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    session = window.session
    dialog: NewReferralDialog = window.new_referral()
    qtbot.waitExposed(dialog)
    size = client_size(SCREENS[screen])
    dialog.resize(size)
    qtbot.waitUntil(lambda: dialog.size() == size)

    def check(step: str) -> None:
        qtbot.wait(10)
        assert off_screen_buttons(dialog) == [], (screen, step)

    picker = dialog.patient_picker
    patient = a_patient(demo_core)
    picker.search.search.setText(patient.family_name)
    picker.search.find()
    settle(qtbot, session)
    assert picker.search.results.count() and picker.search.banner.isVisible()
    check("patient search, with the highlighted patient's banner")

    picker.add_patient()
    picker.form.save()  # every field's message shown at once
    settle(qtbot, session)
    assert picker.form.messages["nhs_number"].message
    check("add patient, every message shown")
    picker.back_to_search()

    dialog._patient_chosen(patient)
    settle(qtbot, session)
    assert dialog.patient_banner.isVisible()
    dialog.save(send=True)  # refused: messages beside the fields, on the form step
    settle(qtbot, session)
    assert dialog.step == FORM and dialog.renderer.first_error()
    check("form with messages")
    for step in (SERVICE, REVIEW, PATIENT):
        dialog.go(step)
        settle(qtbot, session)
        assert dialog.patient_banner.isVisible(), step
        check(f"step {step}")
