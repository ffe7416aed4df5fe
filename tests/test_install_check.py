"""The wheel a practice installs carries what the code reads from files (issue 18).

The full check (the wheel installed in a new venv, the bundled program run) is
``scripts/check_install.py``, run by CI as ``make wheel-check`` and ``make bundle-check``;
these tests prove its wheel listing catches a missing migration or font (H56).
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def check_install():
    spec = importlib.util.spec_from_file_location("check_install",
                                                  ROOT / "scripts" / "check_install.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def wheel(check_install, tmp_path_factory) -> Path:
    return check_install.build_wheel(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_holds_every_migration_font_and_plugin_file(check_install, wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert check_install.missing_from_wheel(wheel) == []
    versions = {name for name in names if name.startswith("practice_rx/_migrations/versions/")
                and name.endswith(".py")}
    assert len(versions) == len(list((ROOT / "migrations" / "versions").glob("*.py"))) >= 11
    assert not any(name.startswith(("tests/", "examples/", "bench/")) for name in names)


@pytest.mark.parametrize("left_out", ["practice_rx/_migrations/versions/0011",
                                      "practice_rx/_resources/fonts/DejaVuSans.ttf"])
def test_a_wheel_without_a_migration_or_a_font_fails_the_check(check_install, wheel, tmp_path,
                                                              left_out):
    """H56: a wheel that would open databases at an older schema, or print no letter."""
    doctored = tmp_path / wheel.name
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(doctored, "w") as target:
        for item in source.infolist():
            if not item.filename.startswith(left_out):
                target.writestr(item, source.read(item))
    missing = check_install.missing_from_wheel(doctored)
    assert missing and all(name.startswith(left_out) for name in missing)
