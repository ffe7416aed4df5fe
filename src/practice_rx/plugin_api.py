"""Plain data that passes between PracticeRx and its plugins.

Hooks receive and return these frozen dataclasses (or plain dicts and lists),
never database rows or Qt objects, so a plugin cannot change a referral behind
the service layer's back and the core stays free of Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: The version of the plugin API this PracticeRx provides. A minor version only
#: adds (hooks, keyword arguments, fields with defaults, codes); a major version
#: may remove or change meaning. A plugin declares the range it supports as a
#: module attribute, e.g. ``PRACTICE_RX_API = ">=1.1,<2"`` (a PEP 440 specifier
#: set). 1.0 was the API before the ``report`` argument.
API_VERSION = "1.1"
MAX_REPORT_LENGTH = 500


class Report:
    """Tells the practice about a problem a plugin worked around, without failing its answer.

    Any hook may declare a ``report`` argument and receives one of these, bound
    to that plugin and hook: a skipped catalogue row or a stale feed is then a
    warning in ``practice-rx plugins`` and Tools › Plugins, while the rest of the
    answer is used. Each distinct message is shown once.
    """

    def __init__(self, record: Callable[[str], None]) -> None:
        self._record = record

    def __call__(self, message: str) -> None:
        """Record one warning (a message longer than 500 characters is cut short)."""
        text = str(message).strip() or "(an empty warning)"
        if len(text) > MAX_REPORT_LENGTH:
            text = text[:MAX_REPORT_LENGTH - 1] + "…"
        self._record(text)

    def each(self, messages: Iterable[str]) -> None:
        """Record a warning for each message, e.g. ``report.each(catalogue.problems)``."""
        for message in messages:
            self(message)


@dataclass(frozen=True)
class ReferralSnapshot:
    """What a plugin may see of a referral: no names, addresses or NHS numbers."""

    referral_id: int
    patient_id: int
    status: str
    form_id: str
    form_version: int
    answers: Mapping[str, Any]
    reasons: tuple[str, ...]
    urgency: str
    service_plugin: str = ""
    service_external_id: str = ""
    service_name: str = ""


@dataclass(frozen=True)
class StatusChange:
    """A referral moved from one status to another; passed to plugins after it is saved."""

    referral: ReferralSnapshot
    from_status: str | None
    to_status: str
    user_id: int
    at: datetime
    note: str
    snomed_code: str


@dataclass(frozen=True)
class ActionResult:
    """What an action tells the user afterwards."""

    message: str
    ok: bool = True


@dataclass(frozen=True)
class ReferralAction:
    """A button a plugin adds to the referral view.

    ``run`` receives the referral's snapshot and returns an :class:`ActionResult`
    (or a message string); it runs off the GUI thread, so it must not touch Qt.
    ``statuses`` limits where the button shows; empty means every status.
    """

    id: str
    label: str
    run: Callable[[ReferralSnapshot], ActionResult | str]
    help: str = ""
    statuses: frozenset[str] = field(default_factory=frozenset)

    def applies_to(self, status: str) -> bool:
        return not self.statuses or status in self.statuses
