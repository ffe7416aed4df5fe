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
