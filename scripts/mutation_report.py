"""Kill rates per area from mutmut's results, and a failing exit under the area's target.

mutmut keeps one ``.meta`` file per mutated module under ``mutants/`` with an exit code per
mutant; this script adds them up by the areas docs/testing.md reports (the domain rules,
and each service that protects records), prints a table, lists the survivors that
docs/testing.md does not explain, and exits 1 when an area asked for is under its target.

    python scripts/mutation_report.py                 # every area found
    python scripts/mutation_report.py --area domain   # CI: the domain rules only
    python scripts/mutation_report.py --markdown      # the table for docs/testing.md
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants" / "src" / "practice_rx"
DOC = ROOT / "docs" / "testing.md"

#: area -> (the modules in it, relative to practice_rx/, and the kill rate it must reach)
AREAS: dict[str, tuple[tuple[str, ...], float]] = {
    "domain": (("domain/",), 95.0),
    "services/referrals": (("services/referrals.py",), 90.0),
    "services/auth": (("services/auth.py",), 90.0),
    "services/audit": (("services/audit.py",), 90.0),
    "forms": (("forms/answers.py", "forms/core.py"), 90.0),
}

#: mutmut's exit codes (mutmut/stats.py), folded into the columns reported
STATUS = {1: "killed", 3: "killed", 37: "killed", 0: "survived", 5: "no tests", 33: "no tests",
          34: "skipped", 36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout",
          255: "timeout", None: "not checked"}
MUTANT_NAME = re.compile(r"`(practice_rx\.[\w.]+__mutmut_\d+)`")


@dataclass
class Area:
    name: str
    target: float
    counts: Counter[str] = field(default_factory=Counter)
    survivors: list[str] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return sum(self.counts.values()) - self.counts["not checked"]

    @property
    def kill_rate(self) -> float | None:
        """Killed (a test failed) or timed out, over every mutant checked; a mutant no test
        reaches counts against the area, as a survivor does."""
        if not self.checked:
            return None
        return 100.0 * (self.counts["killed"] + self.counts["timeout"]) / self.checked


def area_of(module: str) -> str | None:
    for name, (prefixes, _) in AREAS.items():
        if any(module.startswith(prefix) for prefix in prefixes):
            return name
    return None


def collect() -> dict[str, Area]:
    areas = {name: Area(name, target) for name, (_, target) in AREAS.items()}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        module = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
        name = area_of(module)
        if name is None:
            continue
        for mutant, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            status = STATUS.get(code, "suspicious")
            areas[name].counts[status] += 1
            if status in ("survived", "no tests", "suspicious"):
                areas[name].survivors.append(mutant)
    return areas


def explained() -> set[str]:
    """The mutants docs/testing.md lists as equivalent (each named in backticks)."""
    return set(MUTANT_NAME.findall(DOC.read_text())) if DOC.exists() else set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--area", action="append", choices=sorted(AREAS),
                        help="report (and hold to its target) this area only; repeatable")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    if not MUTANTS.exists():
        print("No mutmut results: run `make mutation` (or `make mutation-domain`) first",
              file=sys.stderr)
        return 2
    areas = collect()
    chosen = [areas[name] for name in (args.area or AREAS)]
    columns = ("killed", "survived", "no tests", "timeout", "not checked")
    if args.markdown:
        print("| area | mutants | " + " | ".join(columns) + " | kill % | target |")
        print("| --- " * (len(columns) + 4) + "|")
    failed = []
    for area in chosen:
        rate = area.kill_rate
        shown = "-" if rate is None else f"{rate:.1f}"
        total = sum(area.counts.values())
        cells = [str(area.counts[c]) for c in columns]
        if args.markdown:
            print(f"| {area.name} | {total} | " + " | ".join(cells) + f" | {shown} | "
                  f"{area.target:.0f} |")
        else:
            print(f"{area.name:20} {total:5} mutants  " + "  ".join(
                f"{c} {n}" for c, n in zip(columns, cells)) + f"  kill {shown}% "
                f"(target {area.target:.0f}%)")
        if rate is None or rate < area.target or area.counts["not checked"]:
            failed.append(area.name)
    known = explained()
    for area in chosen:
        unexplained = [m for m in area.survivors if m not in known]
        if unexplained:
            print(f"\n{area.name}: {len(unexplained)} survivor(s) not explained in "
                  f"docs/testing.md (see `mutmut show NAME`):")
            for mutant in unexplained:
                print(f"  {mutant}")
    if failed:
        print(f"\nUnder target, or not fully checked: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
