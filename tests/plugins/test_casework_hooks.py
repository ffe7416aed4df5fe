"""The casework hooks: outcome measures and plan sections, checked like forms (issue 13)."""

from __future__ import annotations

from importlib.metadata import EntryPoint

from practice_rx.plugin_host import PluginHost

AREA = EntryPoint(name="area", value="tests.plugins.casework_plugins", group="practice_rx")


def problems(host: PluginHost, hook: str) -> list[str]:
    return [e.message for e in host.errors if (e.plugin, e.hook) == ("area", hook)]


def test_the_national_plugin_supplies_only_the_free_ons_measures():
    host = PluginHost(discovered=[])
    assert [(plugin, m.id, m.version) for plugin, m in host.outcome_measures()] == [
        ("national", "ons4", 1), ("national", "ucla3", 1), ("national", "ons_lonely", 1)]


def test_an_areas_measure_is_installed_and_a_bad_one_reported():
    host = PluginHost(discovered=[AREA])
    measures = {m.id: plugin for plugin, m in host.outcome_measures()}
    assert measures == {"ons4": "national", "ucla3": "national", "ons_lonely": "national",
                        "area_wellbeing": "area"}
    found = problems(host, "practice_rx_register_outcome_measures")
    assert len(found) == 2
    assert found[0].startswith("The outcome measure in plugin area is not valid:")
    assert "id: expected a snake_case key" in found[0]
    assert found[1] == "returned a str, expected a measure"


def test_plan_sections_are_checked_and_a_repeated_key_is_skipped():
    host = PluginHost(discovered=[AREA])
    [(plugin, section)] = host.plan_sections()
    assert (plugin, section.key, [f.key for f in section.fields]) == (
        "area", "money_plan", ["debt_advice_booked"])
    found = problems(host, "practice_rx_register_plan_sections")
    assert found[0] == "plan section 'money_plan' is already added by 'area'; skipped"
    assert found[1].startswith("a plan section is not valid: section: 'key' must be snake_case")
    assert found[1].endswith("not 'Bad Key'")
