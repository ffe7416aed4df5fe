"""Plain data that passes between PracticeRx and its plugins.

Hooks receive and return these frozen dataclasses (or plain dicts and lists),
never database rows or Qt objects, so a plugin cannot change a referral behind
the service layer's back and the core stays free of Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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
