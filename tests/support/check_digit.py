"""The NHS number check digit written again for the tests, apart from the app's own.

The NHS Data Dictionary's modulus 11 rule: weights 10 down to 2 on the first
nine digits, 11 minus the sum's remainder mod 11; 11 is written 0 and 10 means
the nine digits can begin no valid number. Tests take their expected answers
and their synthetic numbers from here (or the ``nhs-number`` package), so a
break in ``practice_rx.domain.identifiers`` cannot also change what is expected.
"""

from __future__ import annotations

WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def modulus_11(first_nine: str) -> int | None:
    """The check digit of nine digits, or None when it would be 10."""
    remainder = sum(int(digit) * weight for digit, weight in zip(first_nine, WEIGHTS)) % 11
    check = 11 - remainder
    if check == 11:
        return 0
    if check == 10:
        return None
    return check
