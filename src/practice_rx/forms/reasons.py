"""The coded reasons as form choices, built from the domain's one list."""

from __future__ import annotations

from types import MappingProxyType

from practice_rx.domain.reasons import REFERRAL_REASONS as _REASONS
from practice_rx.forms.model import Choice

REFERRAL_REASONS: tuple[Choice, ...] = tuple(Choice(code, label) for code, label in _REASONS.items())
REFERRAL_REASON_LABELS = MappingProxyType(dict(_REASONS))
