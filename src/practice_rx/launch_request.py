"""What a launch of ``practice-rx`` asks the copy already running for, checked on both sides.

A GP system's "external program" launcher runs ``practice-rx refer --nhs-number N``
with the patient on screen in the clinical record; a second ``practice-rx`` hands
its request to the copy already running (:mod:`practice_rx.ui.launch.one_copy`)
instead of opening another. Nothing from the caller is trusted: the NHS number is
the only value taken from it, and it is checked (ten digits and the check digit,
spaces and hyphens allowed, as everywhere in PracticeRx) by the sender before any
window opens and again by the receiver, which reads at most :data:`MAX_BYTES` of
strict JSON with exactly the keys it knows. The database a request is meant for
travels as a hash (a PostgreSQL URL may hold a password), so a copy open on
another or on a demo database refuses rather than looking the patient up there.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# Every other import is made where it is used: the command line imports this module to
# build its parser, and ``practice-rx db …`` should not pay for hashing or NHS numbers.

#: the request format; a copy that speaks another refuses rather than guess
PROTOCOL = 1
#: a request or reply longer than this is refused unread
MAX_BYTES = 4096
#: what a request may ask: come to the front (maybe with a patient), or its state (tests)
KINDS = frozenset({"open", "state"})
_KEYS = frozenset({"protocol", "kind", "nhs_number", "database", "demo"})
#: digits an error message must not repeat (a patient's number the launcher mis-passed)
_NUMBER_LIKE = re.compile(r"\d(?:[\s-]*\d){3,}")


class RequestRefused(ValueError):
    """A request that is not one this PracticeRx sends; the text says why, with no value."""


@dataclass(frozen=True)
class LaunchRequest:
    """One launch's request: ``nhs_number`` (ten digits) to refer, or None to come forward."""

    kind: str = "open"
    nhs_number: str | None = None
    #: a hash of the database URL asked for, or None for a demo database of its own
    database: str | None = None
    demo: bool = False

    def to_bytes(self) -> bytes:
        return (json.dumps({"protocol": PROTOCOL, "kind": self.kind,
                            "nhs_number": self.nhs_number, "database": self.database,
                            "demo": self.demo}, separators=(",", ":")) + "\n").encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> LaunchRequest:
        """The request in ``data``, re-checked as if typed: the sender is not trusted."""
        message = _decode(data)
        if set(message) != _KEYS:
            raise RequestRefused("Request: not the keys PracticeRx sends")
        if message["protocol"] != PROTOCOL:
            raise RequestRefused("Request: from another version of PracticeRx; close every "
                                 "PracticeRx window and start it again")
        kind, number, database, demo = (message[key] for key in
                                        ("kind", "nhs_number", "database", "demo"))
        if kind not in KINDS or not isinstance(demo, bool) or not (
                database is None or (isinstance(database, str) and len(database) == 64)):
            raise RequestRefused("Request: not one PracticeRx sends")
        if number is not None:
            if not isinstance(number, str):
                raise RequestRefused("Request: the NHS number is not text")
            from practice_rx.domain.identifiers import normalise_nhs_number

            number = normalise_nhs_number(number)  # ValidationError: the usual message
        return cls(kind, number, database, demo)


def _decode(data: bytes) -> dict:
    if len(data) > MAX_BYTES:
        raise RequestRefused("Request: too long")
    try:
        message = json.loads(data.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise RequestRefused("Request: not JSON text") from None
    if not isinstance(message, dict):
        raise RequestRefused("Request: not a JSON object")
    return message


@dataclass(frozen=True)
class Reply:
    """The running copy's answer: ``ok`` (handed over), else ``message`` says why not."""

    ok: bool
    message: str = ""
    state: dict | None = None

    def to_bytes(self) -> bytes:
        body = {"ok": self.ok, "message": self.message}
        if self.state is not None:
            body["state"] = self.state
        return (json.dumps(body, separators=(",", ":")) + "\n").encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> Reply:
        message = _decode(data)
        ok, text, state = message.get("ok"), message.get("message"), message.get("state")
        if not isinstance(ok, bool) or not isinstance(text, str) or not (
                state is None or isinstance(state, dict)):
            raise RequestRefused("Reply: not one PracticeRx sends")
        return cls(ok, text, state)


def nhs_number_argument(words: Sequence[str]) -> str:
    """``--nhs-number`` as given, perhaps split at its spaces by a launcher that does not
    quote it (``943 476 5919`` as three words): its ten digits, or the usual message."""
    from practice_rx.domain.identifiers import normalise_nhs_number

    return normalise_nhs_number(" ".join(words))


def database_key(url: str | None) -> str | None:
    """What a request names its database by: a hash, so no password travels."""
    import hashlib

    return None if url is None else hashlib.sha256(url.encode("utf-8")).hexdigest()


def request_for(nhs_words: Sequence[str] | None, database_url: str | None,
                demo: bool) -> LaunchRequest:
    """The request of one launch; ``database_url`` is the database it opens (None: the
    demo database it would make)."""
    number = nhs_number_argument(nhs_words) if nhs_words is not None else None
    return LaunchRequest("open", number, database_key(database_url), demo)


def refusal(request: LaunchRequest, database: str | None, demo: bool) -> str | None:
    """Why the copy running on ``database`` (a key; ``demo`` or not) must not serve it."""
    if request.demo == demo and request.database == database:
        return None
    if demo:
        return ("PracticeRx is already open on demo data. Close it, then start PracticeRx "
                "again to open your practice's database.")
    if request.demo:
        return ("PracticeRx is already open on your practice's database. Close it first "
                "to try the demo.")
    return ("PracticeRx is already open on another database. Close it first to open this "
            "one.")


def server_name(user: str | None = None, data_folder: Path | None = None) -> str:
    """The running copy's name: one per user and data folder, so two people signed in to one
    Windows terminal server (where named pipes are machine-wide) never reach each other's."""
    import getpass
    import hashlib

    from practice_rx.settings import data_dir

    user = user if user is not None else getpass.getuser()
    folder = data_folder if data_folder is not None else data_dir()
    digest = hashlib.sha256(f"{user}\0{folder}".encode()).hexdigest()[:24]
    return f"practice-rx-{digest}"


def lock_path(name: str) -> Path:
    """The lock the running copy holds (in the user's temporary folder); a crash leaves it
    stale, and the next start sees its process is gone and takes it over."""
    import tempfile

    return Path(tempfile.gettempdir()) / f"{name}.lock"


def without_numbers(text: str) -> str:
    """``text`` with every run of four or more digits left out: an argument error never
    repeats a patient's NHS number."""
    return _NUMBER_LIKE.sub("[number]", text)


class LauncherSafeParser(argparse.ArgumentParser):
    """argparse, but its errors (which quote the arguments) never repeat a number."""

    def error(self, message: str):
        super().error(without_numbers(message))

