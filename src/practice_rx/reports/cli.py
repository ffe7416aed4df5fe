"""``practice-rx report`` and ``practice-rx extract``: the report figures and the
pseudonymised extract, written to a file from the command line.

Registered by :mod:`practice_rx.cli` at every start, so this module imports nothing
heavy: the services, SQLAlchemy and the writers load inside the handlers. The period and
``--out`` are checked, and the file written whole, by :mod:`practice_rx.period_export`
(exit status 2 and nothing written for a mistake on the command line).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from practice_rx.period_export import checked_period_and_out, iso_date, write_whole

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


def cmd_report(args: argparse.Namespace) -> int:
    checked = checked_period_and_out(args)
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
    write_whole(out, lambda path: _writer(args.format)(report, path, suppress=suppress,
                                                        **options))
    print(f"Report on referrals sent {period.from_date} to {period.to_date} written to {out} "
          f"({args.format}; " + ("small numbers suppressed)" if suppress else
                                 "NOT suppressed: for the practice only)"))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    checked = checked_period_and_out(args)
    if checked is None:
        return 2
    period, out = checked
    from practice_rx.cli import _user_id
    from practice_rx.startup import start

    app = start(args.database)
    try:
        services = app.services
        user_id = _user_id(services, args.user)
        rows = write_whole(out, lambda path: services.extracts.write_csv(
            user_id, period, path, practices=args.practice))
    finally:
        app.close()
    print(f"Extract of {rows:,} referrals sent {period.from_date} to {period.to_date} "
          f"written to {out}; it is recorded on the audit trail.")
    return 0


def _practices_counted(services, user_id: int, codes: list[str]) -> str:
    """The XLSX and PDF heading: the practices the report counts, by name and ODS code."""
    wanted = {code.strip().upper() for code in codes}
    return ", ".join(f"{practice.name} ({practice.ods_code})"
                     for practice in services.practice.visible(user_id)
                     if not wanted or practice.ods_code in wanted)


def _writer(format_: str) -> Callable[..., object]:
    if format_ == "xlsx":
        from practice_rx.reports.export_xlsx import write_report_xlsx

        return write_report_xlsx
    if format_ == "pdf":
        from practice_rx.reports.export_pdf import write_report_pdf

        return write_report_pdf
    from practice_rx.reports.export_csv import write_report_csv

    return write_report_csv
