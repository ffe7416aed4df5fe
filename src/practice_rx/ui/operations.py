"""Running service calls off the GUI thread (``QThreadPool`` workers), as Anki's operations do.

Each call runs in a pool thread; the services open their own database session
for it. Results and errors come back on the GUI thread, to callbacks that are
dropped if the widget that asked has been closed meanwhile. :class:`Operations`
counts what is running, so the main window can show a progress indicator.

A plain ``QRunnable`` rather than superqt's workers: importing ``superqt.utils``
imports all of superqt (qtpy and its widgets), about 125 ms of start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Signals(QObject):
    """Made on the GUI thread, so what the pool thread emits arrives there."""

    returned = Signal(object)
    errored = Signal(object)
    finished = Signal()


class Worker(QRunnable):
    """One call in a pool thread; its outcome comes back through :attr:`signals`."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python keeps it: the signals must outlive run()
        self.signals = _Signals()
        self._call = (function, args)

    def run(self) -> None:
        function, args = self._call
        try:
            result = function(*args)
        except Exception as error:  # noqa: BLE001 (handed to the GUI thread, which says it)
            self.signals.errored.emit(error)
        else:
            self.signals.returned.emit(result)
        finally:
            self.signals.finished.emit()


class Operations(QObject):
    """Starts workers and reports whether any is still running."""

    #: (busy, what is running) whenever work starts or the last piece ends
    busy_changed = Signal(bool, str)
    #: a message for an error nobody else handled
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[int, str] = {}
        self._workers: dict[int, Worker] = {}
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
    ) -> Worker:
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
            self._workers.pop(ticket, None)
            if shiboken6.isValid(self):
                self.busy_changed.emit(self.busy, next(iter(self._running.values()), ""))

        worker = Worker(function, *args)
        worker.signals.returned.connect(on_returned)
        worker.signals.errored.connect(on_errored)
        worker.signals.finished.connect(on_finished)
        self._running[ticket] = message
        self._workers[ticket] = worker
        self.busy_changed.emit(True, message)
        QThreadPool.globalInstance().start(worker)
        return worker

    @staticmethod
    def wait_for_all(msecs: int = 5000) -> None:
        """At exit: let running work finish (each call is short) before the database closes."""
        if not QThreadPool.globalInstance().waitForDone(msecs):
            log.warning("some work did not finish within %d ms", msecs)
