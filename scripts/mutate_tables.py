"""Mutation testing for the rule tables that mutmut cannot reach.

mutmut 3 mutates code inside functions only (each function is swapped for a mutated copy
at run time), so the module-level tables that hold the rules -- who may do what
(``PERMISSIONS``), which permission each status change needs (``STATUS_ACTIONS``), which
status may follow which (``TRANSITIONS``) -- are never changed by it. Issue 17's first break
was one entry of such a table. This script makes those mutants itself: one entry changed
at a time, in place (every module sees the same dict), in a forked copy of this process,
then the tests that hold the tables run there; a mutant survives when they all pass.

    python scripts/mutate_tables.py            # the mutants, killed or survived; exit 1 if any survived
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from practice_rx.domain import permissions, statuses
from practice_rx.domain.permissions import PERMISSIONS, STATUS_ACTIONS, Action, Role
from practice_rx.domain.statuses import TRANSITIONS, Status

#: the direct, database-free tests that hold the tables (the service-level permission tests
#: need a database per run: pass them as arguments to try the tables against them too)
TESTS = ["tests/mutation/test_domain_rules.py", "tests/test_lifecycle_rules.py"]

Mutant = tuple[str, Callable[[], None]]


def _toggle(members: frozenset, member: object) -> frozenset:
    return members - {member} if member in members else members | {member}


def mutants() -> Iterator[Mutant]:
    """Every single-entry change to the three tables (one role, one target, one action)."""
    for action in Action:
        for role in Role:
            verb = "without" if role in PERMISSIONS[action] else "with"
            yield (f"PERMISSIONS[{action.name}] {verb} {role.name}",
                   lambda a=action, r=role: PERMISSIONS.__setitem__(
                       a, _toggle(PERMISSIONS[a], r)))
    replacements = sorted(set(STATUS_ACTIONS.values()) | {Action.ADD_NOTES})
    for status, action in STATUS_ACTIONS.items():
        for other in replacements:
            if other != action:
                yield (f"STATUS_ACTIONS[{status.name}] = {other.name}",
                       lambda s=status, o=other: STATUS_ACTIONS.__setitem__(s, o))
    for current in Status:
        for target in Status:
            if target != current:
                verb = "without" if target in TRANSITIONS[current] else "with"
                yield (f"TRANSITIONS[{current.name}] {verb} {target.name}",
                       lambda c=current, t=target: TRANSITIONS.__setitem__(
                           c, _toggle(TRANSITIONS[c], t)))


def start(mutate: Callable[[], None], tests: list[str]) -> int:
    """Fork a child that changes one table entry and runs ``tests``; its pid."""
    pid = os.fork()
    if pid == 0:  # the child: change the table, run the tests, never return
        import pytest

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        mutate()
        # pytest-qt, hypothesis' and mesh-sandbox's entry points cost 1.3 s a start and
        # these tests need none of them (the project's own -p plugin still loads)
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", *tests])
        os._exit(int(code))
    return pid


def run_all(tests: list[str], children: int) -> dict[str, int]:
    """pytest's exit code for each mutant (0: it survived), ``children`` at a time."""
    codes: dict[str, int] = {}
    running: dict[int, str] = {}
    pending = list(mutants())
    while pending or running:
        while pending and len(running) < children:
            name, mutate = pending.pop(0)
            running[start(mutate, tests)] = name
        pid, status = os.wait()
        codes[running.pop(pid)] = os.waitstatus_to_exitcode(status)
    return codes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tests", nargs="*", default=TESTS, help="the tests to run per mutant")
    parser.add_argument("--max-children", type=int, default=2,
                        help="mutants tried at once (the machine is shared: default 2)")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    os.environ.setdefault("PRACTICE_RX_TEST_BACKENDS", "sqlite")
    import pytest  # noqa: F401  (imported once here, so each fork starts warm)
    import tests.conftest  # noqa: F401
    assert permissions.STATUS_ACTIONS is STATUS_ACTIONS and statuses.TRANSITIONS is TRANSITIONS
    started = time.monotonic()
    codes = run_all(args.tests, args.max_children)
    total = len(codes)
    survived = [name for name, code in codes.items() if code == 0]
    errors = [f"{name} (pytest exit {code})" for name, code in codes.items() if code not in (0, 1)]
    killed = total - len(survived) - len(errors)
    print(f"rule tables: {total} mutants, {killed} killed, {len(survived)} survived, "
          f"{len(errors)} errors; kill {100 * killed / total:.1f}% "
          f"in {time.monotonic() - started:.0f} s")
    for line in survived:
        print(f"  survived: {line}")
    for line in errors:
        print(f"  error: {line}")
    return 1 if survived or errors else 0


if __name__ == "__main__":
    sys.exit(main())
