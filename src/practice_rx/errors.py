"""Errors the core raises; each carries a message a user can act on.

The UI shows ``str(error)``; a :class:`ValidationError` also carries per-field
messages so a form can put each one beside its field.
"""

from __future__ import annotations

from collections.abc import Mapping


class PracticeRxError(Exception):
    """Base of every error the core raises on purpose."""


class ValidationError(PracticeRxError, ValueError):
    """One or more fields hold a value that is not acceptable.

    ``errors`` maps a field key to a message naming the field and what is expected.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(self.errors.values()))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: message})


class NotFoundError(PracticeRxError, LookupError):
    """The record asked for does not exist (or no longer exists)."""


class ConflictError(PracticeRxError):
    """Someone else saved the same record since it was loaded; nothing was overwritten."""


class TransitionError(PracticeRxError):
    """A referral cannot move from its current status to the one asked for."""

    def __init__(self, current: str, target: str, detail: str = "") -> None:
        self.current = current
        self.target = target
        message = f"A referral cannot move from '{current}' to '{target}'"
        super().__init__(f"{message}: {detail}" if detail else message)


class PermissionDenied(PracticeRxError, PermissionError):
    """The user's role does not allow the action (or the account cannot act); nothing was done."""


class AuthenticationError(PracticeRxError):
    """A login was refused: wrong details, a disabled account, or one locked for a while."""


class DatabaseError(PracticeRxError):
    """The database cannot be used: unreachable, too new, or otherwise refused."""


class SchemaTooNewError(DatabaseError):
    """The database was written by a newer PracticeRx; it is left untouched."""
