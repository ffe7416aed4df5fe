"""How often, and after how long, a channel tries again: bounded, so a send always ends."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """``tries`` attempts in all; the waits before the second, third… double from ``first_wait``.

    The default (3 tries, waiting 0.5 s then 1 s) gives up within about 1.5 s
    plus the requests' own time when the server is down.
    """

    tries: int = 3
    first_wait: float = 0.5

    def __post_init__(self) -> None:
        if self.tries < 1:
            raise ValueError(f"RetryPolicy.tries must be at least 1, not {self.tries}")
        if self.first_wait < 0:
            raise ValueError(f"RetryPolicy.first_wait must not be negative, not {self.first_wait}")

    def waits(self) -> list[float]:
        """The wait before each attempt: none before the first."""
        return [0.0] + [self.first_wait * 2 ** n for n in range(self.tries - 1)]
