"""The service categories as form choices, built from the domain's one list."""

from __future__ import annotations

from types import MappingProxyType

from practice_rx.domain.categories import SERVICE_CATEGORIES as _CATEGORIES
from practice_rx.forms.model import Choice

SERVICE_CATEGORIES: tuple[Choice, ...] = tuple(
    Choice(code, label) for code, label in _CATEGORIES.items()
)
SERVICE_CATEGORY_LABELS = MappingProxyType(dict(_CATEGORIES))
