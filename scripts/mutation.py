"""Mutation testing by area: run mutmut over one area at a time, and report kill rates.

Each area (the domain rules; each service that protects records) is mutated with its own
tests: mutmut reruns, for each mutant, the tests of the area's list that reached the mutated
function. The tests differ per area so that the domain run needs only the fast, direct rule
tests (CI runs it) while the services are tried against their service tests on a real
SQLite database. mutmut has one ``mutants/`` folder and one test list, so each area keeps
its results in ``mutants-<area>/`` between runs (a rerun only tries what changed).

    python scripts/mutation.py run domain          # mutmut over the domain rules
    python scripts/mutation.py run                 # every area, one after the other
    python scripts/mutation.py run forms --only 'practice_rx.forms.core.*'  # try these again
    python scripts/mutation.py report --area domain  # kill rates; exit 1 under target
    python scripts/mutation.py report --markdown   # the table for docs/testing.md
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "testing.md"

#: the direct, database-free tests of the domain rules (they run first for every area)
RULE_TESTS = tuple(sorted(str(path.relative_to(ROOT)) for path in
                          (ROOT / "tests" / "mutation").glob("test_domain_*.py"))) + (
    "tests/test_identifiers.py", "tests/test_bank_holidays.py", "tests/test_lifecycle_rules.py")


@dataclass(frozen=True)
class AreaSpec:
    modules: tuple[str, ...]  # relative to src/practice_rx/
    tests: tuple[str, ...]
    target: float
    #: whether pytest loads the installed plugins (pytest-qt, hypothesis's, mesh-sandbox's):
    #: 1.3 s a start that the database-free rule tests do not need
    autoload_plugins: bool = True


AREAS: dict[str, AreaSpec] = {
    "domain": AreaSpec(("domain/",), RULE_TESTS, 95.0, autoload_plugins=False),
    # the referral service's own tests; the permission matrix's (each role tried on every
    # action: 35 s of tests a mutant) hold the rule tables, in scripts/mutate_tables.py
    "referrals": AreaSpec(("services/referrals.py",), RULE_TESTS + (
        "tests/test_referrals.py", "tests/test_notes.py", "tests/test_conflicts.py",
        "tests/test_input_limits.py", "tests/test_send_on_behalf.py",
        "tests/test_when_it_happened.py", "tests/caseload/test_casework_moves.py",
        "tests/caseload/test_inbound.py", "tests/plugins/test_hooks.py",
        "tests/plugins/test_validation_fails_closed.py"), 90.0),
    "auth": AreaSpec(("services/auth.py",), RULE_TESTS + (
        "tests/mutation/test_login_rules.py", "tests/security/test_login.py", "tests/security/test_lockout.py"), 90.0),
    "audit": AreaSpec(("services/audit.py", "services/audit_anchor.py", "services/audit_key.py"),
                      RULE_TESTS + (
        "tests/mutation/test_audit_anchor_rules.py", "tests/mutation/test_audit_seal_rules.py",
        "tests/mutation/test_audit_check_rules.py", "tests/mutation/test_audit_list_rules.py",
        "tests/mutation/test_audit_file_rules.py", "tests/security/test_audit.py",
        "tests/security/test_audit_batch.py",
        "tests/security/test_audit_proof.py"), 90.0),
    "forms": AreaSpec(("forms/answers.py", "forms/core.py"), RULE_TESTS + (
        "tests/mutation/test_form_answer_limits.py", "tests/forms"), 90.0),
    "chasing": AreaSpec(("services/chasing.py",), RULE_TESTS + (
        "tests/mutation/test_chasing_rules.py", "tests/test_chasing.py",
        "tests/letters/test_service.py"), 90.0),
    # the permission matrix and practice-scope suites allocate a case in each of their 200
    # set-ups (12 s a mutant); tests/mutation/test_caseload_rules.py holds their caseload rules
    "caseload": AreaSpec(("services/caseload.py", "services/allocation.py"), RULE_TESTS + (
        "tests/mutation/test_caseload_rules.py", "tests/caseload/test_caseload.py",
        "tests/caseload/test_allocation.py"), 90.0),
    # the figures' own tests, each on a seeded database, and the pure rules typed in by hand;
    # the extract's tests are not in the list: extract.py is an export, not a figure
    "reports": AreaSpec(tuple(f"reports/{name}.py" for name in (
        "funnel", "outcomes", "waits", "referral_counts", "referral_rate", "services_ranking",
        "suppression", "working_days", "period", "caseloads", "progress", "build")), RULE_TESTS + (
        "tests/mutation/test_report_rules.py", "tests/reports/test_figures.py",
        "tests/reports/test_suppression.py", "tests/reports/test_working_days.py",
        "tests/reports/test_practices.py"), 90.0),
}


def results_dir(area: str) -> Path:
    return ROOT / f"mutants-{area}"


def run(areas: list[str], children: int, only: list[str]) -> int:
    """mutmut over each area in turn, its results kept in ``mutants-<area>/``.

    ``only`` names mutants (or globs of names) to try again, for example the survivors a new
    test was written for: mutmut keeps a survivor's verdict otherwise.
    """
    import mutmut.configuration
    from mutmut.__main__ import cli

    os.chdir(ROOT)
    os.environ.setdefault("PRACTICE_RX_TEST_BACKENDS", "sqlite")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for area in areas:
        spec, kept, work = AREAS[area], results_dir(area), ROOT / "mutants"
        if work.exists():
            shutil.rmtree(work)
        if kept.exists():
            kept.rename(work)
        mutmut.configuration.reset_config()
        config = mutmut.configuration.config()  # [tool.mutmut] in pyproject.toml, then the area's
        config.only_mutate = [f"src/practice_rx/{m}{'*' if m.endswith('/') else ''}"
                              for m in spec.modules]
        config.pytest_add_cli_args_test_selection = list(dict.fromkeys(spec.tests))
        if spec.autoload_plugins:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        print(f"== mutation: {area}", flush=True)
        try:
            cli.main(["run", "--max-children", str(children), *only], standalone_mode=False)
        finally:
            work.rename(kept)
    return 0

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
    for name, spec in AREAS.items():
        if any(module.startswith(prefix) for prefix in spec.modules):
            return name
    return None


def collect() -> dict[str, Area]:
    areas = {name: Area(name, spec.target) for name, spec in AREAS.items()}
    for name in AREAS:
        mutated = results_dir(name) / "src" / "practice_rx"
        for meta in sorted(mutated.rglob("*.py.meta")):
            module = meta.relative_to(mutated).as_posix().removesuffix(".meta")
            if area_of(module) != name:
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


def report(names: list[str] | None, markdown: bool) -> int:
    """Print the kill rates; 1 when an area asked for is under target or not fully checked."""
    if not any(results_dir(name).exists() for name in (names or AREAS)):
        print("No mutmut results: run `make mutation` (or `make mutation-domain`) first",
              file=sys.stderr)
        return 2
    areas = collect()
    chosen = [areas[name] for name in (names or AREAS)]
    columns = ("killed", "survived", "no tests", "timeout", "not checked")
    if markdown:
        print("| area | mutants | " + " | ".join(columns) + " | kill % | target |")
        print("| --- " * (len(columns) + 4) + "|")
    failed = []
    for area in chosen:
        rate = area.kill_rate
        shown = "-" if rate is None else f"{rate:.1f}"
        total = sum(area.counts.values())
        cells = [str(area.counts[c]) for c in columns]
        if markdown:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_args = commands.add_parser("run", help="run mutmut over areas (all when none named)")
    run_args.add_argument("areas", nargs="*", metavar="AREA", help=", ".join(AREAS))
    run_args.add_argument("--max-children", type=int, default=2,
                          help="mutants tried at once (the machine is shared: default 2)")
    run_args.add_argument("--only", action="append", default=[], metavar="NAME",
                          help="try again only this mutant (a name or glob from the report); "
                               "repeatable; needs one area")
    report_args = commands.add_parser("report", help="kill rates per area")
    report_args.add_argument("--area", action="append", choices=sorted(AREAS),
                             help="report (and hold to its target) this area only; repeatable")
    report_args.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    if args.command == "run":
        unknown = sorted(set(args.areas) - set(AREAS))
        if unknown:
            parser.error(f"area: {', '.join(unknown)} is not one of {', '.join(AREAS)}")
        if args.only and len(args.areas) != 1:
            parser.error("--only: name the one area the mutants belong to")
        return run(args.areas or list(AREAS), args.max_children, args.only)
    return report(args.area, args.markdown)


if __name__ == "__main__":
    sys.exit(main())
