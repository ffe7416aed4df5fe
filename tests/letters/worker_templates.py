"""Templates for the rendering-worker tests: importable by a spawned worker, as a plugin's are."""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import replace

from practice_rx.letters.templates import REFERRAL_LETTER, ComposedTemplate, compose_referral


def _compose_or_die_in_a_worker(inputs, look):
    """The referral letter here; in a worker process the worker dies (a crash, an OOM kill)."""
    if multiprocessing.parent_process() is not None:
        os._exit(3)
    return compose_referral(inputs, look)


#: a template whose every worker dies mid-batch
DIES_IN_A_WORKER: ComposedTemplate = replace(REFERRAL_LETTER, id="dies-in-a-worker",
                                             compose=_compose_or_die_in_a_worker)
