"""``practice-rx export codes``: the SNOMED CT codes of a period's referral events, as CSV
for the practice to record in the GP system.

Shares the ``export`` group with ``export fhir`` (:func:`practice_rx.fhir.cli.command_group`)
and the period and ``--out`` checks of ``practice-rx report``
(:mod:`practice_rx.period_export`): a bad date, a period that ends before it starts or
an ``--out`` already there (without ``--force``) is refused before the database is
opened, exit status 2, nothing written. Events left out for an
unverified code are counted on stderr; the file never has them.
"""

from __future__ import annotations

import argparse
import sys

from practice_rx.fhir.cli import command_group
from practice_rx.period_export import checked_period_and_out, iso_date, write_whole


def add_code_commands(commands: argparse._SubParsersAction) -> None:
    export = command_group(commands, "export", "write referrals to files for other systems")
    codes = export.add_parser(
        "codes", help="a CSV line per SNOMED CT coded referral event in a period (referred, "
        "declined), for recording in the GP system")
    codes.add_argument("--user", required=True, help="who is exporting (a username)")
    codes.add_argument("--from", dest="from_date", required=True, type=iso_date,
                       metavar="DATE", help="the first day the events happened, YYYY-MM-DD")
    codes.add_argument("--to", dest="to_date", required=True, type=iso_date, metavar="DATE",
                       help="the last day (included), YYYY-MM-DD")
    codes.add_argument("--practice", action="append", default=[], metavar="ODS",
                       help="only this practice, by ODS code (repeat for several; default: "
                       "every practice the user works for)")
    codes.add_argument("--out", required=True, metavar="FILE.csv", help="the CSV to write")
    codes.add_argument("--new-only", action="store_true",
                       help="leave out the events an earlier export already wrote")
    codes.add_argument("--force", action="store_true",
                       help="replace --out if it already exists")
    codes.set_defaults(handler=cmd_export_codes)


def cmd_export_codes(args: argparse.Namespace) -> int:
    checked = checked_period_and_out(args)
    if checked is None:
        return 2
    period, out = checked
    from practice_rx.cli import _user_id
    from practice_rx.errors import PracticeRxError
    from practice_rx.fhir.cli import _refused
    from practice_rx.startup import start

    app = start(args.database)
    try:
        services = app.services
        codes = services.gp_codes
        user_id = _user_id(services, args.user)
        found = write_whole(out, lambda path: codes.export_file(
            user_id, period, path, practices=args.practice, new_only=args.new_only))
    except PracticeRxError as error:
        return _refused("not exported, no file was written:", error)
    finally:
        app.close()
    if found.refused:
        print(f"practice-rx: warning: {found.refused} event(s) carry a code that is not on "
              "the verified list; they were left out of the file", file=sys.stderr)
    skipped = (f" ({found.already_exported} left out: an earlier export wrote them)"
               if found.already_exported else "")
    print(f"{len(found.rows)} code(s) for events {period.from_date} to {period.to_date} "
          f"written to {out}{skipped}; the export is on the audit trail.")
    return 0
