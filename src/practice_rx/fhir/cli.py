"""``practice-rx export fhir`` and ``practice-rx import fhir``: bundles to and from files.

Kept out of ``practice_rx.cli``, which only registers them. The ``export`` and
``import`` groups are shared with other kinds of file (another module may add
``export codes``), so each group is made once and reused by whoever comes second.
Exit status: 0 when every file was written (or the referral saved), 2 when refused
(nothing written, nothing saved), with each problem on its own line.
"""

from __future__ import annotations

import argparse
import sys


def command_group(commands: argparse._SubParsersAction, name: str,
                  help_text: str) -> argparse._SubParsersAction:
    """The subcommands of ``practice-rx NAME``, made now or taken from who made them first."""
    parser = commands.choices.get(name)
    if parser is None:
        parser = commands.add_parser(name, help=help_text)
        return parser.add_subparsers(dest=f"{name}_command", metavar="KIND", required=True)
    return next(action for action in parser._actions
                if isinstance(action, argparse._SubParsersAction))


def add_fhir_commands(commands: argparse._SubParsersAction) -> None:
    """``export fhir``, ``export fhir-questionnaire`` and ``import fhir``."""
    export = command_group(commands, "export", "write referrals to files for other systems")
    bundles = export.add_parser(
        "fhir", help="one FHIR R4 UK Core bundle (JSON) per referral, into a folder")
    bundles.add_argument("referral", type=int, nargs="+", metavar="REFERRAL_ID",
                         help="the referrals' numbers")
    bundles.add_argument("--user", required=True, help="who is exporting (a username)")
    bundles.add_argument("--out", default=".", help="the folder to write the files to")
    bundles.set_defaults(handler=cmd_export_fhir)
    form = export.add_parser("fhir-questionnaire",
                             help="a referral form as a FHIR R4 UK Core Questionnaire")
    form.add_argument("form_id", metavar="FORM_ID", help="the form's id, e.g. national")
    form.add_argument("--version", type=int, required=True, help="the form's version")
    form.add_argument("--out", default=".", help="the folder to write the file to")
    form.set_defaults(handler=cmd_export_questionnaire)

    imports = command_group(commands, "import", "read referrals other systems sent")
    bundle = imports.add_parser(
        "fhir", help="a FHIR UK Core ServiceRequest bundle as an inbound draft referral")
    bundle.add_argument("file", metavar="FILE", help="the bundle (JSON)")
    bundle.add_argument("--user", required=True, help="who is entering it (a username)")
    bundle.set_defaults(handler=cmd_import_fhir)


def _open(args: argparse.Namespace):
    from practice_rx.services import Services
    from practice_rx.settings import Settings
    from practice_rx.storage.database import Database

    services = Services(Database.open(args.database or Settings.load().resolved_database_url()))
    return services, services.fhir


def _user_id(services, username: str) -> int:
    from practice_rx.errors import NotFoundError

    user = services.users.by_username(username)
    if user is None:
        raise NotFoundError(f"There is no user called '{username}'")
    return user.id


def _refused(what: str, error) -> int:
    from practice_rx.errors import ValidationError

    print(f"practice-rx: {what}", file=sys.stderr)
    lines = error.errors.values() if isinstance(error, ValidationError) else [str(error)]
    for line in lines:
        print(f"  {line}", file=sys.stderr)
    return 2


def cmd_export_fhir(args: argparse.Namespace) -> int:
    from practice_rx.errors import PracticeRxError

    services, fhir = _open(args)
    try:
        paths = fhir.export(_user_id(services, args.user), args.referral, args.out)
    except PracticeRxError as error:
        return _refused("not exported, no file was written:", error)
    finally:
        services.db.close()
    for path in paths:
        print(path)
    print(f"{len(paths)} FHIR bundle(s) written; each export is on the audit trail.")
    return 0


def cmd_export_questionnaire(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from practice_rx.errors import PracticeRxError

    services, fhir = _open(args)
    try:
        resource = fhir.questionnaire(args.form_id, args.version)
    except PracticeRxError as error:
        return _refused("not exported:", error)
    finally:
        services.db.close()
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"questionnaire-{args.form_id}-{args.version}.json"
    path.write_text(json.dumps(resource, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(path)
    return 0


def cmd_import_fhir(args: argparse.Namespace) -> int:
    from pathlib import Path

    from practice_rx.errors import PracticeRxError

    services, fhir = _open(args)
    try:
        referral = fhir.import_bundle(_user_id(services, args.user),
                                      Path(args.file).read_bytes())
    except PracticeRxError as error:
        return _refused(f"{args.file} was not imported, nothing was saved:", error)
    except OSError as error:
        print(f"practice-rx: {args.file} cannot be read: {error.strerror}", file=sys.stderr)
        return 2
    finally:
        services.db.close()
    print(f"Imported as referral {referral.id}, an inbound draft from "
          f"{referral.referrer_organisation or referral.referrer_name or 'the person themself'}"
          ". Check it and send it to the link worker service.")
    return 0
