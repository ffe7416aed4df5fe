"""Every control on every screen has a name a screen reader can say."""

from __future__ import annotations

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
    window = make_window(demo_core, qtbot, "practice.admin", "admin")
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

    window = make_window(demo_core, qtbot, "practice.admin", "admin")
    for root in (window, window.open_settings(), window.open_catalogue()):
        for label in root.findChildren(QLabel):
            if "&" in label.text() and "&amp;" not in label.text():
                assert label.buddy() is not None, label.text()


def mnemonics(root: QWidget) -> list[str]:
    """The Alt+letter keys that visible labels, buttons and menus of a window answer to."""
    from PySide6.QtWidgets import QLabel, QMainWindow

    keys = []
    texts = [w.text() for w in root.findChildren(QLabel)
             if w.buddy() is not None and w.isVisible() and w.window() is root]
    texts += [w.text() for w in root.findChildren(QAbstractButton)
              if w.isVisible() and w.isEnabled() and w.window() is root]
    if isinstance(root, QMainWindow):
        texts += [action.text() for action in root.menuBar().actions()]
    for text in texts:
        plain = text.replace("&&", "")
        if "&" in plain and "&amp;" not in plain:
            keys.append(plain[plain.index("&") + 1].lower())
    return keys


def duplicates(keys: list[str]) -> set[str]:
    return {key for key in keys if keys.count(key) > 1}


def test_no_two_visible_controls_share_an_alt_key(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "practice.admin", "admin")
    session = window.session
    for status in ("draft", "contacted", "sent"):
        row = session.services.worklist.page(session.user.id, WorklistQuery(
            WorklistFilter(statuses=frozenset({status})))).rows[0]
        window.detail.show_referral(row.id)
        settle(qtbot, session)
        for tab in range(window.detail.tabs.count()):
            window.detail.tabs.setCurrentIndex(tab)
            assert duplicates(mnemonics(window)) == set(), (status, tab)
    assert duplicates(mnemonics(window.update_status())) == set()
    for dialog in (window.open_catalogue(), window.open_plugins(), window.open_settings(),
                   window.open_catalogue().add_local()):
        settle(qtbot, session)
        assert duplicates(mnemonics(dialog)) == set(), dialog.objectName()

    session.sign_in(session.services.users.ensure("dr.patel", "Dr Asha Patel", "clinician"))
    new = window.new_referral()
    qtbot.waitExposed(new)
    assert duplicates(mnemonics(new)) == set()
    new.patient_picker.add_patient()
    assert duplicates(mnemonics(new)) == set()
    new.patient_picker.back_to_search()
    from sqlalchemy import select

    from practice_rx.storage.models import Patient

    with session.services.db.reading() as db_session:
        patient = db_session.scalars(select(Patient).limit(1)).one()
    new._patient_chosen(patient)
    for step in range(4):
        new.go(step)
        settle(qtbot, session)
        assert duplicates(mnemonics(new)) == set(), step


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
