"""What every export of a period to a file shares: the report, the extract and the GP
codes, from the command line and from their windows.

The command line's mistakes (a date, a period that ends before it starts, an ``--out``
already there) are refused before the database opens, with a message naming the
option; a file is written under a temporary name beside its destination and renamed
once whole, so a failure part way never leaves half a file where a whole one was
expected. Nothing heavy is imported here: :mod:`practice_rx.cli` loads it at every start.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from practice_rx.reports.period import ReportPeriod

T = TypeVar("T")


def iso_date(text: str) -> date:
    """argparse names the option in front of this message (``argument --from: ...``)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date as YYYY-MM-DD (such as 2026-04-01), got {text!r}") from None


def checked_period_and_out(args: argparse.Namespace) -> tuple[ReportPeriod, Path] | None:
    """``--from``, ``--to`` and ``--out`` (with ``--force``) as a period and a path, or None
    once the problem is said on stderr."""
    from practice_rx.reports.period import ReportPeriod

    if args.to_date < args.from_date:
        return _refuse(f"--to ({args.to_date}) is before --from ({args.from_date}): expected "
                       "the last day of the period, on or after the first")
    out = Path(args.out)
    if out.is_dir():
        return _refuse(f"--out {out} is a folder: expected a file name")
    if out.exists() and not args.force:
        return _refuse(f"--out {out} already exists; nothing was written. Give another "
                       "name, or --force to replace it")
    if not out.parent.is_dir():
        return _refuse(f"--out {out}: the folder {out.parent} does not exist")
    return ReportPeriod(args.from_date, args.to_date), out


def write_whole(out: Path, write: Callable[[Path], T]) -> T:
    """``write`` to a temporary file beside ``out``, renamed to ``out`` once it returns."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        result = write(partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return result


def _refuse(message: str) -> None:
    print(f"practice-rx: {message}", file=sys.stderr)
