"""The database driver's error text, made safe to show and to log.

PostgreSQL puts the values it refused in its messages: ``DETAIL: Key
(nhs_number)=(9990000018) already exists``, ``Failing row contains (...)``,
``invalid input syntax for type date: "..."``. Those are patient identifiers, so
only the first line is kept, and quoted values are replaced by ``"…"`` unless they
name a constraint, a column, a table or a type (which help and identify no one).
SQLite's messages name only tables and columns.
"""

from __future__ import annotations

import re
import sqlite3

# A quoted word that follows one of these names the schema, not the data.
_SCHEMA_WORDS = ("constraint", "column", "relation", "table", "type", "encoding", "index",
                 "schema", "database", "role", "user", "function", "sequence", "trigger",
                 "operator", "domain")
_QUOTED = re.compile(r'(?P<before>\w*)(?P<gap>\s*)"(?P<inner>[^"]*)"')
_NUMBERS = re.compile(r"\b\d{6,}\b")  # a long run of digits could be an NHS number
_DAMAGE = ("malformed", "file is not a database", "database corruption", "data corrupted",
           "index corrupted")
_DAMAGE_SQLSTATES = {"XX001", "XX002"}  # PostgreSQL: data_corrupted, index_corrupted
_SCRUBBED = "_practice_rx_scrubbed"


def safe_driver_text(text: str) -> str:
    """The first line of a driver message with its data values removed."""
    line = text.strip().splitlines()[0] if text.strip() else ""

    def keep_or_hide(match: re.Match[str]) -> str:
        if match.group("before").lower() in _SCHEMA_WORDS:
            return match.group(0)
        return f'{match.group("before")}{match.group("gap")}"…"'

    line = _QUOTED.sub(keep_or_hide, line)
    if "failing row contains" in line.lower():
        line = line[: line.lower().index("failing row contains")].rstrip(" .,")
    return _NUMBERS.sub("…", line)


def scrub_driver_error(error: BaseException) -> None:
    """Replace ``error``'s text (and so its traceback's) by :func:`safe_driver_text`, once."""
    if getattr(error, _SCRUBBED, False) or not error.args:
        return
    error.args = (safe_driver_text(str(error)),)
    try:
        setattr(error, _SCRUBBED, True)
    except AttributeError:  # a driver exception without a __dict__: scrubbing twice is harmless
        pass


def first_line(error: BaseException) -> str:
    """The driver's message for ``error``, safe to show (see :func:`safe_driver_text`)."""
    original = getattr(error, "orig", None) or error
    text = safe_driver_text(str(original))
    return text or type(error).__name__


def damaged(error: BaseException) -> bool:
    """True when ``error`` says the database file or its pages are damaged."""
    original = getattr(error, "orig", None) or error
    if getattr(original, "sqlstate", None) in _DAMAGE_SQLSTATES:
        return True
    if isinstance(original, sqlite3.DatabaseError) and not isinstance(
            original, (sqlite3.IntegrityError, sqlite3.OperationalError,
                       sqlite3.ProgrammingError, sqlite3.DataError)):
        return True  # plain DatabaseError: "malformed", "file is not a database"
    text = str(original).lower()
    return any(word in text for word in _DAMAGE)
