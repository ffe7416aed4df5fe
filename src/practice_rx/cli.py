"""The ``practice-rx`` command: the application, and database and demo-data chores."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from practice_rx import __version__
from practice_rx.delivery.cli import add_mesh_commands
from practice_rx.errors import NotFoundError, PracticeRxError, ValidationError
from practice_rx.fhir.cli import add_fhir_commands
from practice_rx.fhir.codes_cli import add_code_commands
from practice_rx.launch_request import LauncherSafeParser, nhs_number_argument
from practice_rx.oruk.cli import add_catalogue_commands
from practice_rx.reports.cli import add_report_commands
from practice_rx.settings import Settings, data_dir

log = logging.getLogger("practice_rx")


def _url(args: argparse.Namespace) -> str:
    return args.database or Settings.load().resolved_database_url()


def _open(args: argparse.Namespace, upgrade: bool = True, *, read_only: bool = False,
          any_schema: bool = False, quick_check: bool = True):
    """The database; ``read_only`` for readers, which never create, migrate or write."""
    from practice_rx.storage.database import Database

    return Database.open(_url(args), upgrade=upgrade, read_only=read_only,
                         any_schema=any_schema, quick_check=quick_check)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Check an existing database's pages first: a damaged one is never migrated."""
    from practice_rx.storage import migrate
    from practice_rx.storage.database import RESTORE_ADVICE, existing_database

    url = _url(args)
    existing = existing_database(url)
    if existing is not None:
        try:
            problems = existing.check(schema=False)
        finally:
            existing.close()
        if problems:
            print(f"practice-rx: the database at {safe(url)} is damaged; it was not "
                  "upgraded.", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
            print(RESTORE_ADVICE, file=sys.stderr)
            return 2
    db = _open(args)
    print(f"{db.url} is at schema {migrate.head_revision()} (latest)")
    db.close()
    return 0


def cmd_db_check(args: argparse.Namespace) -> int:
    """SQLite's integrity check (PostgreSQL: the connection), then the schema; writes nothing."""
    from practice_rx.storage.database import RESTORE_ADVICE

    db = _open(args, read_only=True, any_schema=True, quick_check=False)
    try:
        problems = db.check()
    finally:
        db.close()
    if problems:
        print(f"Database {db.url} has problems:")
        for problem in problems:
            print(f"  {problem}")
        if not all("db upgrade" in problem for problem in problems):
            print(RESTORE_ADVICE)
        return 1
    print(f"Database {db.url} checked: "
          + ("every page is sound, " if db.backend == "sqlite" else "connected, ")
          + "and the schema is this PracticeRx's")
    return 0


def cmd_db_info(args: argparse.Namespace) -> int:
    from practice_rx.storage import migrate

    db = _open(args, read_only=True, any_schema=True)
    with db.connect() as connection:
        revision = migrate.current_revision(connection)
    print(f"Database:  {db.url}")
    print("From:      " + ("--database" if args.database
                           else Settings.load().database_url_source()))
    print(f"Schema:    {revision or 'empty'} (this PracticeRx: {migrate.head_revision()})")
    if revision:
        counts = db.table_counts()
        width = max(map(len, counts), default=0)
        for table, count in counts.items():
            print(f"  {table:<{width}} {count:>9,}")
    db.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Demo data into a new or demo database named by --database; any other is refused
    before anything is opened for writing (so nothing is migrated or synced either)."""
    from practice_rx.services.demo import DemoSize, fill
    from practice_rx.services.demo_guard import refusal
    from practice_rx.startup import start
    from practice_rx.storage.database import existing_database

    if not args.database:
        print("practice-rx: demo needs --database URL, a new or demo database; it never "
              "fills the practice's own database. To try PracticeRx on demo data, run "
              "practice-rx --demo, which makes its own.", file=sys.stderr)
        return 2
    existing = existing_database(args.database)
    if existing is not None:
        try:
            with existing.connect() as connection:
                reason = refusal(connection, existing.url)
        finally:
            existing.close()
        if reason is not None:
            print(f"practice-rx: {reason}", file=sys.stderr)
            return 2
    app = start(args.database)
    db = app.services.db

    def progress(stage: str, done: int, total: int) -> None:
        print(f"\r{stage}: {done:,} of {total:,}", end="", file=sys.stderr, flush=True)

    try:
        counts = fill(db, DemoSize(args.patients, args.referrals, args.services),
                      seed=args.seed, progress=progress)
    finally:
        app.close()
    print(file=sys.stderr)
    print(f"Demo data added to {db.url}: " + ", ".join(
        f"{counts[t]:,} {t.replace('_', ' ')}s" for t in ("patient", "referral", "service")))
    return 0


def cmd_plugins(args: argparse.Namespace) -> int:
    """List the plugins and what their hooks give now; nothing is written anywhere."""
    from practice_rx.startup import check_plugins

    plugins, compared = check_plugins(args.database)
    for info in plugins.info():
        state = ("enabled" if info.loaded else "enabled, not loaded") if info.enabled \
            else "disabled"
        print(f"{info.name} {info.version} ({state}; {info.source})")
        for hook in info.hooks:
            print(f"    implements {hook}")
        for error in info.errors:
            print(f"    ERROR in {error.hook}: {error.message}")
        for warning in info.warnings:
            print(f"    warning in {warning.hook}: {warning.message}")
    print(f"{compared}\nNothing was changed: the plugins' forms and services are installed "
          "when PracticeRx starts.")
    return 1 if plugins.errors else 0


def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from practice_rx.storage.backup import backup

    db = _open(args)  # refuses a newer schema before anything is copied
    url = db.engine.url.render_as_string(hide_password=False)
    db.close()
    print(f"Backed up {safe(url)} to {backup(url, Path(args.file))}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from practice_rx.storage.backup import restore

    url = args.database or Settings.load().resolved_database_url()
    if not args.yes:
        print(f"This replaces everything in {safe(url)} with {args.file}. Close PracticeRx on "
              "every workstation first, then run again with --yes.", file=sys.stderr)
        return 2
    restore(url, Path(args.file))
    db = _open(args)  # migrates a backup from an older version to this one
    print(f"Restored {args.file} into {db.url}")
    db.close()
    return 0


def _services(args: argparse.Namespace, *, read_only: bool = False):
    """The services; ``read_only`` for commands that only read (never create or migrate)."""
    from practice_rx.services import Services

    return Services(_open(args, read_only=read_only))


def _password(args: argparse.Namespace) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Same password again: ") != first:
        raise ValidationError.single("password", "Password: the two passwords differ")
    return first


def _user_id(services, username: str) -> int:
    user = services.users.by_username(username)
    if user is None:
        raise NotFoundError(f"There is no user called '{username}'")
    return user.id


def cmd_users(args: argparse.Namespace) -> int:
    services = _services(args, read_only=args.users_command == "list")
    try:
        if args.users_command == "list":
            codes = {practice.id: practice.ods_code for practice in services.practice.all()}
            for user in services.users.list():
                state = "active" if user.active else "disabled"
                login = "can log in" if user.password_hash else "no password"
                where = "all practices" if user.all_practices else " ".join(sorted(
                    codes[i] for i in services.users.practices_of(user.id))) or "no practice"
                print(f"{user.username:<20} {user.display_name:<24} {user.role:<13} "
                      f"{state}, {login}; {where}")
        elif args.users_command == "add":
            chosen = services.practice.by_ods(args.practice or ())  # refused before adding
            user = services.users.create(args.username, args.name, args.role, _password(args))
            if args.practice or args.all_practices:
                services.users.set_practices(None, user.id, {p.id for p in chosen},
                                             args.all_practices)
            print(f"Added {user.username} ({user.role})")
        elif args.users_command == "practices":
            _set_practices(services, _user_id(services, args.username), args)
            print(f"{args.username} now works "
                  + ("across the network" if args.all_practices else
                     "for " + ", ".join(code.upper() for code in args.practice)))
        elif args.users_command in ("disable", "enable"):
            services.users.set_active(None, _user_id(services, args.username),
                                      args.users_command == "enable")
            print(f"{args.username} is now {args.users_command}d")
        elif args.users_command == "reset-password":
            services.users.reset_password(None, _user_id(services, args.username),
                                          _password(args))
            print(f"Password reset for {args.username}; the account is unlocked")
    finally:
        services.db.close()
    return 0


def _set_practices(services, user_id: int, args: argparse.Namespace) -> None:
    chosen = services.practice.by_ods(args.practice or ())
    services.users.set_practices(None, user_id, {p.id for p in chosen}, args.all_practices)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    services = _services(args, read_only=True)
    try:
        report = services.audit.check()
    finally:
        services.db.close()
    if report.problems:
        print(f"Audit trail damaged: {len(report.problems)} problem(s).")
        for problem in report.problems[:50]:
            print(f"  {problem}")
        if len(report.problems) > 50:
            print(f"  ... and {len(report.problems) - 50} more")
        return 1
    unkeyed = f"; {report.unkeyed_rows:,} from before keying" if report.unkeyed_rows else ""
    print(f"Audit trail verified: every row is as written, in order ({report.rows:,} rows"
          f"{unkeyed}); its end matches the anchor; patients, referrals and their events "
          "match the trail")
    return 0


def cmd_audit_anchor(args: argparse.Namespace) -> int:
    """Record the chain's head outside the database (after a restore: --accept-current)."""
    services = _services(args)
    try:
        anchor = services.audit.anchor(accept_current=args.accept_current)
    finally:
        services.db.close()
    print(f"Audit trail anchored at row {anchor.last_id} ({anchor.count:,} rows) in "
          f"{services.audit.audit.key_path().parent}")
    return 0


def cmd_db_setup_roles(args: argparse.Namespace) -> int:
    """Create the schema owner and the application role, and grant what each may do."""
    import getpass

    from practice_rx.storage.roles import setup_roles

    passwords = {}
    if not args.no_passwords:
        for role in (args.owner, args.app_role):
            passwords[role] = getpass.getpass(f"Password for {role} (empty: leave unchanged): ")
        passwords = {role: password for role, password in passwords.items() if password}
    statements = setup_roles(args.admin_url or _url(args), args.owner, args.app_role, passwords)
    print(f"{len(statements)} statements run. Migrate as {args.owner} "
          f"('practice-rx --database <{args.owner} URL> db upgrade', then run this again); "
          f"workstations connect as {args.app_role}.")
    return 0


def cmd_letters(args: argparse.Namespace) -> int:
    from pathlib import Path

    from practice_rx.startup import start

    app = start(args.database)
    try:
        services = app.services
        user_id = _user_id(services, args.user)
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        for kind in args.kind or ["referral", "patient"]:
            letter = services.letters.generate(user_id, args.referral, kind)
            (folder / letter.filename).write_bytes(letter.pdf)
            print(f"{folder / letter.filename}  sha256 {letter.record.sha256}")
    finally:
        app.close()
    return 0


def cmd_chasers(args: argparse.Namespace) -> int:
    """The chase list; with --make, its chaser letters after a count and a confirmation."""
    from pathlib import Path

    from practice_rx.domain.identifiers import format_date
    from practice_rx.startup import start

    app = start(args.database)
    try:
        services = app.services
        user_id = _user_id(services, args.user)
        chase = services.chasing.candidates(user_id)
        listed = {c.row.id: c for c in chase.candidates}
        unknown = sorted(set(args.referral or ()) - set(listed))
        if unknown:
            raise ValidationError.single("referral", "Referral: not on the chase list (not "
                                         f"overdue): {', '.join(map(str, unknown))}")
        chosen = [i for i in listed if (i in args.referral if args.referral else
                                        args.include_recent or listed[i].chosen_by_default)]
        for candidate in chase.candidates:
            row = candidate.row
            last = format_date(row.last_chased_at.date()) if row.last_chased_at else "never"
            mark = "chase" if row.id in chosen else (
                "chased recently" if candidate.recently_chased else "left out")
            print(f"{row.id:>7}  due {format_date(row.response_due_on)}  "
                  f"{row.working_days_overdue:>3} working days overdue  last chased {last:<12} "
                  f"{row.service_name[:30]:<30}  {mark}")
        print(f"{len(chosen)} of {chase.total} overdue referrals to chase (those chased within "
              f"{chase.chase_again_days} working days are left out unless --include-recent).")
        if not args.make or not chosen:
            return 0
        if not args.yes:
            answer = input(f"Make {len(chosen)} chaser letters into {args.out}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing made.")
                return 1
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        items = services.chasing.make_letters(user_id, chosen, chase.listed_at)
        for item in items:
            if item.letter is not None:
                (folder / item.letter.filename).write_bytes(item.letter.pdf)
            else:
                print(f"referral {item.referral_id}: {item.error}")
        print(f"{sum(1 for i in items if i.letter)} chaser letters saved in {folder}; each is "
              "recorded as a chase on its referral.")
    finally:
        app.close()
    return 0


def cmd_refer(args: argparse.Namespace) -> int:
    """The new-referral journey on the patient a GP system's launcher names; the number is
    checked before any window opens (exit 2, the usual message, the number not repeated)."""
    nhs_number_argument(args.nhs_number)
    from practice_rx.ui.app import run

    return run(args)


def safe(url: str) -> str:
    from practice_rx.storage.database import safe_url

    return safe_url(url)


def build_parser() -> argparse.ArgumentParser:
    parser = LauncherSafeParser(
        prog="practice-rx", description="Raise, track and print social prescribing referrals.")
    parser.add_argument("--version", action="version", version=f"PracticeRx {__version__}")
    parser.add_argument("--database", metavar="URL",
                        help="database URL (default: PRACTICE_RX_DATABASE_URL, the settings file, "
                             f"or a SQLite file in {data_dir()})")
    parser.add_argument("--demo", action="store_true",
                        help="open the application on a fresh demo database of synthetic data")
    parser.add_argument("--smoke", metavar="FOLDER",
                        help="check this install: open the window on a fresh demo database, "
                             "save a referral letter into FOLDER, and exit (0: it works)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = commands.add_parser("db", help="database chores").add_subparsers(
        dest="db_command", metavar="ACTION", required=True)
    db.add_parser("upgrade", help="migrate the database to this version's schema").set_defaults(
        handler=cmd_db_upgrade)
    db.add_parser("info", help="show the database URL, schema revision and row counts"
                  ).set_defaults(handler=cmd_db_info)
    db.add_parser("check", help="check the database is sound (SQLite: every page) and "
                  "its schema is this version's; changes nothing").set_defaults(
        handler=cmd_db_check)
    roles = db.add_parser("setup-roles", help="PostgreSQL: create the schema owner and an "
                          "application role that cannot change or remove audit rows")
    roles.add_argument("--admin-url", help="a superuser's URL for the database (default: "
                       "--database)")
    roles.add_argument("--owner", default="practice_owner", help="the schema owner (migrations)")
    roles.add_argument("--app-role", default="practice_app", help="the role workstations use")
    roles.add_argument("--no-passwords", action="store_true",
                       help="set no passwords (.pgpass, peer or certificate authentication)")
    roles.set_defaults(handler=cmd_db_setup_roles)

    demo = commands.add_parser(
        "demo", help="add synthetic demo data to a new or demo database (--database URL)")
    demo.add_argument("--patients", type=int, default=400)
    demo.add_argument("--referrals", type=int, default=1500)
    demo.add_argument("--services", type=int, default=30)
    demo.add_argument("--seed", type=int, default=2026)
    demo.set_defaults(handler=cmd_demo)

    backup = commands.add_parser("backup", help="copy the database to a backup file")
    backup.add_argument("file", help="where to write the backup")
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser("restore", help="replace the database with a backup")
    restore.add_argument("file", help="a file made by 'practice-rx backup'")
    restore.add_argument("--yes", action="store_true", help="yes, replace the database")
    restore.set_defaults(handler=cmd_restore)

    users = commands.add_parser("users", help="manage who can log in").add_subparsers(
        dest="users_command", metavar="ACTION", required=True)
    users.add_parser("list", help="list users, roles and states")
    add = users.add_parser("add", help="add a user (the first admin, for instance)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="the name shown on screens and letters")
    add.add_argument("--role", required=True, choices=["receptionist", "clinician",
                                                       "link_worker", "admin"])
    practices = users.add_parser("practices", help="say which practices a user works for")
    practices.add_argument("username")
    for parser_ in (add, practices):
        parser_.add_argument("--practice", action="append", metavar="ODS",
                             help="a practice the user works for (repeat for several)")
        parser_.add_argument("--all-practices", action="store_true",
                             help="works across the network: sees every practice")
    for name in ("disable", "enable", "reset-password"):
        users.add_parser(name, help=f"{name.replace('-', ' ')} a user").add_argument("username")
    for parser_ in users.choices.values():
        parser_.add_argument("--password-stdin", action="store_true",
                             help="read the password from standard input")
        parser_.set_defaults(handler=cmd_users)
    audit = commands.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_command", metavar="ACTION", required=True)
    audit.add_parser("verify", help="check no audit row was edited, deleted, moved or cut off, "
                     "and the records match the trail").set_defaults(handler=cmd_audit_verify)
    anchor = audit.add_parser("anchor", help="record the trail's end outside the database")
    anchor.add_argument("--accept-current", action="store_true",
                        help="anchor the trail as it is even though it no longer matches the "
                        "anchor (after restoring a backup); audited")
    anchor.set_defaults(handler=cmd_audit_anchor)

    letters = commands.add_parser("letters", help="generate a referral's letters into a folder")
    letters.add_argument("referral", type=int, help="the referral's number")
    letters.add_argument("--kind", action="append",
                         choices=["referral", "patient", "patient_large_print", "chaser"],
                         help="which letter (repeat for several; default referral and patient)")
    letters.add_argument("--out", default=".", help="the folder to write the PDFs to")
    letters.add_argument("--user", required=True, help="who is printing them (a username)")
    letters.set_defaults(handler=cmd_letters)

    chasers = commands.add_parser(
        "chasers", help="list overdue referrals to chase; --make their chaser letters")
    chasers.add_argument("--user", required=True, help="who is chasing (a username)")
    chasers.add_argument("--make", action="store_true",
                         help="make the chaser letters, after a count and a confirmation")
    chasers.add_argument("--referral", type=int, action="append",
                         help="chase only this referral (repeat for several)")
    chasers.add_argument("--include-recent", action="store_true",
                         help="also chase referrals chased within the practice's window")
    chasers.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    chasers.add_argument("--out", default=".", help="the folder to write the PDFs to")
    chasers.set_defaults(handler=cmd_chasers)

    refer = commands.add_parser(
        "refer", help="open a new referral for a patient (for a GP system's launcher); "
        "hands it to PracticeRx if it is already running")
    refer.add_argument("--nhs-number", required=True, nargs="+", metavar="NUMBER",
                       help="the patient's NHS number: 10 digits, spaces or hyphens allowed")
    refer.set_defaults(handler=cmd_refer)

    plugins = commands.add_parser("plugins", help="list plugins, their versions, hooks and "
                                  "errors; 'plugins new NAME' writes a new plugin")
    plugins.set_defaults(handler=cmd_plugins)  # 'practice-rx plugins' alone still lists them
    from practice_rx.scaffold import add_commands

    add_commands(plugins.add_subparsers(dest="plugins_command", metavar="ACTION"))
    add_catalogue_commands(commands)
    add_report_commands(commands)
    add_fhir_commands(commands)
    add_code_commands(commands)
    add_mesh_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if getattr(sys, "frozen", False):  # the bundled app: a letter-rendering worker starts here
        import multiprocessing

        multiprocessing.freeze_support()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.smoke and args.command is not None:
        parser.error(f"--smoke checks the install on its own: leave out '{args.command}'")
    try:
        if args.command is None and args.smoke:
            from practice_rx.ui.smoke import smoke

            return smoke(args)
        if args.command is None:
            from practice_rx.ui.app import run

            return run(args)
        return args.handler(args)
    except PracticeRxError as error:
        print(f"practice-rx: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
