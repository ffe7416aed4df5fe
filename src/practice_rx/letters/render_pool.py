"""Rendering a big batch's letters on every core of the desk's PC.

A letter is CPU work in reportlab (about 5 ms), and one Python process renders on one
core, so a batch of hundreds (a quarter's chase letters) waits on one core while the
others idle. A big batch's letters are rendered in worker processes instead, each from
the letter's inputs as they are recorded (``LetterInputs.to_dict``, which a reprint
renders from too), and the bytes a worker returns are the bytes the batch records and
hashes. Workers are fresh interpreters ("spawn"), never forks of a process running Qt's
threads, the same on Linux and Windows; they start with the first big batch (about half
a second) and stay for the service's life. A small batch, a one-core PC or a template
that cannot be sent to another process (a plugin's closure, say) renders in-process, as
before; a worker that dies hands the rest of the batch back to this process.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from practice_rx.letters.inputs import LetterInputs
    from practice_rx.letters.templates import LetterTemplate

log = logging.getLogger(__name__)

#: letters in a batch from which starting (or using) the workers pays
PARALLEL_FROM = 200
#: letters sent to a worker at a time (fewer round trips; the order is kept)
PER_TASK = 5


def usable_cores() -> int:
    """The cores this process may run on (a PC's, or what its administrator allows)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # Windows, macOS
        return os.cpu_count() or 1


def _render(job: tuple[LetterTemplate, dict[str, Any]]) -> bytes:
    """In a worker: one letter from its recorded inputs."""
    from practice_rx.letters.inputs import LetterInputs

    template, data = job
    return template.render(LetterInputs.from_dict(data))


class RenderPool:
    """Renders a batch's letters in order, in workers when the batch is big enough."""

    def __init__(self, workers: int | None = None, parallel_from: int = PARALLEL_FROM) -> None:
        self.workers = usable_cores() if workers is None else workers
        self.parallel_from = parallel_from
        self._executor: ProcessPoolExecutor | None = None

    def render(self, template: LetterTemplate, inputs: Sequence[LetterInputs],
               batch_size: int) -> Generator[bytes, None, None]:
        """Each letter's PDF, in order, lazily: a batch that stops early (cancelled) stops
        asking, and in-process rendering only renders what is asked for."""
        if self.workers < 2 or batch_size < self.parallel_from or not _sendable(template):
            return (template.render(one) for one in inputs)
        return self._in_workers(template, inputs)

    def _in_workers(self, template: LetterTemplate,
                    inputs: Sequence[LetterInputs]) -> Generator[bytes, None, None]:
        done = 0
        try:
            for pdf in self._pool().map(_render, [(template, one.to_dict()) for one in inputs],
                                        chunksize=PER_TASK):
                yield pdf
                done += 1
        except BrokenProcessPool:
            log.warning("a letter rendering worker stopped; rendering the rest here")
            self.close()
            self.workers = 1
            yield from (template.render(one) for one in inputs[done:])

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"))
        return self._executor

    def close(self) -> None:
        """Stop the workers (they stop with the application anyway)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def _sendable(template: LetterTemplate) -> bool:
    """Whether a worker can be sent this template (a module-level compose function can;
    a closure or a lambda cannot)."""
    try:
        pickle.dumps(template)
    except Exception:  # noqa: BLE001 - any reason means: render it here
        return False
    return True
