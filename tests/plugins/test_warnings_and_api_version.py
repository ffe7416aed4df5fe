"""Plugins warn without failing (shown once each), and declare the API range they support."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

from practice_rx.plugin_api import API_VERSION, ReferralSnapshot
from practice_rx.plugin_host import PluginHost, suggested_range
from practice_rx.startup import start

SAMPLES = "tests.plugins.reporting_plugins"
ROOT = Path(__file__).resolve().parents[2]


def entry(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group="practice_rx")


def test_a_warning_keeps_the_answer_and_is_listed_once():
    host = PluginHost(discovered=[entry("feed", SAMPLES)])
    assert [s.name for s in host.services()["feed"]] == ["Park walks"]
    host.services()  # asked again (a second sync): still one warning each
    snapshot = ReferralSnapshot(1, 1, "draft", "national", 1, {}, (), "routine")
    for _ in range(3):
        assert host.validate_referral(snapshot) == {}
    [info] = [info for info in host.info() if info.name == "feed"]
    assert [(w.hook, w.message) for w in info.warnings] == [
        ("practice_rx_register_services", "row 3: the feed's category 'zumba' is unknown; skipped"),
        ("practice_rx_register_services", "row 5: no name; skipped"),
        ("practice_rx_validate_referral",
         "the eligibility list is a day old; checked against yesterday's"),
    ]
    assert info.errors == [] and host.errors == []
    assert all(w.warning for w in host.warnings)


def test_a_plugin_for_another_api_version_is_reported_and_not_used():
    host = PluginHost(discovered=[entry("future", f"{SAMPLES}:future"),
                                  entry("nonsense", f"{SAMPLES}:nonsense"),
                                  entry("fits", f"{SAMPLES}:compatible")])
    problems = {e.plugin: e.message for e in host.errors}
    assert problems["future"] == (f"supports plugin API >=2.0, but this PracticeRx provides "
                                  f"{API_VERSION}; the plugin is not used (install a version "
                                  f"of it made for this PracticeRx)")
    assert "'version one please' is not a version range" in problems["nonsense"]
    assert "fits" not in problems
    catalogues = host.services()
    assert "future" not in catalogues and "nonsense" not in catalogues
    assert [s.name for s in catalogues["fits"]] == ["Community choir"]
    assert {i.name: i.hooks for i in host.info()}["future"] == []


def test_a_plugin_that_declares_no_range_is_loaded_with_a_warning():
    host = PluginHost(discovered=[entry("old", f"{SAMPLES}:undeclared")])
    assert host.errors == []
    assert [s.name for s in host.services()["old"]] == ["Community choir"]
    [warning] = [w for w in host.warnings if w.plugin == "old"]
    assert warning.hook == "load"
    assert f'PRACTICE_RX_API = "{suggested_range()}"' in warning.message


def test_a_range_without_an_upper_bound_is_loaded_with_a_warning():
    host = PluginHost(discovered=[entry("open", f"{SAMPLES}:unbounded"),
                                  entry("tilde", f"{SAMPLES}:compatible_too")])
    assert host.errors == []
    [warning] = host.warnings
    assert warning.plugin == "open" and warning.hook == "load"
    assert warning.message.startswith("PRACTICE_RX_API = '>=1.0' has no upper bound")
    assert {i.name for i in host.info() if i.loaded} >= {"open", "tilde"}


def test_two_plugins_choosing_the_default_form_is_a_warning_naming_the_one_used():
    host = PluginHost(discovered=[entry("area_a", f"{SAMPLES}:chooses_first_form"),
                                  entry("area_b", f"{SAMPLES}:chooses_second_form")])
    assert host.default_form_id() == "second_area"  # registered last, asked first
    [warning] = host.warnings
    assert (warning.plugin, warning.hook) == ("area_a", "practice_rx_default_form_id")
    assert "'first_area' is not used: the 'area_b' plugin's 'second_area' is" in warning.message


def test_installed_plugins_are_registered_in_name_order_whatever_the_install_order():
    names = [info.name for info in PluginHost().info()]
    assert names[0] == "national" and names[1:] == sorted(names[1:])


def test_the_shipped_plugins_declare_a_range_that_fits():
    host = PluginHost()
    assert [w for w in host.warnings if w.hook == "load"] == []
    assert host.errors == []


def _installed_plugin(site: Path, name: str, body: str) -> None:
    """A real installed distribution on ``site``: a module and its entry-point metadata."""
    (site / f"{name}.py").write_text(body)
    meta = site / f"{name}-1.0.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (meta / "entry_points.txt").write_text(f"[practice_rx]\n{name} = {name}\n")


def test_practice_rx_plugins_prints_each_problem_and_warning_once(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    _installed_plugin(site, "noisy_area", (
        "from practice_rx import hookimpl\n"
        "PRACTICE_RX_API = '>=1.1,<2'\n"
        "@hookimpl\n"
        "def practice_rx_register_services(report):\n"
        "    report('row 7: phone number too long; skipped')\n"
        "    return []\n"
        "@hookimpl\n"
        "def practice_rx_register_letter_templates():\n"
        "    raise RuntimeError('template folder missing')\n"))
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{ROOT}"}
    result = subprocess.run(
        [sys.executable, "-m", "practice_rx.cli", "--database",
         f"sqlite:///{tmp_path / 'p.sqlite3'}", "plugins"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output  # an error makes the check fail; a warning alone not
    assert result.stderr == "", result.stderr  # the listing is the one place they are said
    assert output.count("template folder missing") == 1
    assert output.count("row 7: phone number too long") == 1
    assert ("    warning in practice_rx_register_services: row 7: phone number too long; "
            "skipped") in result.stdout
    assert "    ERROR in practice_rx_register_letter_templates: raised RuntimeError: " \
           "template folder missing" in result.stdout


def test_a_plugin_that_stops_loading_keeps_its_services_until_it_loads_again(db_url, clock):
    """A PracticeRx upgrade past a plugin's API range must not empty the local catalogue."""
    def area_services(value: str) -> dict[str, bool]:
        app = start(db_url, discovered=[entry("area", value)], clock=clock)
        try:
            return {s.name: s.active for s in app.services.catalogue.search(
                include_inactive=True) if s.plugin == "area"}
        finally:
            app.close()

    assert area_services(f"{SAMPLES}:compatible") == {"Community choir": True}
    assert area_services(f"{SAMPLES}:future") == {"Community choir": True}  # refused, kept
    assert area_services("no_such_module_anywhere") == {"Community choir": True}
    assert area_services(f"{SAMPLES}:compatible") == {"Community choir": True}


