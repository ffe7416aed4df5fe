"""The error a bad form definition raises, listing every problem at once."""

from __future__ import annotations

from collections.abc import Sequence

from practice_rx.errors import PracticeRxError


class FormDefinitionError(PracticeRxError, ValueError):
    """A form definition (usually from a plugin) cannot be used.

    ``problems`` holds one ``"path: what is wrong"`` line per problem, so a plugin
    author can fix them all in one go.
    """

    def __init__(self, problems: Sequence[str], source: str = "") -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        self.source = source
        where = f" in {source}" if source else ""
        lines = "\n".join(f"- {problem}" for problem in self.problems)
        super().__init__(f"The form definition{where} is not valid:\n{lines}")
