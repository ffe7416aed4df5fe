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

    #: PracticeRx's id of the referral (letters print it as PRX-000123)
    referral_id: int
    #: PracticeRx's internal id of the patient: stable, but not an NHS number
    patient_id: int
    #: the status code (see the statuses table)
    status: str
    #: the form the answers were given on, by id and version
    form_id: str
    form_version: int
    #: the form's answers by field key: codes for choices, ``YYYY-MM-DD`` for dates
    answers: Mapping[str, Any]
    #: the reason codes chosen (see the reasons table)
    reasons: tuple[str, ...]
    #: ``routine`` or ``soon``
    urgency: str
    #: the chosen service's plugin and id in that plugin's catalogue ("" before one is chosen)
    service_plugin: str = ""
    service_external_id: str = ""
    service_name: str = ""
    #: where the referral came from (see the referral sources table): ``practice`` for one
    #: raised in the practice, else another agency or ``self_referral``
    source: str = "practice"
    #: for an inbound referral, how it arrived (``phone``, ``email``, ``letter``, …), else ""
    received_by: str = ""


@dataclass(frozen=True)
class StatusChange:
    """A referral moved from one status to another; passed to plugins after it is saved."""

    #: the referral as it is after the change
    referral: ReferralSnapshot
    #: the status codes before and after
    from_status: str
    to_status: str
    #: PracticeRx's id of the user who made the change
    user_id: int
    #: when it happened, in UTC without a time zone (may be earlier than it was recorded)
    at: datetime
    #: the note given with the change ("" for none)
    note: str
    #: the SNOMED CT code recorded with the change, "" when the change has none
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
        """Whether the button shows on a referral in ``status``."""
        return not self.statuses or status in self.statuses
