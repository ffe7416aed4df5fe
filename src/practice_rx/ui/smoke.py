"""``practice-rx --smoke FOLDER``: prove an installed or bundled PracticeRx works, then exit.

Run after installing the wheel or copying the bundled folder onto a PC (and in CI, on
both): the things a broken install lacks are used for real. It opens the main window on a
fresh demo database (so the migrations are there and run), signed in as the demo GP, with
every built-in plugin loaded (a frozen app has no entry points to find them by), renders a
referral letter with the bundled fonts into FOLDER, closes the window (removing the demo
database) and exits 0. Any missing piece is an exception, so a non-zero exit. Only a demo
database is ever opened: ``--database`` must name one, as with ``--demo``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from practice_rx.ui.app import launch, qt_application


class SmokeFailed(RuntimeError):
    """A part of the install the smoke test needs is missing or broken."""


def smoke(args: argparse.Namespace) -> int:
    """The window on a demo database, one letter into ``args.smoke``, and out."""
    qt_application()
    try:
        return _smoke(args)
    except SmokeFailed as failed:
        print(f"practice-rx: smoke test failed: {failed}", file=sys.stderr)
        return 1


def _smoke(args: argparse.Namespace) -> int:
    from practice_rx import __version__
    from practice_rx.domain.demo_accounts import DEMO_USERNAME
    from practice_rx.services.worklist import WorklistQuery
    from practice_rx.storage.migrate import head_revision

    opened = launch(args.database, demo=True, sign_in_as=DEMO_USERNAME)
    try:
        QApplication.processEvents()
        if not opened.window.isVisible():
            raise SmokeFailed("the main window did not open")
        plugins = opened.app.plugins
        missing = [info.name for info in plugins.info()
                   if info.builtin and info.enabled and not info.loaded]
        if missing:
            raise SmokeFailed(f"built-in plugins not loaded: {', '.join(missing)}: "
                              + "; ".join(map(str, plugins.errors)))
        services = opened.app.services
        user = services.users.by_username(DEMO_USERNAME)
        rows = services.worklist.page(user.id, WorklistQuery(sort="id", descending=False,
                                                             page_size=1)).rows
        if not rows:
            raise SmokeFailed("the demo database has no referrals")
        letter = services.letters.generate(user.id, rows[0].id, "referral")
        folder = Path(args.smoke)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / letter.filename
        path.write_bytes(letter.pdf)
        loaded = sorted(info.name for info in plugins.info() if info.loaded)
        print(f"{path}  sha256 {letter.record.sha256}")
        print(f"PracticeRx {__version__} smoke test passed: main window shown, schema "
              f"{head_revision()}, plugins {', '.join(loaded)}, letter "
              f"{len(letter.pdf):,} bytes")
    finally:
        opened.close()
    return 0
