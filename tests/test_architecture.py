"""The core never imports Qt: an import-linter contract, checked with every test run."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_does_not_import_qt():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The core never imports Qt KEPT" in result.stdout


def test_every_core_module_is_under_the_contract():
    """A new top-level module is checked too (passwords.py once escaped the list)."""
    import tomllib

    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    listed = set(contract["contracts"][0]["source_modules"])
    package = ROOT / "src" / "practice_rx"
    found = {f"practice_rx.{path.stem}" for path in package.glob("*.py")
             if path.stem != "__init__"}
    found |= {f"practice_rx.{path.name}" for path in package.iterdir()
              if (path / "__init__.py").exists() and path.name != "ui"}
    assert sorted(found - listed) == []
