"""Turning service errors into messages people can act on, and showing them.

Message boxes are opened window-modal and non-blocking (``open()``, not
``exec()``), so work in progress carries on and tests can find and answer them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from practice_rx.errors import (
    ConflictError,
    DatabaseError,
    NotFoundError,
    PermissionDenied,
    PracticeRxError,
    TransitionError,
    ValidationError,
)

log = logging.getLogger(__name__)

CONFLICT_TITLE = "Changed on another workstation"


def describe(error: BaseException) -> tuple[str, str]:
    """(title, text) for an error from the services, or for an unexpected one."""
    if isinstance(error, ConflictError):
        return CONFLICT_TITLE, str(error)
    if isinstance(error, ValidationError):
        return "Check these answers", "\n".join(error.errors.values())
    if isinstance(error, TransitionError):
        return "That status change is not possible", str(error)
    if isinstance(error, PermissionDenied):
        return "Not allowed for your role", (
            f"{error}.\n\nAsk a colleague whose role allows it, or your practice admin.")
    if isinstance(error, NotFoundError):
        return "Not found", f"{error}. It may have been removed on another workstation."
    if isinstance(error, DatabaseError):
        return "Cannot reach the database", (
            f"{error}\n\nNothing you typed has been lost; try again when the database is "
            "available, or check the database URL in Settings.")
    if isinstance(error, PracticeRxError):
        return "PracticeRx", str(error)
    log.error("unexpected error", exc_info=error)
    return "Something went wrong", (
        f"{type(error).__name__}: {error}\n\nNothing you typed has been lost. If this happens "
        "again, tell your practice's IT contact.")


def show(parent: QWidget | None, title: str, text: str,
         icon: QMessageBox.Icon = QMessageBox.Icon.Information, *,
         object_name: str = "message") -> QMessageBox:
    """Open a window-modal message box without blocking; it deletes itself when closed."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName(object_name)
    box.setAccessibleName(title)
    box.setAccessibleDescription(text)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def show_error(parent: QWidget | None, error: BaseException) -> QMessageBox:
    title, text = describe(error)
    name = "conflict" if isinstance(error, ConflictError) else "error"
    return show(parent, title, text, QMessageBox.Icon.Warning, object_name=name)


class FieldMessageLike(Protocol):
    def set_message(self, text: str | None) -> None: ...


def show_beside_fields(error: BaseException, messages: Mapping[str, FieldMessageLike],
                       inputs: Mapping[str, QWidget], problem: Callable[[str | None], None],
                       order: Iterable[str] | None = None) -> QWidget | None:
    """Each field's message beside its field and the rest in ``problem``; focus the first.

    Any other error goes to ``problem`` as a whole. Returns the input focused, if any.
    """
    if not isinstance(error, ValidationError):
        problem(describe(error)[1])
        return None
    for key, message in messages.items():
        message.set_message(error.errors.get(key))
    rest = [text for key, text in error.errors.items() if key not in messages]
    problem("; ".join(rest) or None)
    first = next((key for key in (order or inputs) if key in error.errors and key in inputs),
                 None)
    if first is None:
        return None
    inputs[first].setFocus()
    return inputs[first]


def ask_discard(parent: QWidget, title: str, text: str,
                discard: Callable[[], None]) -> QMessageBox:
    """Ask before throwing away what was typed; "Keep editing" is the default answer."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                      parent)
    box.setObjectName("discard")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Discard).setText("&Discard")
    box.button(QMessageBox.StandardButton.Cancel).setText("&Keep editing")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(lambda button: button == QMessageBox.StandardButton.Discard
                         and discard())
    box.open()
    return box


def unexpected_error(kind: type[BaseException], error: BaseException, trace) -> QMessageBox:
    """``sys.excepthook`` for the application: an error in a screen's own code is said on
    screen and logged, instead of the action silently doing nothing.

    The log gets the traceback (code locations and the error's words; services'
    errors never carry patient identifiers), the screen a plain sentence.
    """
    log.error("Unexpected error in the application", exc_info=(kind, error, trace))
    box = QMessageBox(QMessageBox.Icon.Warning, "Something went wrong",
                      "That did not finish because of a fault in PracticeRx "
                      f"({kind.__name__}). Check the referral you were working on before "
                      "trying again; what you typed elsewhere is kept. The details are in "
                      "the log for your IT support.", QMessageBox.StandardButton.Ok,
                      QApplication.activeWindow())
    box.setObjectName("unexpected_error")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
