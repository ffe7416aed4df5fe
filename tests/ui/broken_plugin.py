"""A plugin that goes wrong in several ways, to show the app carries on without it."""

from __future__ import annotations

from practice_rx import hookimpl
from practice_rx.plugin_api import ReferralAction

PRACTICE_RX_API = ">=1.1,<2"


@hookimpl
def practice_rx_register_services():
    raise RuntimeError("the catalogue server did not answer")


def _explode(referral):
    raise ValueError("no printer attached")


@hookimpl
def practice_rx_register_referral_actions():
    return [ReferralAction(id="broken_print", label="Print label", run=_explode,
                           help="Prints an address label (always fails)")]
