"""Outcome measures: installed like forms, results scored whole, one baseline, change like for
like; on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from practice_rx.errors import ValidationError
from practice_rx.measures import builtin_measures, measure_from_dict
from practice_rx.storage.caseload_models import MeasureDefinitionRecord, MeasureResult
from tests.caseload.casework_cases import install_measures, open_case

ONS4 = {"life_satisfaction": 4, "worthwhile": 5, "happy_yesterday": 3, "anxious_yesterday": 8}
UCLA3 = {"lack_companionship": 3, "left_out": 3, "isolated": 2}

SUMMED = {"id": "area_scale", "version": 1, "title": "Area scale", "method": "sum",
          "scales": {"three": [{"value": 1, "label": "Low"}, {"value": 2, "label": "Mid"},
                               {"value": 3, "label": "High"}]},
          "items": [{"key": "a", "text": "A?", "scale": "three"},
                    {"key": "b", "text": "B?", "scale": "three"}],
          "conversion": {2: 10.0, 3: 12.5, 4: 15.0, 5: 17.5, 6: 20.0}}


@pytest.mark.parametrize("measure", builtin_measures(), ids=lambda m: m.id)
def test_a_stored_definition_reads_back_as_the_same_measure(measure):
    import json

    from practice_rx.services.outcome_measures import stored_measure

    assert stored_measure(json.loads(json.dumps(measure.to_dict()))) == measure
    converted = measure_from_dict(SUMMED)
    assert stored_measure(json.loads(json.dumps(converted.to_dict()))) == converted


def test_sync_keeps_each_version_and_refuses_a_changed_one_and_another_plugin_s_id(services):
    install_measures(services)
    ons4 = builtin_measures()[0]
    changed = replace(ons4, title="Changed wording")
    problems = services.outcome_measures.sync([("national", changed), ("area", ons4),
                                               ("area", replace(ons4, version=2))])
    assert [plugin for plugin, _ in problems] == ["national", "area", "area"]
    assert "differs from the installed one" in problems[0][1]
    assert "belongs to the plugin 'national'" in problems[1][1]
    with services.db.reading() as session:
        record = session.get(MeasureDefinitionRecord, ("ons4", 1))
        assert record.title == ons4.title and record.plugin == "national"
        assert session.scalar(select(func.count()).select_from(MeasureDefinitionRecord)) == 3
    # only what plugins supply now is offered for new results: the national one, as installed
    assert [(m.id, m.title) for m in services.outcome_measures.available()] == [
        ("ons4", ons4.title)]


def test_a_result_is_scored_and_listed(services):
    install_measures(services)
    case = open_case(services)
    row = services.outcome_measures.record(case.worker.id, case.referral_id, case.version,
                                           ("ons4", 1), "baseline", date(2026, 11, 24), ONS4)
    assert row.scores == {key: float(value) for key, value in ONS4.items()}
    summed = services.outcome_measures.record(case.worker.id, case.referral_id, case.version,
                                              ("ucla3", 1), "baseline", date(2026, 11, 24),
                                              UCLA3)
    assert summed.scores == {"total": 8.0}
    listed = services.outcome_measures.results(case.worker.id, case.referral_id)
    assert [(r.measure_id, r.occasion) for r in listed] == [("ons4", "baseline"),
                                                           ("ucla3", "baseline")]


def test_a_part_answered_measure_is_refused_naming_the_item_and_nothing_is_kept(services):
    install_measures(services)
    case = open_case(services)
    answers = {key: value for key, value in UCLA3.items() if key != "left_out"}
    with pytest.raises(ValidationError) as caught:
        services.outcome_measures.record(case.worker.id, case.referral_id, case.version,
                                         ("ucla3", 1), "baseline", date(2026, 11, 25), answers)
    assert set(caught.value.errors) == {"left_out", "answered_on"}
    assert "left out" in caught.value.errors["left_out"]
    with services.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(MeasureResult)) == 0


def test_one_baseline_per_measure_and_follow_ups_on_its_version(services, db):
    install_measures(services)
    area = measure_from_dict(SUMMED)
    assert services.outcome_measures.sync([("area", area), ("area", replace(area, version=2))]
                                          ) == []
    case = open_case(services)
    record = services.outcome_measures.record
    record(case.worker.id, case.referral_id, case.version, ("area_scale", 1), "baseline",
           date(2026, 11, 24), {"a": 1, "b": 1})
    with pytest.raises(ValidationError, match="already has a baseline"):
        record(case.worker.id, case.referral_id, case.version, ("area_scale", 1), "baseline",
               date(2026, 11, 24), {"a": 2, "b": 1})
    with pytest.raises(ValidationError, match="baseline was taken on version 1"):
        record(case.worker.id, case.referral_id, case.version, ("area_scale", 2), "review",
               date(2026, 11, 24), {"a": 2, "b": 1})
    follow_up = record(case.worker.id, case.referral_id, case.version, ("area_scale", 1),
                       "closing", date(2026, 11, 24), {"a": 3, "b": 2})
    assert follow_up.scores == {"total": 17.5, "raw": 5.0}


def test_the_change_from_baseline_to_the_latest_follow_up(services, clock):
    install_measures(services)
    case = open_case(services)
    record = services.outcome_measures.record
    record(case.worker.id, case.referral_id, case.version, ("ons4", 1), "baseline",
           date(2026, 11, 24), ONS4)
    record(case.worker.id, case.referral_id, case.version, ("ucla3", 1), "baseline",
           date(2026, 11, 24), UCLA3)
    clock.advance(days=40)
    record(case.worker.id, case.referral_id, case.version, ("ons4", 1), "review",
           date(2026, 12, 20), {**ONS4, "anxious_yesterday": 9})
    record(case.worker.id, case.referral_id, case.version, ("ons4", 1), "review",
           date(2027, 1, 2), {**ONS4, "life_satisfaction": 7, "anxious_yesterday": 5})
    ons4, ucla3 = services.outcome_measures.changes(case.worker.id, case.referral_id)
    assert ons4.follow_up_on == date(2027, 1, 2)
    by_key = {step.key: step for step in ons4.scores}
    assert (by_key["life_satisfaction"].difference, by_key["life_satisfaction"].better) == (3, True)
    anxious = by_key["anxious_yesterday"]
    assert (anxious.difference, anxious.better, anxious.higher_is_better) == (-3, True, False)
    assert by_key["worthwhile"].better is None
    assert ucla3.follow_up_on is None
    assert "no follow-up yet" in ucla3.text
    assert [step.follow_up for step in ucla3.scores] == [None]


def test_a_result_cannot_be_dated_in_the_future(services):
    install_measures(services)
    case = open_case(services)
    with pytest.raises(ValidationError, match="Answered on: cannot be in the future"):
        services.outcome_measures.record(case.worker.id, case.referral_id, case.version,
                                         ("ons4", 1), "baseline", date(2026, 11, 25), ONS4)




def test_start_up_installs_the_plugins_measures_and_plan_sections(db_url):
    from practice_rx.settings import Settings
    from practice_rx.startup import start
    from tests.plugins.test_casework_hooks import AREA

    for _ in range(2):  # the second start finds them installed, and says nothing more
        app = start(db_url, Settings(), discovered=[AREA])
        try:
            assert {m.id for m in app.services.outcome_measures.available()} == {
                "ons4", "ucla3", "ons_lonely", "area_wellbeing"}
            licensed = app.services.outcome_measures.definition("area_wellbeing", 1)
            assert licensed.conversion[10] == 25.0  # the stored table reads back as numbers
            assert list(app.services.care_plans.sections) == ["money_plan"]
            found = [e.message for e in app.plugins.errors
                     if e.hook == "practice_rx_register_outcome_measures"]
            assert len(found) == 2 and not any("differs" in text for text in found)
        finally:
            app.close()
