"""``practice-rx report`` and ``practice-rx extract``: the report figures and the
pseudonymised extract, written to a file from the command line.

Registered by :mod:`practice_rx.cli` at every start, so this module imports nothing
heavy: the services, SQLAlchemy and the writers load inside the handlers. Everything the
command line can get wrong (a date, the period, a file already there) is refused before
the database is opened, with exit status 2 and nothing written. A file is written under
a temporary name beside ``--out`` and renamed when whole, so a failure part way never
leaves half a report where the full one was expected.
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
FORMATS = ("csv", "xlsx", "pdf")
INTERNAL_WARNING = ("Warning: --internal: small numbers are NOT suppressed (counts of 1 to 4 "
                    "are shown as they are). This copy must not leave the practice.")


def add_report_commands(commands: argparse._SubParsersAction) -> None:
    """The ``report`` and ``extract`` commands, on the main parser's subcommands."""
    report = commands.add_parser(
        "report", help="the report's figures for referrals sent in a period, as CSV, XLSX "
        "or PDF (small numbers suppressed unless --internal)")
    _period_options(report)
    report.add_argument("--format", required=True, choices=FORMATS,
                        help="csv (one file, a section per figure), xlsx (a sheet per figure) "
                        "or pdf (with charts)")
    report.add_argument("--out", required=True, metavar="PATH", help="the file to write")
    report.add_argument("--internal", action="store_true",
                        help="do not suppress small numbers: for use inside the practice only")
    report.set_defaults(handler=cmd_report)

    extract = commands.add_parser(
        "extract", help="the pseudonymised row-level extract for evaluation (admins only): "
        "a CSV line per referral sent in the period, no names, NHS numbers, addresses or "
        "free text")
    _period_options(extract)
    extract.add_argument("--out", required=True, metavar="FILE.csv", help="the CSV to write")
    extract.set_defaults(handler=cmd_extract)


def _period_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True, help="who is asking (a username)")
    parser.add_argument("--from", dest="from_date", required=True, type=iso_date,
                        metavar="DATE", help="the first day sent, YYYY-MM-DD")
    parser.add_argument("--to", dest="to_date", required=True, type=iso_date, metavar="DATE",
                        help="the last day sent (included), YYYY-MM-DD")
    parser.add_argument("--practice", action="append", default=[], metavar="ODS",
                        help="only this practice, by ODS code (repeat for several; default: "
                        "every practice the user may see)")
    parser.add_argument("--force", action="store_true",
                        help="replace --out if it already exists")


def iso_date(text: str) -> date:
    """argparse names the option in front of this message (``argument --from: ...``)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date as YYYY-MM-DD (such as 2026-04-01), got {text!r}") from None


def cmd_report(args: argparse.Namespace) -> int:
    checked = _checked(args)
    if checked is None:
        return 2
    period, out = checked
    from practice_rx.cli import _user_id
    from practice_rx.startup import start

    app = start(args.database)
    try:
        services = app.services
        user_id = _user_id(services, args.user)
        report = services.reports.build(user_id, period, practices=args.practice)
        options = {} if args.format == "csv" else {
            "heading": _practices_counted(services, user_id, args.practice)}
    finally:
        app.close()
    suppress = not args.internal
    if args.internal:
        print(INTERNAL_WARNING, file=sys.stderr)
    _write_whole(out, lambda path: _writer(args.format)(report, path, suppress=suppress,
                                                        **options))
    print(f"Report on referrals sent {period.from_date} to {period.to_date} written to {out} "
          f"({args.format}; " + ("small numbers suppressed)" if suppress else
                                 "NOT suppressed: for the practice only)"))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    checked = _checked(args)
    if checked is None:
        return 2
    period, out = checked
    from practice_rx.cli import _user_id
    from practice_rx.startup import start

    app = start(args.database)
    try:
        services = app.services
        user_id = _user_id(services, args.user)
        rows = _write_whole(out, lambda path: services.extracts.write_csv(
            user_id, period, path, practices=args.practice))
    finally:
        app.close()
    print(f"Extract of {rows:,} referrals sent {period.from_date} to {period.to_date} "
          f"written to {out}; it is recorded on the audit trail.")
    return 0


def _checked(args: argparse.Namespace) -> tuple[ReportPeriod, Path] | None:
    """The period and the output path, or None once it said what is wrong."""
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


def _practices_counted(services, user_id: int, codes: list[str]) -> str:
    """The XLSX and PDF heading: the practices the report counts, by name and ODS code."""
    wanted = {code.strip().upper() for code in codes}
    return ", ".join(f"{practice.name} ({practice.ods_code})"
                     for practice in services.practice.visible(user_id)
                     if not wanted or practice.ods_code in wanted)


def _refuse(message: str) -> None:
    print(f"practice-rx: {message}", file=sys.stderr)


def _writer(format_: str) -> Callable[..., object]:
    if format_ == "xlsx":
        from practice_rx.reports.export_xlsx import write_report_xlsx

        return write_report_xlsx
    if format_ == "pdf":
        from practice_rx.reports.export_pdf import write_report_pdf

        return write_report_pdf
    from practice_rx.reports.export_csv import write_report_csv

    return write_report_csv


def _write_whole(out: Path, write: Callable[[Path], T]) -> T:
    """``write`` to a temporary file beside ``out``, renamed to ``out`` once it returns."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        result = write(partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return result
