"""Outcome measures as data: the ONS ones as the guide defines them, scoring, and bad definitions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from practice_rx.measures import (
    AnswersError,
    MeasureDefinitionError,
    builtin_measures,
    change,
    measure_from_dict,
    score,
)

MEASURES = {measure.id: measure for measure in builtin_measures()}
ONS4, UCLA3, DIRECT = MEASURES["ons4"], MEASURES["ucla3"], MEASURES["ons_lonely"]

# A made-up licensed-style measure: three items of 1-5, raw 3-15, with a conversion table.
AREA_MEASURE = {
    "id": "area_wellbeing", "version": 2, "title": "Area wellbeing (test only)", "method": "sum",
    "scales": {"five": [{"value": v, "label": f"point {v}"} for v in range(1, 6)]},
    "items": [{"key": f"q{n}", "text": f"Question {n}", "scale": "five"} for n in (1, 2, 3)],
    "conversion": {raw: round(raw * 1.5 + 0.25, 2) for raw in range(3, 16)},
}


def test_the_ons_measures_are_as_the_ons_publishes_them():
    assert [item.text for item in ONS4.items] == [
        "Overall, how satisfied are you with your life nowadays?",
        "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
        "Overall, how happy did you feel yesterday?",
        "Overall, how anxious did you feel yesterday?",
    ]
    for item in ONS4.items:
        assert ONS4.scales[item.scale].values == frozenset(range(11))
    assert [item.higher_is_better for item in ONS4.items] == [True, True, True, False]
    assert ONS4.scales["anxious"].label(0) == "Not at all anxious"
    assert [o.label for o in UCLA3.scales["how_often"].options] == [
        "Hardly ever or never", "Some of the time", "Often"]
    assert [o.label for o in DIRECT.scales["how_often"].options] == [
        "Often or always", "Some of the time", "Occasionally", "Hardly ever", "Never"]


def test_ons4_is_reported_item_by_item_never_summed():
    result = score(ONS4, {"life_satisfaction": 6, "worthwhile": 7, "happy_yesterday": 5,
                          "anxious_yesterday": 8})
    assert result.scores == {"life_satisfaction": 6, "worthwhile": 7, "happy_yesterday": 5,
                             "anxious_yesterday": 8}
    assert "total" not in result.scores


def test_less_anxious_and_less_lonely_count_as_better():
    before = score(ONS4, {"life_satisfaction": 4, "worthwhile": 5, "happy_yesterday": 5,
                          "anxious_yesterday": 8})
    after = score(ONS4, {"life_satisfaction": 6, "worthwhile": 5, "happy_yesterday": 4,
                         "anxious_yesterday": 3})
    assert [(step.key, step.difference, better) for step, better in change(ONS4, before, after)] \
        == [("life_satisfaction", 2, True), ("worthwhile", 0, None),
            ("happy_yesterday", -1, False), ("anxious_yesterday", -5, True)]
    lonely = score(UCLA3, {"lack_companionship": 3, "left_out": 3, "isolated": 2})
    less = score(UCLA3, {"lack_companionship": 2, "left_out": 1, "isolated": 1})
    [(step, better)] = change(UCLA3, lonely, less)
    assert (step.baseline, step.follow_up, better) == (8, 4, True)
    [(step, better)] = change(DIRECT, score(DIRECT, {"lonely": 1}), score(DIRECT, {"lonely": 4}))
    assert (step.difference, better) == (3, True)


@given(st.tuples(*[st.integers(1, 3)] * 3))
def test_ucla3_total_is_the_sum_from_3_to_9(answers):
    keys = ("lack_companionship", "left_out", "isolated")
    total = score(UCLA3, dict(zip(keys, answers, strict=True))).scores["total"]
    assert total == sum(answers) and 3 <= total <= 9


def test_a_part_answered_or_out_of_range_questionnaire_is_not_scored():
    with pytest.raises(AnswersError) as refused:
        score(UCLA3, {"lack_companionship": 4, "left_out": 2, "mood": 1})
    assert refused.value.errors == {
        "lack_companionship": "How often do you feel that you lack companionship?: choose an "
                              "answer from 1 to 3",
        "isolated": "How often do you feel isolated from others?: choose an answer from 1 to 3",
        "mood": "mood: not a question of Loneliness (three-item UCLA scale)",
    }
    with pytest.raises(AnswersError):
        score(DIRECT, {"lonely": True})  # a yes/no is not an answer on the scale


def test_a_conversion_table_turns_the_raw_total_into_the_metric_score():
    measure = measure_from_dict(AREA_MEASURE, source="area plugin")
    result = score(measure, {"q1": 5, "q2": 4, "q3": 1})
    assert result.scores == {"total": 15.25, "raw": 10}
    assert (result.measure_id, result.measure_version) == ("area_wellbeing", 2)
    assert measure.score_keys() == ["total", "raw"]


def test_scores_of_different_versions_are_not_compared():
    measure = measure_from_dict(AREA_MEASURE)
    newer = measure_from_dict({**AREA_MEASURE, "version": 3})
    answers = {"q1": 1, "q2": 1, "q3": 1}
    with pytest.raises(ValueError, match="different measures or versions"):
        change(measure, score(measure, answers), score(newer, answers))


def test_a_bad_definition_lists_every_problem_with_its_path():
    bad = {
        "id": "Bad Id", "version": 0, "title": "", "method": "average", "colour": "red",
        "scales": {"five": [{"value": 1, "label": "one"}, {"value": 1, "label": "also one"}]},
        "items": [{"key": "total", "text": "Q", "scale": "five"},
                  {"key": "q2", "text": "Q2", "scale": "seven", "weight": 2}],
    }
    with pytest.raises(MeasureDefinitionError) as refused:
        measure_from_dict(bad, source="area plugin")
    assert refused.value.problems == (
        ("colour: unknown key; use some of id, version, title, source, method, "
         "higher_is_better, scales, items, conversion"),
        "id: expected a snake_case key of up to 64 characters",
        "version: expected a whole number from 1",
        "title: expected text of 1 to 200 characters",
        "method: expected one of each, sum",
        "scales.five: each answer needs a value of its own",
        "items[0].key: 'total' and 'raw' are kept for the summed scores",
        "items[1].weight: unknown key; use some of key, text, scale, higher_is_better",
        "items[1].scale: expected one of the scales: five",
    )
    assert "in area plugin" in str(refused.value)


def test_a_conversion_table_must_cover_every_raw_total():
    gappy = {**AREA_MEASURE, "conversion": {raw: 1.0 for raw in range(3, 15)}}  # no 15
    with pytest.raises(MeasureDefinitionError) as refused:
        measure_from_dict(gappy)
    assert refused.value.problems == (
        "conversion: expected a metric score for every raw total from 3 to 15, and no others",)
    each = {**AREA_MEASURE, "method": "each"}
    with pytest.raises(MeasureDefinitionError, match="only a summed measure"):
        measure_from_dict(each)


@pytest.mark.parametrize("data", [None, [], "ons4", {"scales": "x", "items": "y"},
                                  {"scales": {"s": {"from": 5, "to": 1}}, "items": [3]}])
def test_nothing_but_the_definition_error_escapes_whatever_the_input(data):
    with pytest.raises(MeasureDefinitionError):
        measure_from_dict(data)


def test_a_definition_read_from_json_takes_numbers_written_as_text():
    """JSON keys are text: a range's labels and a conversion table come as {"7": ...}."""
    import json

    data = json.loads(json.dumps({**AREA_MEASURE, "scales": {"five": {
        "from": 1, "to": 5, "labels": {1: "Never", 5: "Always"}}}}))
    assert set(data["conversion"]) == {str(raw) for raw in range(3, 16)}
    measure = measure_from_dict(data)
    assert measure.scales["five"].label(1) == "Never" and measure.scales["five"].label(3) == "3"
    assert score(measure, {"q1": 5, "q2": 4, "q3": 1}).scores == {"total": 15.25, "raw": 10}
    assert measure_from_dict(json.loads(json.dumps(measure.to_dict()))) == measure


@pytest.mark.parametrize(("scale", "problem"), [
    ({"from": 0, "to": 4, "lables": {0: "Never"}},
     "scales.five: unknown key(s) lables; a range has from, to and labels"),
    ([{"value": 1, "label": "one"}, {"value": 2, "text": "two"}],
     "scales.five[1]: expected {value: a whole number, label: text}"),
    ({"from": 0, "to": 4, "labels": {"zero": "Never"}},
     "scales.five.labels: expected text labels for points from 0 to 4"),
])
def test_a_typo_in_a_scale_is_reported_not_ignored(scale, problem):
    """A mistyped key would have printed bare numbers instead of the questionnaire's words."""
    with pytest.raises(MeasureDefinitionError) as refused:
        measure_from_dict({**AREA_MEASURE, "conversion": None, "scales": {"five": scale}})
    assert refused.value.problems[0].startswith(problem)
    assert not any("expected one of the scales: " == p[-len("expected one of the scales: "):]
                   for p in refused.value.problems)  # no cascade naming an empty list
