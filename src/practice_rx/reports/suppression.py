"""Small-number suppression for figures that leave the practice.

A count of 1 to ``threshold - 1`` (default 1-4) is shown as "<5" so no one can be picked
out; 0 and counts at or over the threshold stay. A derived value (a rate, mean or
median) in a row where a count was suppressed is withheld as "*", since it could give
the count back. Tables not marked ``for_commissioner`` are left as they are. Pure: the
report given is not changed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from practice_rx.reports.tables import Table

DEFAULT_THRESHOLD = 5
WITHHELD = "*"

Figures = TypeVar("Figures")


def suppress_count(value: object, threshold: int = DEFAULT_THRESHOLD) -> object:
    """``value`` as it may be shown: "<5" for 1-4, else unchanged."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < threshold:
        return f"<{threshold}"
    return value


def suppress_table(table: Table, threshold: int = DEFAULT_THRESHOLD) -> Table:
    if not table.for_commissioner:
        return table
    kinds = [column.kind for column in table.columns]
    rows = []
    for row in table.rows:
        shown = [suppress_count(value, threshold) if kind == "count" else value
                 for value, kind in zip(row, kinds)]
        if any(kind == "count" and shown[i] != row[i] for i, kind in enumerate(kinds)):
            shown = [WITHHELD if kind == "derived" and value is not None else value
                     for value, kind in zip(shown, kinds)]
        rows.append(tuple(shown))
    rule = (f"Counts of 1 to {threshold - 1} are shown as \"<{threshold}\"; a rate or "
            f"average from such a count is shown as \"{WITHHELD}\".")
    return replace(table, rows=tuple(rows), note=" ".join(filter(None, (table.note, rule))))


def suppress_small_numbers(figures: Figures, threshold: int = DEFAULT_THRESHOLD) -> Figures:
    """A copy of a :class:`~practice_rx.reports.Report` (or one :class:`Table`) with every
    commissioner's table suppressed."""
    if threshold < 1:
        raise ValueError("the suppression threshold must be at least 1")
    if isinstance(figures, Table):
        return suppress_table(figures, threshold)
    return replace(figures, **{  # type: ignore[type-var]
        name: suppress_table(value, threshold)
        for name, value in vars(figures).items() if isinstance(value, Table)})