def _plugins_listing(site: Path, database: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{ROOT}"}
    return subprocess.run([sys.executable, "-m", "practice_rx.cli", "--database", database,
                           "plugins"], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120, check=False)


def test_the_listing_writes_nothing_so_a_draft_form_is_not_installed_for_good(tmp_path):
    """Checking a half-finished plugin must not freeze its form into the practice's database
    (a later change under the same version would then be refused)."""
    site = tmp_path / "site"
    site.mkdir()
    form = ("from practice_rx import hookimpl\n"
            "from practice_rx.plugins.national.form import national_form\n"
            "PRACTICE_RX_API = '>=1.1,<2'\n"
            "@hookimpl\n"
            "def practice_rx_register_referral_forms():\n"
            "    form = national_form().to_dict()\n"
            "    form.update(id='draft_area', version=1, title='TITLE')\n"
            "    return [form]\n")
    _installed_plugin(site, "draft_area", form.replace("TITLE", "First draft"))
    missing = tmp_path / "none.sqlite3"
    result = _plugins_listing(site, f"sqlite:///{missing}", tmp_path)
    assert result.returncode == 0 and not missing.exists(), result.stdout + result.stderr
    assert "Forms were not compared with a database" in result.stdout

    database = tmp_path / "practice.sqlite3"
    start(f"sqlite:///{database}", discovered=[]).close()  # the practice's database
    before = database.read_bytes()
    result = _plugins_listing(site, f"sqlite:///{database}", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Forms were compared with those installed in" in result.stdout
    assert database.read_bytes() == before
    (site / "draft_area.py").write_text(form.replace("TITLE", "Second draft"))
    assert _plugins_listing(site, f"sqlite:///{database}", tmp_path).returncode == 0


def test_the_listing_reports_the_form_clash_a_start_would(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    database = tmp_path / "practice.sqlite3"
    start(f"sqlite:///{database}", discovered=[]).close()
    _installed_plugin(site, "clash_area", (
        "from practice_rx import hookimpl\n"
        "from practice_rx.plugins.national.form import national_form\n"
        "PRACTICE_RX_API = '>=1.1,<2'\n"
        "@hookimpl\n"
        "def practice_rx_register_referral_forms():\n"
        "    return [national_form()]\n"))
    result = _plugins_listing(site, f"sqlite:///{database}", tmp_path)
    assert result.returncode == 1
    assert "form id 'national' belongs to the plugin 'national'" in result.stdout
