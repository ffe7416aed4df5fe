"""What makes typed text storable: the same answer on SQLite and PostgreSQL.

PostgreSQL refuses NUL characters and text that is not valid UTF-8 (a lone
surrogate) with a ``DataError`` and enforces column lengths, while SQLite
stores all three; checking here, before either sees the text, makes both
backends refuse the same input with the same message.
"""

from __future__ import annotations

#: Longest text kept in a column without a declared length (addresses, notes, descriptions).
MAX_LONG_TEXT = 5000


def text_problem(value: object, max_length: int | None = MAX_LONG_TEXT) -> str | None:
    """What is wrong with ``value`` as stored text (the part after a field's label), or None."""
    if not isinstance(value, str):
        return "enter text"
    if "\x00" in value:
        return "must not contain NUL characters; type it again"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a character that is not valid text (a lone surrogate); type it again"
    if max_length is not None and len(value) > max_length:
        return f"must be {max_length:,} characters or fewer (this is {len(value):,})"
    return None
