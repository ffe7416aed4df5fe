"""The command line starts light: nothing heavy is imported before a command needs it.

Every launch of the application goes through ``practice_rx.cli``; registering a
command once made it import the services, SQLAlchemy and the catalogue first.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "alembic", "reportlab", "PySide6", "practice_rx.services",
         "practice_rx.oruk.directory", "practice_rx.testing")


def test_importing_the_command_line_loads_nothing_heavy():
    probe = ("import sys, practice_rx.cli as cli; cli.build_parser(); "
             f"print([name for name in {HEAVY!r} if name in sys.modules])")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout


def test_making_the_services_loads_no_fhir_until_asked():
    probe = ("import sys; from practice_rx.services import Services; "
             "from practice_rx.storage.database import Database; "
             "services = Services(Database.open('sqlite://')); "
             "before = [n for n in ('pydantic', 'fhir.resources', 'practice_rx.fhir.bundle') "
             "if n in sys.modules]; "
             "fhir = services.fhir; print(before, fhir is services.fhir, "
             "'practice_rx.fhir.bundle' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == "[] True True", result.stdout + result.stderr


def test_the_main_window_loads_no_superqt_letters_or_pdf_viewer_until_asked():
    """superqt's full import, reportlab and pypdfium2 cost ~400 ms of start-up; the first
    page needs none of them (the pool workers are plain QRunnables)."""
    probe = ("import sys, practice_rx.ui.main_window, practice_rx.startup; "
             "print([n for n in ('superqt', 'qtpy', 'reportlab', 'pypdfium2', "
             "'practice_rx.letters.templates', 'fhir.resources', 'mesh_client', "
             "'PySide6.QtCharts') if n in sys.modules])")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_the_sign_in_screen_is_shown_before_the_database_layer_is_imported():
    """The login is up in about a bare window's time because it needs only Qt's widgets:
    SQLAlchemy, the services and the main window come in a thread behind it."""
    probe = ("import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'; "
             "from practice_rx.ui.app import qt_application; "
             "from practice_rx.ui.login import LoginDialog; "
             "application = qt_application(); login = LoginDialog(None, demo=True); "
             "login.show(); "
             "print([n for n in ('sqlalchemy', 'alembic', 'argon2', 'practice_rx.services', "
             "'practice_rx.storage', 'practice_rx.startup', 'practice_rx.ui.main_window', "
             "'superqt') if n in sys.modules])")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr
