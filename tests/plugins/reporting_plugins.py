"""Plugins that warn through ``report``, and plugins declaring API ranges, for the tests."""

from __future__ import annotations

from types import SimpleNamespace

from practice_rx import hookimpl
from practice_rx.services.catalogue import ServiceDetails

PRACTICE_RX_API = ">=1.1,<2"


@hookimpl
def practice_rx_register_services(report):
    report("row 3: the feed's category 'zumba' is unknown; skipped")
    again = "row 3: the feed's category 'zumba' is unknown; skipped"
    report.each(["row 5: no name; skipped", again])  # the same warning again is kept once
    return [ServiceDetails("walk", "Park walks", "physical_activity")]


@hookimpl
def practice_rx_validate_referral(referral, report):
    report("the eligibility list is a day old; checked against yesterday's")


def _declaring(declared: str | None) -> SimpleNamespace:
    """A plugin with one service that declares ``declared`` as its API range."""
    plugin = SimpleNamespace(practice_rx_register_services=hookimpl(
        lambda: [ServiceDetails("choir", "Community choir", "arts_culture")]))
    if declared is not None:
        plugin.PRACTICE_RX_API = declared
    return plugin


compatible = _declaring(">=1.0,<2")
compatible_too = _declaring("~=1.1")
unbounded = _declaring(">=1.0")
future = _declaring(">=2.0")
nonsense = _declaring("version one please")
undeclared = _declaring(None)


def _choosing(form_id: str) -> SimpleNamespace:
    """A plugin whose only answer is the default form."""
    return SimpleNamespace(PRACTICE_RX_API=">=1.1,<2",
                           practice_rx_default_form_id=hookimpl(lambda: form_id))


chooses_first_form = _choosing("first_area")
chooses_second_form = _choosing("second_area")
