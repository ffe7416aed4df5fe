"""``practice-rx catalogue``: an administrator imports, lists and removes catalogues.

Kept out of ``practice_rx.cli`` so that module only registers the commands. Exit
status: 0 when the import was stored (problems with single records are printed
and do not change it) or the removal done, 1 when nothing was stored or changed.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from practice_rx.services import Services


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
    catalogue.add_parser(
        "list", help="every catalogue: plugins', the practice's own and each imported one, "
        "with its services and last import").set_defaults(handler=cmd_list)
    remove = catalogue.add_parser(
        "remove", help="mark an imported catalogue's services inactive (never deleted)")
    remove.add_argument("name", metavar="NAME",
                        help="the imported catalogue, oruk:NAME or just NAME")
    remove.set_defaults(handler=cmd_remove)


def _services(args: argparse.Namespace) -> Services | None:
    """The services on the command line's database, or None once it said why it cannot open."""
    from practice_rx.errors import PracticeRxError
    from practice_rx.services import Services
    from practice_rx.settings import Settings
    from practice_rx.storage.database import Database

    try:
        return Services(Database.open(args.database
                                      or Settings.load().resolved_database_url()))
    except PracticeRxError as error:
        print(f"practice-rx: {error}", file=sys.stderr)
        return None


def cmd_import_oruk(args: argparse.Namespace) -> int:
    from practice_rx.errors import PracticeRxError
    from practice_rx.oruk.importer import import_directory

    services = _services(args)
    if services is None:
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
    for other in report.same_directory:
        why = "; ".join(part for part in (
            "the same source" if other.same_source else "",
            f"{other.shared} of the same services" if other.shared else "") if part)
        print(f"Warning: {other.name} already holds this directory ({why}), so there are "
              f"now two copies. To keep one, remove the other: practice-rx catalogue remove "
              f"{other.name}")
    if catalogue.not_active:
        print(f"{catalogue.not_active} service(s) not active in the directory were left out.")
    problems = list(dict.fromkeys(catalogue.problems))
    if problems:
        unmapped = (f", {catalogue.unmapped} of them services whose taxonomy terms are not "
                    "in the mapping" if catalogue.unmapped else "")
        print(f"{len(problems)} problem(s){unmapped}:")
        for problem in problems:
            print(f"  {problem}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from practice_rx.oruk.catalogues import ImportedCatalogues

    services = _services(args)
    if services is None:
        return 1
    try:
        found = ImportedCatalogues.of(services).summaries()
    finally:
        services.db.close()
    rows = [("CATALOGUE", "KIND", "ACTIVE", "INACTIVE", "LAST IMPORTED", "FROM")] + [
        (c.name, c.kind, str(c.active), str(c.inactive),
         f"{c.last_imported:%Y-%m-%d %H:%M} UTC" if c.last_imported else
         ("not recorded" if c.kind == "imported" else ""),
         c.source or ("not recorded" if c.kind == "imported" else ""))
        for c in found]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].rjust(widths[2]),
                 row[3].rjust(widths[3]), row[4].ljust(widths[4]), row[5]]
        print("  ".join(cells).rstrip())
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from practice_rx.errors import PracticeRxError
    from practice_rx.oruk.catalogues import ImportedCatalogues

    services = _services(args)
    if services is None:
        return 1
    try:
        removal = ImportedCatalogues.of(services).remove(args.name)
    except PracticeRxError as error:
        print(f"practice-rx: not removed: {error}", file=sys.stderr)
        return 1
    finally:
        services.db.close()
    if removal.deactivated:
        print(f"Removed {removal.name}: {removal.deactivated} service(s) marked inactive. "
              "They are kept, not deleted, so referrals to them stay readable; importing "
              "it again brings them back.")
    else:
        print(f"{removal.name} has no active services; nothing was changed.")
    return 0
