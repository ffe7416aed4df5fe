"""``practice-rx mesh …``: MESH secrets into the keyring, a sign-in check, and deliveries.

Kept out of ``practice_rx.cli``, which only registers them; nothing here is
imported until a ``mesh`` command runs. Secrets are typed at a prompt that does
not echo (or read from standard input with ``--stdin``), never given as an
argument, which would leave them in the shell's history.
Exit status: 0 when done, 1 when a check or a delivery did not succeed, 2 when refused.
"""

from __future__ import annotations

import argparse
import sys


def add_mesh_commands(commands: argparse._SubParsersAction) -> None:
    mesh = commands.add_parser(
        "mesh", help="NHS MESH: keep its password and key in the keyring, check the sign-in, "
                     "deliver referrals").add_subparsers(dest="mesh_command", metavar="ACTION",
                                                          required=True)
    password = mesh.add_parser("set-password",
                               help="keep a MESH mailbox's password in the keyring (prompted)")
    password.add_argument("--mailbox", required=True, help="the mailbox id, e.g. A81001OT001")
    password.add_argument("--stdin", action="store_true",
                          help="read the password from standard input instead of a prompt")
    password.set_defaults(handler=cmd_set_password)
    key = mesh.add_parser("set-shared-key",
                          help="keep the MESH environment's shared key in the keyring (prompted)")
    key.add_argument("--stdin", action="store_true",
                     help="read the key from standard input instead of a prompt")
    key.set_defaults(handler=cmd_set_shared_key)
    check = mesh.add_parser("check", help="sign in to MESH with the settings and keyring, and "
                                          "count the messages waiting (none is read)")
    check.add_argument("--mailbox", help="this mailbox (default: each practice's)")
    check.set_defaults(handler=cmd_check)
    deliver = mesh.add_parser("deliver", help="deliver a sent referral to its service")
    deliver.add_argument("referral", type=int, help="the referral's number")
    deliver.add_argument("--user", required=True, help="who is delivering it (a username)")
    deliver.set_defaults(handler=cmd_deliver)
    again = mesh.add_parser("send-again", help="send a pending or failed delivery again "
                                               "(what went already is not sent twice)")
    again.add_argument("delivery", type=int, help="the delivery's number")
    again.add_argument("--user", required=True, help="who is sending it (a username)")
    again.set_defaults(handler=cmd_send_again)
    poll = mesh.add_parser("poll", help="check sent deliveries for the services' "
                                        "acknowledgements")
    poll.add_argument("--user", required=True, help="who is checking (a username)")
    poll.set_defaults(handler=cmd_poll)
    pending = mesh.add_parser("pending", help="list deliveries pending or failed, to chase")
    pending.add_argument("--user", required=True, help="who is looking (a username)")
    pending.set_defaults(handler=cmd_pending)


def _secret(args: argparse.Namespace, prompt: str) -> str:
    import getpass

    from practice_rx.errors import ValidationError

    if args.stdin:
        value = sys.stdin.readline().rstrip("\n")
    else:
        value = getpass.getpass(f"{prompt}: ")
        if getpass.getpass(f"{prompt} again: ") != value:
            raise ValidationError.single("secret", f"{prompt}: the two differ; nothing saved")
    if not value:
        raise ValidationError.single("secret", f"{prompt}: nothing was typed; nothing saved")
    return value


def cmd_set_password(args: argparse.Namespace) -> int:
    from practice_rx.delivery import secrets
    from practice_rx.errors import ValidationError
    from practice_rx.domain.delivery_methods import MESH_MAILBOX_ID

    mailbox = args.mailbox.strip().upper()
    if not MESH_MAILBOX_ID.fullmatch(mailbox):
        raise ValidationError.single("mailbox", "--mailbox: a MESH mailbox id is 1 to 20 "
                                     f"letters and digits, not '{args.mailbox}'")
    secrets.set_mailbox_password(mailbox, _secret(args, f"Password of MESH mailbox {mailbox}"))
    print(f"The password of MESH mailbox {mailbox} is in the keyring "
          f"({secrets.KEYRING_SERVICE}).")
    return 0


def cmd_set_shared_key(args: argparse.Namespace) -> int:
    from practice_rx.delivery import secrets

    secrets.set_shared_key(_secret(args, "MESH shared key"))
    print(f"The MESH shared key is in the keyring ({secrets.KEYRING_SERVICE}).")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from practice_rx.delivery import DeliveryError
    from practice_rx.delivery.mesh_settings import MeshSettingsChannel
    from practice_rx.settings import Settings

    if args.mailbox:
        mailboxes = [args.mailbox.strip().upper()]
    else:
        from practice_rx.services import Services
        from practice_rx.storage.database import Database

        services = Services(Database.open(args.database or Settings.load()
                                          .resolved_database_url(), read_only=True))
        try:
            mailboxes = sorted({p.mesh_mailbox_id for p in services.practice.all()
                                if p.mesh_mailbox_id})
        finally:
            services.db.close()
        if not mailboxes:
            print("No practice has a MESH mailbox id: set it in the practice's details, or "
                  "give --mailbox.", file=sys.stderr)
            return 1
    settings = Settings.load()
    failed = False
    for mailbox in mailboxes:
        try:
            waiting = MeshSettingsChannel(lambda: settings).bind(mailbox, None).channel().check()
        except DeliveryError as error:
            print(f"{mailbox}: not signed in: {error}")
            failed = True
        else:
            print(f"{mailbox}: signed in to {settings.mesh_url}; {waiting} message"
                  f"{'s' if waiting != 1 else ''} waiting in the inbox")
    return 1 if failed else 0


def _app(args: argparse.Namespace):
    from practice_rx.startup import start

    return start(args.database)


def _user(services, username: str) -> int:
    from practice_rx.errors import NotFoundError

    user = services.users.by_username(username)
    if user is None:
        raise NotFoundError(f"There is no user called '{username}'")
    return user.id


def _print(rows) -> None:
    for row in rows:
        print(f"delivery {row.id}  referral {row.referral_id}  {row.local_id}  {row.state}"
              f"  {row.summary()}")


def cmd_deliver(args: argparse.Namespace) -> int:
    app = _app(args)
    try:
        report = app.services.delivery.deliver(_user(app.services, args.user), args.referral)
    finally:
        app.close()
    print(report.message)
    return 0 if report.delivery is None or report.delivery.state == "sent" else 1


def cmd_send_again(args: argparse.Namespace) -> int:
    app = _app(args)
    try:
        services = app.services
        user = _user(services, args.user)
        current = next((row for row in services.delivery.pending_or_failed(user)
                        if row.id == args.delivery), None)
        if current is None:
            from practice_rx.errors import NotFoundError

            raise NotFoundError(f"Delivery {args.delivery} is not pending or failed (see "
                                "practice-rx mesh pending)")
        report = services.delivery.send_again(user, current.id, current.version)
    finally:
        app.close()
    print(report.message)
    return 0 if report.delivery.state == "sent" else 1


def cmd_poll(args: argparse.Namespace) -> int:
    app = _app(args)
    try:
        reports = app.services.delivery.poll(_user(app.services, args.user))
    finally:
        app.close()
    for report in reports:
        print(f"delivery {report.delivery.id}: {report.message}")
    print(f"{len(reports)} sent deliver{'ies' if len(reports) != 1 else 'y'} checked")
    return 0


def cmd_pending(args: argparse.Namespace) -> int:
    app = _app(args)
    try:
        rows = app.services.delivery.pending_or_failed(_user(app.services, args.user))
    finally:
        app.close()
    _print(rows)
    print(f"{len(rows)} pending or failed")
    return 0
