"""The report as one CSV file with a section per figure.

One file, because a commissioner's inbox and a spreadsheet both take one file more
easily than a folder: each section is a line with the table's key and title, a line
of notes (the suppression rule when applied), the header, the rows, then a blank line.
A spreadsheet opens it as one sheet; ``read_sections`` reads it back.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from practice_rx.reports.build import Report
from practice_rx.reports.suppression import DEFAULT_THRESHOLD, suppress_small_numbers

SECTION = "#"


def report_csv(report: Report, *, suppress: bool = True,
               threshold: int = DEFAULT_THRESHOLD) -> str:
    """The CSV text; suppression is on unless asked off (an internal copy)."""
    shown = suppress_small_numbers(report, threshold) if suppress else report
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    period = shown.period
    heading = (f"Referrals sent {period.from_date.isoformat()} to {period.to_date.isoformat()}; "
               f"counts now as at {shown.today.isoformat()}")
    writer.writerow([SECTION, "report", heading])
    writer.writerow([SECTION, "suppression",
                     f"counts of 1 to {threshold - 1} shown as <{threshold}" if suppress
                     else "none: not for use outside the practice"])
    writer.writerow([])
    for table in shown.tables():
        writer.writerow([SECTION, table.key, table.title])
        writer.writerow([SECTION, "note", table.note])
        writer.writerow([column.label for column in table.columns])
        writer.writerows(["" if value is None else value for value in row]
                         for row in table.rows)
        writer.writerow([])
    return out.getvalue()


def write_report_csv(report: Report, path: Path, *, suppress: bool = True,
                     threshold: int = DEFAULT_THRESHOLD) -> Path:
    path.write_text(report_csv(report, suppress=suppress, threshold=threshold),
                    encoding="utf-8", newline="")
    return path


def read_sections(text: str) -> dict[str, list[list[str]]]:
    """Each section's header and rows by table key (for checks and round trips)."""
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for row in csv.reader(io.StringIO(text)):
        if not row:
            current = None
        elif row[0] == SECTION:
            if row[1] not in ("report", "suppression", "note"):
                current = sections.setdefault(row[1], [])
        elif current is not None:
            current.append(row)
    return sections
