"""Plugins adding outcome measures and plan sections, for the tests."""

from __future__ import annotations

from practice_rx import hookimpl

PRACTICE_RX_API = ">=1.1,<2"

LICENSED = {  # the shape an area's licensed measure takes; not any real measure's wording
    "id": "area_wellbeing", "version": 1, "title": "Area wellbeing (licensed, test only)",
    "method": "sum",
    "scales": {"five": [{"value": v, "label": f"point {v}"} for v in range(1, 6)]},
    "items": [{"key": f"q{n}", "text": f"Question {n}", "scale": "five"} for n in (1, 2)],
    "conversion": {raw: raw * 2.5 for raw in range(2, 11)},
}
MONEY = {"key": "money_plan", "title": "Money plan",
         "fields": [{"key": "debt_advice_booked", "label": "Debt advice booked",
                     "type": "yes_no"}]}


@hookimpl
def practice_rx_register_outcome_measures():
    return [LICENSED, {"id": "Broken", "version": 1}, "not a measure"]


@hookimpl
def practice_rx_register_plan_sections():
    return [MONEY, {**MONEY, "title": "Again"}, {**MONEY, "key": "Bad Key"}]
