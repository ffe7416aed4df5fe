"""``practice-rx catalogue import-oruk``: an administrator imports the area's directory.

Kept out of ``practice_rx.cli`` so that module only registers the command. Exit
status: 0 when the import was stored (problems with single records are printed
and do not change it), 1 when nothing was stored.
"""

from __future__ import annotations

import argparse
import sys


def add_catalogue_commands(commands: argparse._SubParsersAction) -> None:
    """The ``catalogue`` command and its actions, on the main parser's subcommands."""
    catalogue = commands.add_parser("catalogue", help="service catalogues").add_subparsers(
        dest="catalogue_command", metavar="ACTION", required=True)
    oruk = catalogue.add_parser(
        "import-oruk", help="import an Open Referral UK (v3.0) directory, whole or not at all")
    oruk.add_argument("source", metavar="URL_OR_FILE",
                      help="the directory's API base URL (the part before /services) or a "
                      "saved JSON file")
    oruk.add_argument("--mapping", metavar="FILE",
                      help="taxonomy terms to categories (.toml, .json or .yaml; default: "
                      "the built-in mapping of a few common term names)")
    oruk.add_argument("--name", help="the catalogue's name, stored as oruk:NAME (default: "
                      "the directory's host, or the file's name)")
    oruk.add_argument("--per-page", type=int, default=100, metavar="N",
                      help="services asked for per page (default 100)")
    oruk.set_defaults(handler=cmd_import_oruk)


def cmd_import_oruk(args: argparse.Namespace) -> int:
    from practice_rx.errors import PracticeRxError
    from practice_rx.oruk.importer import import_directory
    from practice_rx.services import Services
    from practice_rx.settings import Settings
    from practice_rx.storage.database import Database

    try:
        services = Services(Database.open(args.database
                                          or Settings.load().resolved_database_url()))
    except PracticeRxError as error:
        print(f"practice-rx: {error}", file=sys.stderr)
        return 1
    try:
        report = import_directory(services, args.source, name=args.name, mapping=args.mapping,
                                  per_page=args.per_page)
    except PracticeRxError as error:
        print(f"practice-rx: import failed, nothing was changed: {error}", file=sys.stderr)
        return 1
    finally:
        services.db.close()
    catalogue, sync = report.catalogue, report.sync
    print(f"Imported {report.plugin} from {catalogue.source}: {sync.added} added, "
          f"{sync.updated} updated, {sync.deactivated} deactivated, {sync.unchanged} unchanged.")
    if catalogue.not_active:
        print(f"{catalogue.not_active} service(s) not active in the directory were left out.")
    problems = list(dict.fromkeys(catalogue.problems))
    if problems:
        print(f"{len(problems)} problem(s), {catalogue.unmapped} of them services whose "
              "taxonomy terms are not in the mapping:")
        for problem in problems:
            print(f"  {problem}")
    return 0
