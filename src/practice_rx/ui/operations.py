"""Running service calls off the GUI thread (superqt workers), as Anki's operations do.

Each call runs in a pool thread; the services open their own database session
for it. Results and errors come back on the GUI thread, to callbacks that are
dropped if the widget that asked has been closed meanwhile. :class:`Operations`
counts what is running, so the main window can show a progress indicator.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal
from superqt.utils import WorkerBase, create_worker

log = logging.getLogger(__name__)


class Operations(QObject):
    """Starts workers and reports whether any is still running."""

    #: (busy, what is running) whenever work starts or the last piece ends
    busy_changed = Signal(bool, str)
    #: a message for an error nobody else handled
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[int, str] = {}
        self._next = 0

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def run(
        self,
        function: Callable[..., Any],
        *args: Any,
        done: Callable[[Any], None] | None = None,
        failed: Callable[[Exception], None] | None = None,
        owner: QObject | None = None,
        message: str = "Working…",
    ) -> WorkerBase:
        """Call ``function(*args)`` in a pool thread, then ``done(result)`` or ``failed(error)``.

        Neither callback runs if ``owner`` has been deleted by then. An error with
        no ``failed`` callback is logged and announced through :attr:`failed`.
        """
        self._next += 1
        ticket = self._next

        def alive() -> bool:
            return owner is None or shiboken6.isValid(owner)

        def on_returned(result: Any) -> None:
            if done is not None and alive():
                done(result)

        def on_errored(error: Exception) -> None:
            if failed is not None:
                if alive():
                    failed(error)
                return
            log.error("%s failed", message, exc_info=error)
            self.failed.emit(f"{message.rstrip('…')} failed: {error}")

        def on_finished() -> None:
            self._running.pop(ticket, None)
            if shiboken6.isValid(self):
                self.busy_changed.emit(self.busy, next(iter(self._running.values()), ""))

        worker = create_worker(function, *args, _start_thread=False, _ignore_errors=True)
        worker.returned.connect(on_returned)
        worker.errored.connect(on_errored)
        worker.finished.connect(on_finished)
        self._running[ticket] = message
        self.busy_changed.emit(True, message)
        worker.start()
        return worker

    @staticmethod
    def wait_for_all(msecs: int = 5000) -> None:
        """At exit: let running work finish (each call is short) before the database closes."""
        try:
            WorkerBase.await_workers(msecs)
        except RuntimeError:
            log.warning("some work did not finish within %d ms", msecs)
