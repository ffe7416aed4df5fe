"""Loading plugins: discovery, ordering, isolation of every kind of broken plugin."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from practice_rx.plugin_api import ReferralSnapshot
from practice_rx.plugin_host import PluginHost
from practice_rx.startup import default_form, start

SAMPLES = "tests.plugins.sample_plugins"


def entry(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group="practice_rx")


def errors_of(host: PluginHost, plugin: str) -> list[str]:
    return [f"{e.hook}: {e.message}" for e in host.errors if e.plugin == plugin]


def test_the_example_package_is_discovered_through_its_entry_point():
    host = PluginHost()  # the real entry points of the installed packages
    plugins = {info.name: info for info in host.info()}
    assert plugins["south_leeds"].version == "1.3.0"
    assert plugins["south_leeds"].source == "practice_rx_south_leeds"
    assert not plugins["south_leeds"].builtin and plugins["national"].builtin
    assert "practice_rx_register_referral_forms" in plugins["south_leeds"].hooks
    assert {form.id for _, form in host.forms()} == {"national", "south_leeds"}
    assert len(host.services()["south_leeds"]) == 32
    assert host.errors == []


def test_a_plugin_that_cannot_be_imported_is_reported_and_skipped():
    host = PluginHost(discovered=[entry("broken", "tests.plugins.broken_import"),
                                  entry("good", f"{SAMPLES}:catalogue")])
    assert errors_of(host, "broken") == [
        "load: cannot be imported: ImportError: No module named 'a_dependency_nobody_installed'"
    ]
    assert [s.name for s in host.services()["good"]] == ["Park walks", "Community choir"]
    assert {info.name: info.hooks for info in host.info()}["broken"] == []


def test_a_missing_module_is_reported():
    host = PluginHost(discovered=[entry("ghost", "no_such_module_anywhere")])
    assert errors_of(host, "ghost")[0].startswith("load: cannot be imported: ModuleNotFoundError")


def test_an_unknown_hook_drops_that_plugin_only():
    host = PluginHost(discovered=[entry("typo", f"{SAMPLES}:unknown_hook"),
                                  entry("good", f"{SAMPLES}:catalogue")])
    assert "practice_rx_register_everything" in errors_of(host, "typo")[0]
    assert "typo" not in host.services() and "good" in host.services()


def test_two_plugins_with_one_name():
    host = PluginHost(discovered=[entry("national", f"{SAMPLES}:catalogue")])
    assert errors_of(host, "national") == [
        "load: another plugin is already called 'national'; skipped"
    ]


def test_a_plugin_raising_in_every_hook_is_recorded_per_hook(services):
    host = PluginHost(discovered=[entry("bad", f"{SAMPLES}:raises_everywhere")])
    assert [f for _, f in host.forms()] and "national" in host.services()
    assert host.letter_templates() == [] and host.referral_actions() == []
    assert host.default_form_id() == "national"
    snapshot = ReferralSnapshot(1, 1, "draft", "national", 1, {}, (), "routine")
    assert list(host.validate_referral(snapshot)) == ["plugin:bad"]  # fails closed (H07)
    hooks = {e.hook for e in host.errors if e.plugin == "bad"}
    assert hooks == {
        "practice_rx_register_referral_forms", "practice_rx_register_services",
        "practice_rx_register_letter_templates", "practice_rx_register_referral_actions",
        "practice_rx_default_form_id", "practice_rx_validate_referral",
    }
    assert all("RuntimeError" in e.message or "last good catalogue" in e.message
               for e in host.errors)


def test_malformed_answers_are_reported_and_the_good_parts_kept():
    host = PluginHost(discovered=[entry("odd", f"{SAMPLES}:wrong_types")])
    assert [form.id for plugin, form in host.forms() if plugin == "odd"] == []
    assert [s.name for s in host.services()["odd"]] == ["Good one"]
    assert [a.id for a in host.referral_actions()] == ["fine"]
    assert host.letter_templates() == []
    assert host.default_form_id() == "national"
    messages = "\n".join(errors_of(host, "odd"))
    assert "'id' must be snake_case" in messages
    assert "returned a int, expected a form" in messages
    assert "Service name: enter the service's name" in messages
    assert "service 2: Category: 'knitting' is not a category" in messages
    assert "returned str, expected a list" in messages
    assert "returned 42, expected a form id" in messages


def test_a_slow_hook_is_reported():
    host = PluginHost(discovered=[entry("slow", f"{SAMPLES}:slow")])
    host.services()
    assert errors_of(host, "slow")[0].startswith("practice_rx_register_services: took 2.")


def test_firstresult_later_plugins_first_and_none_passes_on():
    host = PluginHost(discovered=[entry("local", f"{SAMPLES}:prefers_local"),
                                  entry("quiet", f"{SAMPLES}:first_says_none")])
    assert host.default_form_id() == "local_form"
    alone = PluginHost(discovered=[entry("quiet", f"{SAMPLES}:first_says_none")])
    assert alone.default_form_id() == "national"


def test_a_failing_action_becomes_a_message():
    host = PluginHost(discovered=[entry("boom", f"{SAMPLES}:raises_on_action")])
    [action] = host.referral_actions()
    result = host.run_action(action, ReferralSnapshot(1, 1, "sent", "national", 1, {}, (), "soon"))
    assert not result.ok and "printer on fire" in result.message
    assert errors_of(host, "boom") == ["run_action: raised ValueError: printer on fire"]


def test_disabled_plugins_are_listed_but_not_loaded(db_url):
    from practice_rx.settings import Settings

    app = start(db_url, Settings(disabled_plugins=["south_leeds"]))
    try:
        info = {i.name: i for i in app.plugins.info()}
        assert not info["south_leeds"].enabled and info["south_leeds"].hooks == []
        assert {r.form_id for r in app.services.forms.available()} == {"national"}
        assert default_form(app) == ("national", 1)
    finally:
        app.close()


def test_start_installs_forms_and_services_and_picks_the_local_default(db_url):
    app = start(db_url)
    try:
        assert {r.form_id for r in app.services.forms.available()} == {"national", "south_leeds"}
        assert default_form(app) == ("south_leeds", 1)
        assert len(app.services.catalogue.search()) == 8 + 32
        assert app.catalogue_sync.added == 40
    finally:
        app.close()


def test_a_duplicate_service_id_is_reported_and_the_app_still_starts(db_url):
    app = start(db_url, discovered=[entry("area", f"{SAMPLES}:duplicate_ids")])
    try:
        assert sorted(s.name for s in app.services.catalogue.search(plugin="area")) == [
            "Community choir", "Park walks"]
        assert errors_of(app.plugins, "area") == [
            ("practice_rx_register_services: service 2: Service id: 'walk' is already used by "
             "service 1; the first is kept")]
    finally:
        app.close()


@pytest.mark.parametrize("failing", ["raises_everywhere", "garbage_catalogue",
                                     "all_bad_catalogue"])
def test_a_failing_catalogue_hook_keeps_the_last_good_catalogue(db_url, failing):
    start(db_url, discovered=[entry("area", f"{SAMPLES}:catalogue")]).close()
    app = start(db_url, discovered=[entry("area", f"{SAMPLES}:{failing}")])
    try:
        assert app.catalogue_sync.deactivated == 0
        assert sorted(s.name for s in app.services.catalogue.search(plugin="area")) == [
            "Community choir", "Park walks"]
        assert any("the services from the last good catalogue are kept" in problem
                   for problem in errors_of(app.plugins, "area"))
    finally:
        app.close()
