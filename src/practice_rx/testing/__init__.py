"""A test kit for PracticeRx plugin authors: real services, synthetic data, no mocks.

The pytest fixtures are in :mod:`practice_rx.testing.plugin` (loaded through the
``pytest11`` entry point when practice-rx is installed); the helpers they hand
out are here, for use outside pytest too. ``docs/plugin-testing.md`` is the guide.
No Qt is imported: a plugin's tests run headless.
"""

from practice_rx.testing.kit import (
    Clock,
    Kit,
    RenderedLetter,
    Users,
    filled_answers,
    pdf_text,
    plugin_entry_points,
    synthetic_nhs_number,
)

__all__ = [
    "Clock",
    "Kit",
    "RenderedLetter",
    "Users",
    "filled_answers",
    "pdf_text",
    "plugin_entry_points",
    "synthetic_nhs_number",
]
