"""The sign-in screen first, the database behind it: how ``practice-rx`` starts quickly.

The login needs only Qt's widgets, so it is on screen (and taking the password)
in about the time a bare window takes; SQLAlchemy, the migrations, the plugins
and the main window's modules are imported and the database opened in a
background thread meanwhile (:func:`practice_rx.ui.app.open_core`, which makes
no widget). The main window is built on the GUI thread once that is done, and
the login is handed to it. Sign in pressed before then waits for the database
(:meth:`LoginDialog.attach`); a database that cannot be opened (a bad URL, a
schema newer than this PracticeRx) is said on the login, which then cannot sign in.
"""

from __future__ import annotations

import shutil
import threading
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

from practice_rx.ui.login import LoginDialog

if TYPE_CHECKING:
    from practice_rx.ui.app import Core, Opened

ELSEWHERE = ("To use another database, start PracticeRx with --database URL, set "
             "PRACTICE_RX_DATABASE_URL, or edit database_url in the settings file. To try "
             "PracticeRx on synthetic data, run practice-rx --demo.")


class Starting(QObject):
    """Shows the login now and opens the core in a thread; hands the login over after."""

    #: the main window is built (not shown; the login belongs to it now): an :class:`Opened`
    opened = Signal(object)
    #: the database could not be opened; the text shown on the login
    failed = Signal(str)
    #: the person closed the login (before or after the database opened)
    cancelled = Signal()

    _core_ready = Signal(object)  # from the thread, queued to the GUI thread
    _core_failed = Signal(object)

    def __init__(self, database_url: str | None, *, demo: bool = False,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database_url = database_url
        self.demo = demo
        self.result: Opened | None = None
        self._core: Core | None = None
        self.login = LoginDialog(None, demo=demo)
        self.login.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.login.rejected.connect(self.cancelled)
        self._core_ready.connect(self._ready, Qt.ConnectionType.QueuedConnection)
        self._core_failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self._thread = threading.Thread(target=self._open, name="practice-rx-open",
                                        daemon=True)

    def start(self) -> LoginDialog:
        """Show the login, then start opening the database behind it."""
        self.login.show()
        self.login.raise_()
        self.login.activateWindow()
        self._thread.start()
        return self.login

    def _open(self) -> None:
        from practice_rx.ui.app import open_core

        try:
            self._core = open_core(self.database_url, demo=self.demo)
        except Exception as error:  # noqa: BLE001 (said on the login, on the GUI thread)
            self._core_failed.emit(error)
        else:
            self._core_ready.emit(self._core)

    def _failed(self, error: Exception) -> None:
        from practice_rx.ui import messages

        if not shiboken6.isValid(self.login):  # closed meanwhile: the application is ending
            return
        text = f"{messages.describe(error)[1]}\n\n{ELSEWHERE}"
        self.login.cannot_open(text)
        self.failed.emit(text)

    def _ready(self, core: Core) -> None:
        from practice_rx.ui.app import build_window
        from practice_rx.ui.session import Session

        if not shiboken6.isValid(self.login):  # closed meanwhile: close() closes the core
            return
        session = Session(core.app, demo=self.demo)
        if not core.needs_first_admin:  # a Sign in already pressed is checked (in a pool
            self.login.attach(session)  # thread) while the main window is built here
        try:
            opened = build_window(core, demo=self.demo, session=session)
        except Exception as error:  # noqa: BLE001 (said on the login, as an open that failed)
            self._failed(error)
            return
        self.result = opened
        self.login.rejected.disconnect(self.cancelled)
        opened.window.sign_in_cancelled.connect(self.cancelled)
        if core.needs_first_admin:  # a new database: its first admin comes before any login
            self.login.close()
            opened.window.ask_sign_in(first_admin=True)
        else:  # the login's answer is queued: it arrives after this, to the window's flow
            opened.window.ask_sign_in(login=self.login)
        self.opened.emit(opened)

    def wait(self, seconds: float = 30) -> None:
        """At exit: let the opening finish, so the database is closed, not abandoned."""
        if self._thread.is_alive():
            self._thread.join(seconds)

    def close(self) -> None:
        """Close what was opened (the main window, the database, a demo folder)."""
        self.wait()
        if self.result is not None:
            self.result.close()
        elif self._core is not None:  # opened, but the application ended before its window
            self._core.app.close()
            for path in self._core.temporary:  # a demo database made meanwhile
                shutil.rmtree(path, ignore_errors=True)
