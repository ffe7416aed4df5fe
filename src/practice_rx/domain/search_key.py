"""The name search key: accents and case do not stop a name being found.

"ozdemir" finds Özdemir and "elodie" Élodie on both backends: names are
stored a second time in a normalised form (Unicode NFKD, case-folded,
combining marks removed), indexed, and searched the same way. SQLite's
``lower()`` only folds ASCII, which is why Łukasz could not be found there.
"""

from __future__ import annotations

import unicodedata

#: letters NFKD does not split into a base letter and a mark
_NO_DECOMPOSITION = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i",
                                   "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th"})


def fold(text: str) -> str:
    """``Özdemir`` → ``ozdemir``: what a name is searched by."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.translate(_NO_DECOMPOSITION)


def search_key(given_name: str, family_name: str) -> str:
    """Both names, folded, each word starting after a space: ``" ozdemir aylin"``.

    A leading space lets ``LIKE '% word%'`` find a word at the start of any name
    with one pattern (hyphens count as spaces, so "Smith-Jones" is found by "jones").
    """
    words = f"{family_name} {given_name}".replace("-", " ").split()
    return "".join(f" {fold(word)}" for word in words)
