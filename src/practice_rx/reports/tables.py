"""A figure as a small table: labelled columns and plain rows, ready for CSV, XLSX or a chart.

A column's ``kind`` says what suppression does to it: ``count`` cells are people or
referrals counted (1-4 become "<5"), ``derived`` cells are worked out from a row's
counts (a rate, a mean, a median) and are withheld when a count in their row is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["label", "count", "derived"]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind = "label"


@dataclass(frozen=True)
class Table:
    """One figure of the report.

    ``for_commissioner`` marks the tables that may leave the practice and so are
    suppressed when small; a staff figure (caseloads) stays inside.
    """

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[object, ...], ...]
    for_commissioner: bool = True
    note: str = ""

    def column_index(self, key: str) -> int:
        return next(i for i, column in enumerate(self.columns) if column.key == key)

    def as_dicts(self) -> list[dict[str, object]]:
        """The rows keyed by column, as tests and charts read them."""
        keys = [column.key for column in self.columns]
        return [dict(zip(keys, row)) for row in self.rows]
