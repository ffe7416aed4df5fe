"""Every control on every screen has a name a screen reader can say."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from tests.ui.conftest import make_window
from tests.ui.helpers import settle
from tests.ui.screens import WINDOWS

CONTROLS = (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit,
            QPlainTextEdit, QTextEdit)


def part_of_another_control(widget: QWidget) -> bool:
    """A combo box's list, a spin box's line edit: named by the control they belong to."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QAbstractSpinBox, QComboBox, QTabBar)) or type(
                parent).__name__ in ("QComboBoxPrivateContainer", "QCalendarWidget"):
            return True
        parent = parent.parentWidget()
    return False


def unnamed(root: QWidget) -> list[str]:
    """Focusable controls with neither an accessible name nor a visible text of their own."""
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or part_of_another_control(widget):
            continue
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or widget.objectName().startswith(
                "qt_"):
            continue
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if not (widget.accessibleName() or text.replace("&", "").strip()):
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} in "
                           f"{type(widget.parentWidget()).__name__}")
    return missing


def test_every_screen_names_its_controls(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "admin", "admin")  # across the network
    session = window.session
    row = session.services.worklist.page(session.user.id, WorklistQuery(
        WorklistFilter(statuses=frozenset({"sent"})))).rows[0]
    window.detail.show_referral(row.id)
    settle(qtbot, session)
    assert unnamed(window) == []
    assert unnamed(window.update_status()) == []
    for dialog in (window.open_catalogue(), window.open_plugins(), window.open_settings()):
        settle(qtbot, session)
        assert unnamed(dialog) == [], dialog.objectName()
    add = window.open_catalogue().add_local()
    assert unnamed(add) == []

    clinician = session.services.users.ensure("dr.patel", "Dr Asha Patel", "clinician")
    session.sign_in(clinician)
    new = window.new_referral()
    new.patient_picker.add_patient()
    assert unnamed(new) == []


def test_labels_lead_to_their_fields(demo_core, qtbot):
    """Alt+letter on a label moves to its field: each label has a buddy."""
    from PySide6.QtWidgets import QLabel

    window = make_window(demo_core, qtbot, "admin", "admin")  # across the network
    for root in (window, window.open_settings(), window.open_catalogue()):
        for label in root.findChildren(QLabel):
            if "&" in label.text() and "&amp;" not in label.text():
                assert label.buddy() is not None, label.text()


def mnemonic(text: str) -> str | None:
    """The letter after a lone ``&`` (``&&`` is a literal ampersand), lower case."""
    plain = text.replace("&&", "")
    if "&" not in plain or "&amp;" in plain or plain.endswith("&"):
        return None
    return plain[plain.index("&") + 1].lower()


def mnemonics(root: QWidget) -> list[str]:
    """The Alt+letter keys a window answers to: buddied labels, buttons, tabs, group boxes
    and its menu bar, visible on the page showing (disabled ones too: they come back)."""
    from PySide6.QtWidgets import QGroupBox, QLabel, QMainWindow

    def here(widget: QWidget) -> bool:
        return widget.isVisible() and widget.window() is root

    texts = [w.text() for w in root.findChildren(QLabel) if w.buddy() is not None and here(w)]
    texts += [w.text() for w in root.findChildren(QAbstractButton) if here(w)]
    texts += [w.title() for w in root.findChildren(QGroupBox) if here(w)]
    for bar in root.findChildren(QTabBar):
        if here(bar):
            texts += [bar.tabText(i) for i in range(bar.count()) if bar.isTabVisible(i)]
    if isinstance(root, QMainWindow):
        texts += [action.text() for action in root.menuBar().actions() if action.isVisible()]
    return [key for key in map(mnemonic, texts) if key is not None]


def menu_clashes(root: QWidget) -> dict[str, set[str]]:
    """Within each menu of the menu bar, the items that share a key with another."""
    from PySide6.QtWidgets import QMainWindow

    if not isinstance(root, QMainWindow):
        return {}
    clashes = {}
    for action in root.menuBar().actions():
        if action.menu() is None:
            continue
        items = [item.text() for item in action.menu().actions()
                 if item.isVisible() and not item.isSeparator()]
        shared = duplicates([key for key in map(mnemonic, items) if key is not None])
        if shared:
            clashes[action.text()] = {item for item in items if mnemonic(item) in shared}
    return clashes


def duplicates(keys: list[str]) -> set[str]:
    return {key for key in keys if keys.count(key) > 1}


def test_no_two_visible_controls_share_an_alt_key(demo_core, qtbot):
    """The main window on referrals of several statuses, each tab of the pane."""
    window = make_window(demo_core, qtbot, "admin", "admin")  # across the network
    session = window.session
    for status in ("draft", "contacted", "sent"):
        row = session.services.worklist.page(session.user.id, WorklistQuery(
            WorklistFilter(statuses=frozenset({status})))).rows[0]
        window.detail.show_referral(row.id)
        settle(qtbot, session)
        for tab in range(window.detail.tabs.count()):
            window.detail.tabs.setCurrentIndex(tab)
            assert duplicates(mnemonics(window)) == set(), (status, tab)
    assert menu_clashes(window) == {}


@pytest.mark.parametrize("name", WINDOWS)
def test_every_window_and_step_has_unique_alt_keys(name, demo_core, qtbot):
    """Each top-level window, each page or step of it (add patient included), as opened."""
    window = WINDOWS[name](demo_core, qtbot).window()
    keys = mnemonics(window)
    assert duplicates(keys) == set(), f"{name}: {sorted(keys)}"
    assert menu_clashes(window) == {}, name


def test_sign_in_lock_audit_and_users_screens_are_named_and_keyboard_ready(demo_core, qtbot):
    from practice_rx.ui.idle_lock import LockDialog
    from practice_rx.ui.login import FirstAdminDialog, LoginDialog
    from practice_rx.ui.session import Session

    window = make_window(demo_core, qtbot, "admin", "admin")
    session = window.session
    users = window.open_users()
    settle(qtbot, session)
    users.select("dr.patel")
    screens = [window.open_audit(), users, users.add_user(), users.reset_password(),
               LoginDialog(Session(demo_core, demo=True)), LoginDialog(session),
               FirstAdminDialog(session), LockDialog(session, 10, window)]
    for screen in screens:
        if screen.parent() is None:
            qtbot.addWidget(screen)
        screen.show()
        qtbot.waitExposed(screen)
        settle(qtbot, session)
        assert unnamed(screen) == [], screen.objectName()
        assert duplicates(mnemonics(screen)) == set(), screen.objectName()
    screens[-1].dismiss()
