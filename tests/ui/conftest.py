"""Qt tests run headless on a real SQLite database, with the user's folders out of reach."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported anywhere

from collections.abc import Iterator
from pathlib import Path

import pytest

from practice_rx.services.demo import DemoSize, fill
from practice_rx.settings import Settings
from practice_rx.startup import App, start


@pytest.fixture(autouse=True)
def private_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings and data files go to the test's folder, never the user's."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("PRACTICE_RX_DATABASE_URL", raising=False)


@pytest.fixture(autouse=True)
def no_windows_left(qtbot) -> Iterator[None]:
    """Windows a test opened through the app (logins, dialogs that delete themselves) go."""
    yield
    from PySide6.QtWidgets import QApplication

    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.hide()


def open_core(url: str, **options) -> App:
    """The core with only the built-in plugin unless ``discovered`` says otherwise."""
    options.setdefault("discovered", [])
    return start(url, Settings(), **options)


@pytest.fixture
def core(tmp_path: Path) -> Iterator[App]:
    """An empty practice: the national form and catalogue, no patients."""
    app = open_core(f"sqlite:///{tmp_path / 'ui.sqlite3'}")
    yield app
    app.close()


@pytest.fixture
def demo_core(tmp_path: Path) -> Iterator[App]:
    """A small populated practice (synthetic demo data)."""
    app = open_core(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    fill(app.services.db, DemoSize(patients=60, referrals=300, services=12))
    yield app
    app.close()


def make_window(app: App, qtbot, username: str = "dr.patel", role: str = "clinician", *,
                idle_lock_minutes: float | None = None):
    """The main window with ``username`` signed in directly (tests not about the login)."""
    from practice_rx.ui.main_window import MainWindow
    from practice_rx.ui.session import Session
    from tests.ui.helpers import settle

    user = app.services.users.ensure(username, username, role)
    session = Session(app, user)
    window = MainWindow(session, idle_lock_minutes=idle_lock_minutes)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot, session)
    return window


@pytest.fixture
def demo_core_on_each_backend(db_url: str) -> Iterator[App]:
    """The same small demo practice on SQLite and on the PostgreSQL server, in turn.

    For the screens whose safety rules touch the database most (choosing and
    recording chases, back-dated changes), so both backends are driven through Qt.
    """
    app = open_core(db_url)
    fill(app.services.db, DemoSize(patients=60, referrals=300, services=12))
    yield app
    app.close()


@pytest.fixture
def receptionist_window(demo_core_on_each_backend, qtbot):
    """The main window as the demo receptionist, on each backend."""
    from practice_rx.ui.operations import Operations

    main = make_window(demo_core_on_each_backend, qtbot, "reception.jones", "receptionist")
    yield main
    Operations.wait_for_all()


@pytest.fixture
def window(demo_core, qtbot):
    """The main window on demo data, as the demo receptionist."""
    from practice_rx.ui.operations import Operations

    main = make_window(demo_core, qtbot, "reception.jones", "receptionist")
    yield main
    Operations.wait_for_all()
