"""``practice-rx plugins new``: the plugin it writes installs and passes its own tests.

The slow test installs the generated plugin into a folder of its own (never
into this project's environment, whose entry points other tests discover) and
runs its tests and ``practice-rx plugins`` in a subprocess that sees it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from practice_rx.cli import main
from practice_rx.errors import ValidationError
from practice_rx.scaffold import PluginNames, api_range, new_plugin


@pytest.mark.parametrize("name", ["My-Area", "1area", "my area", "area_", "a__b", "", "ärea"])
def test_a_bad_name_is_refused_naming_the_argument_and_what_it_must_be(name, tmp_path):
    with pytest.raises(ValidationError) as caught:
        new_plugin(name, tmp_path / "plugin")
    assert str(caught.value).startswith("NAME: ")
    assert "lower-case letters, digits" in str(caught.value)
    assert not (tmp_path / "plugin").exists()


def test_the_built_in_plugin_name_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="NAME: 'national' is the name of a plugin"):
        new_plugin("national", tmp_path / "plugin")


def test_a_folder_with_something_in_it_is_refused_untouched(tmp_path):
    target = tmp_path / "plugin"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    assert main(["plugins", "new", "my_area", "--dir", str(target)]) == 2
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert (target / "notes.txt").read_text() == "mine"


def test_the_names_follow_from_the_name_typed():
    names = PluginNames.from_name("leeds-north")
    assert (names.plugin, names.package, names.distribution, names.title) == (
        "leeds_north", "practice_rx_leeds_north", "practice-rx-leeds-north", "Leeds North")


def test_the_package_declares_its_entry_point_api_range_and_the_warning_channel(tmp_path,
                                                                                 capsys):
    target = tmp_path / "plugin"
    target.mkdir()  # an empty folder is fine
    assert main(["plugins", "new", "leeds-north", "--dir", str(target)]) == 0
    assert "pip install -e" in capsys.readouterr().out
    project = tomllib.loads((target / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["practice_rx"] == {
        "leeds_north": "practice_rx_leeds_north"}
    assert project["project"]["dependencies"] == ["practice-rx>=0.1"]
    assert project["tool"]["pytest"]["ini_options"]["practice_rx_plugins"] == ["leeds_north"]
    code = (target / "src/practice_rx_leeds_north/__init__.py").read_text()
    assert f'PRACTICE_RX_API = "{api_range()}"' in code
    assert "report.each(catalogue.problems)" in code
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()) == [
        "README.md", "pyproject.toml", "src/practice_rx_leeds_north/__init__.py",
        "src/practice_rx_leeds_north/services.csv", "tests/test_leeds_north_plugin.py"]


def test_plugins_alone_still_lists_the_plugins(tmp_path, capsys):
    assert main(["--database", f"sqlite:///{tmp_path / 'list.sqlite3'}", "plugins"]) in (0, 1)
    assert "national built in (enabled; practice_rx.plugins.national)" in capsys.readouterr().out


@pytest.mark.slow
def test_the_generated_plugin_installs_and_passes_its_own_tests(tmp_path):
    plugin = new_plugin("test_area", tmp_path / "practice-rx-test-area")
    site = tmp_path / "site"
    # Offline with hatchling beside pytest; else pip fetches it for an isolated build.
    offline = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", *offline,
         "--target", str(site), str(plugin)],
        check=False, capture_output=True, text=True, timeout=300, env=_env(site, tmp_path))
    assert install.returncode == 0, install.stderr
    assert (site / "practice_rx_test_area" / "services.csv").exists()  # package data shipped

    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=plugin,
        check=False, capture_output=True, text=True, timeout=300, env=_env(site, tmp_path))
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout

    listing = subprocess.run(
        [sys.executable, "-m", "practice_rx.cli", "--database",
         f"sqlite:///{tmp_path / 'listing.sqlite3'}", "plugins"],
        check=False, capture_output=True, text=True, timeout=300, env=_env(site, tmp_path))
    lines = listing.stdout.splitlines()
    start = lines.index("test_area 0.1.0 (enabled; practice_rx_test_area)")
    own = []
    for line in lines[start + 1:]:
        if not line.startswith("    "):
            break
        own.append(line)
    assert own == ["    implements practice_rx_default_form_id",
                   "    implements practice_rx_register_referral_forms",
                   "    implements practice_rx_register_services",
                   "    implements practice_rx_validate_referral"], listing.stdout
    assert listing.returncode == 0, listing.stdout + listing.stderr


def _env(site: Path, tmp_path: Path) -> dict[str, str]:
    """This environment, seeing the plugin's install folder first, with files of its own."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    env["PRACTICE_RX_AUDIT_KEY_FILE"] = str(tmp_path / "audit.key")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # no workstation settings file
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env.pop("PRACTICE_RX_DATABASE_URL", None)
    shutil.rmtree(tmp_path / "config", ignore_errors=True)
    return env
