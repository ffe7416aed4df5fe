"""Starting the Qt application: ``practice-rx`` and ``practice-rx --demo``.

``practice-rx`` shows the login as soon as Qt's widgets are loaded, while the core
(database, migrations, plugins) is imported and started in a background thread
(:mod:`practice_rx.ui.starting`); a new database nobody can sign in to yet gets the
"first admin" dialog in its place. The main window follows once somebody has signed
in. :func:`launch` (for tools and tests) does the same in order, behind a small
"opening" window. ``--demo`` opens a fresh
SQLite database in a temporary folder, filled with synthetic data (and marked as
a demo database) and removed when the application closes, so a new user sees a
populated worklist at once and nothing of theirs is touched; its login is filled
in with the demo GP. ``--demo --database URL`` opens only a demo database.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel

if TYPE_CHECKING:  # the core is imported once the opening window is up
    from practice_rx.launch_request import LaunchRequest
    from practice_rx.startup import App
    from practice_rx.ui.launch.one_copy import RunningCopy
    from practice_rx.ui.main_window import MainWindow
    from practice_rx.ui.session import Session
    from practice_rx.ui.starting import Starting


@dataclass
class Opened:
    """What :func:`open_app` started, and what to tidy when it closes."""

    app: App
    session: Session
    window: MainWindow
    temporary: list[Path] = field(default_factory=list)

    def close(self) -> None:
        from practice_rx.ui.operations import Operations

        Operations.wait_for_all()
        self.window.close()
        self.window.deleteLater()
        self.app.close()
        for path in self.temporary:
            shutil.rmtree(path, ignore_errors=True)


def qt_application() -> QApplication:
    application = QApplication.instance() or QApplication(sys.argv[:1])
    application.setApplicationName("PracticeRx")
    application.setApplicationDisplayName("PracticeRx")
    application.setOrganizationName("PracticeRx")
    return application


def opening_window(text: str) -> QLabel:
    """A plain "opening…" window, shown while the database and plugins start.

    A frameless label rather than QSplashScreen, which waits up to a second for
    the window system to confirm it is exposed.
    """
    window = QLabel(f"<span style='font-size:20pt; font-weight:bold'>PracticeRx</span>"
                    f"<br><br>{text}")
    window.setWindowFlags(Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
    window.setStyleSheet("background: #005eb8; color: white; padding: 24px;")  # NHS blue
    window.setMinimumWidth(420)
    window.setAccessibleName("PracticeRx is opening")
    window.setAccessibleDescription(text)
    window.show()
    QApplication.processEvents()
    return window


def demo_database(size=None) -> tuple[str, Path]:
    """A new SQLite database of synthetic data in a temporary folder: (URL, folder)."""
    from practice_rx.services.demo import DemoSize, fill
    from practice_rx.startup import start

    folder = Path(tempfile.mkdtemp(prefix="practice-rx-demo-"))
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    app = start(url)  # installs the forms the demo data is written on
    try:
        fill(app.services.db, size or DemoSize())
    finally:
        app.close()
    return url, folder


def _refuse_unless_demo(app: App) -> None:
    """``--demo`` with ``--database``: only a demo database may be shown as one (its login
    screen gives the published demo password)."""
    from practice_rx.services.demo_guard import DemoRefused, is_demo_database

    with app.services.db.connect() as connection:
        if is_demo_database(connection):
            return
    raise DemoRefused(f"{app.services.db.url} is not a demo database. practice-rx --demo "
                      "makes its own: leave out --database.")


@dataclass
class Core:
    """What :func:`open_core` opened off the GUI thread, for :func:`build_window` to show."""

    app: App
    needs_first_admin: bool
    temporary: list[Path] = field(default_factory=list)


def open_core(database_url: str | None = None, *, demo: bool = False,
              **start_options) -> Core:
    """Import and start the core (migrating the database): no widget is made here, so this
    may run in a background thread while the login is shown."""
    from practice_rx.startup import start
    from practice_rx.ui import main_window  # noqa: F401 - imported here, built on the GUI thread

    temporary: list[Path] = []
    if demo and database_url is None:
        database_url, folder = demo_database()
        temporary.append(folder)
    try:
        app = start(database_url, **start_options)
    except Exception:
        for path in temporary:
            shutil.rmtree(path, ignore_errors=True)
        raise
    try:
        if demo and not temporary:
            _refuse_unless_demo(app)
        needed = app.services.users.needs_first_admin()
    except Exception:
        app.close()
        raise
    return Core(app, needed, temporary)


def build_window(core: Core, *, demo: bool = False, session: Session | None = None) -> Opened:
    """The session and the main window (not yet shown; nobody signed in yet): GUI thread."""
    from practice_rx.ui.main_window import MainWindow
    from practice_rx.ui.session import Session

    try:
        session = Session(core.app, demo=demo) if session is None else session
        window = MainWindow(session)
    except Exception:
        core.app.close()
        raise
    return Opened(core.app, session, window, core.temporary)


def open_app(database_url: str | None = None, *, demo: bool = False, **start_options) -> Opened:
    """Start the core and build the main window (not yet shown; nobody signed in yet)."""
    return build_window(open_core(database_url, demo=demo, **start_options), demo=demo)


def launch(database_url: str | None, demo: bool = False,
           opening_shown: Callable[[QLabel], None] | None = None,
           sign_in_as: str | None = None) -> Opened:
    """The opening window, then the core, then the login in its place.

    ``sign_in_as`` (a username; for tools such as the start-up benchmark, which hold the
    database anyway) skips the login and shows the main window for that user.
    """
    splash = opening_window("Preparing demo data…" if demo else "Opening the database…")
    if opening_shown is not None:
        opening_shown(splash)
    try:
        opened = open_app(database_url, demo=demo)
        if sign_in_as is not None:
            user = opened.app.services.users.by_username(sign_in_as)
            if user is None:
                opened.close()
                raise LookupError(f"No user called {sign_in_as!r} in this database")
            opened.session.sign_in(user)
            opened.window.show()
        else:
            try:  # asked now, while the opening window is up, so the right dialog comes next
                needed = opened.app.services.users.needs_first_admin()
                opened.window.ask_sign_in(first_admin=needed)
            except Exception:
                opened.close()
                raise
    finally:
        splash.close()
    return opened


def run(args: argparse.Namespace) -> int:
    """The ``practice-rx`` command with no sub-command (or ``refer``): the login at once,
    then the window; or, when a copy is running already, the request handed to it.

    The database opens behind the login (:mod:`practice_rx.ui.starting`); a problem
    opening it is said on the login.
    """
    from practice_rx.launch_request import request_for, server_name
    from practice_rx.settings import Settings
    from practice_rx.ui.launch.one_copy import RunningCopy
    from practice_rx.ui.starting import Starting

    demo = bool(getattr(args, "demo", False))
    url = args.database or (None if demo else Settings.load().resolved_database_url())
    request = request_for(getattr(args, "nhs_number", None), url, demo)
    application = qt_application()
    copy = RunningCopy(server_name())
    if not copy.claim():
        from practice_rx.ui.launch.one_copy import hand_over

        reply = hand_over(request, copy.name)
        print(f"practice-rx: {reply.message}", file=sys.stdout if reply.ok else sys.stderr)
        return 0 if reply.ok else 1
    starting = Starting(args.database, demo=demo)
    starting.cancelled.connect(application.quit)
    starting.start()
    QTimer.singleShot(0, lambda: take_requests(copy, starting, request))
    from practice_rx.ui import messages

    sys.excepthook = messages.unexpected_error  # a fault in a screen is said, not swallowed
    stop_on_signals()
    try:
        return application.exec()
    finally:
        starting.close()
        copy.close()


def take_requests(copy: RunningCopy, starting: Starting, request: LaunchRequest) -> None:
    """Once the login is on screen: serve this launch's request and later launches'.

    ``PRACTICE_RX_TEST_DEMO_USER`` (the two-process tests; honoured with ``--demo`` only)
    signs that demo user in with the published demo password, and lets ``state`` be asked.
    """
    from practice_rx.ui.launch.requests import TEST_DEMO_USER, LaunchRequests

    test_user = os.environ.get(TEST_DEMO_USER) if starting.demo else None
    requests = LaunchRequests(request.database, starting.demo, answers_state=bool(test_user),
                              parent=copy)
    starting.opened.connect(requests.attach)
    if starting.result is not None:
        requests.attach(starting.result)
    requests.add(request)
    copy.listen(requests.answer)
    if test_user and shiboken6.isValid(starting.login) and starting.login.isVisible():
        starting.login.username.setText(test_user)
        starting.login.submit()


def stop_on_signals() -> None:
    """Ctrl+C or a polite kill closes the window normally, so a demo database is removed."""
    application = QApplication.instance()
    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda *_: QApplication.closeAllWindows())
    # Python runs signal handlers only between bytecodes: let it run now and then.
    ticker = QTimer(application, interval=300)
    ticker.timeout.connect(lambda: None)
    ticker.start()
