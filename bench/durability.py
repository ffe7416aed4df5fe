"""What durability costs: saves per second on SQLite with synchronous=NORMAL and =FULL.

Each save is what the application does when someone registers a patient: one
transaction through the service layer (permission check, the row, its audit row
sealed and anchored), committed. With WAL, NORMAL syncs only at checkpoints, so a
power cut can lose the last saves a user was told about; FULL syncs the WAL on
every commit. Both run in the same process, on the same disk, in alternating
rounds on fresh database files, and the script prints each figure and the ratio.

    .venv/bin/python bench/durability.py [--saves 300] [--rounds 3] [--folder DIR] [--json]

The folder must be on a real disk (not tmpfs), or fsync costs nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from practice_rx.services import Services  # noqa: E402
from practice_rx.services.demo import synthetic_nhs_numbers  # noqa: E402
from practice_rx.services.patients import PatientDetails  # noqa: E402
from practice_rx.storage.database import Database  # noqa: E402

MODES = ("NORMAL", "FULL")


def saves_per_second(template: Path, folder: Path, mode: str, saves: int) -> float:
    path = folder / f"{mode.lower()}.sqlite3"
    for leftover in folder.glob(f"{mode.lower()}.sqlite3*"):
        leftover.unlink()
    shutil.copyfile(template, path)
    db = Database.open(f"sqlite:///{path}", synchronous=mode)
    try:
        services = Services(db, workstation="bench")
        desk = services.users.ensure("desk", "Reception desk", "receptionist").id
        numbers = synthetic_nhs_numbers()
        details = [PatientDetails(nhs_number=next(numbers), given_name="Joan",
                                  family_name=f"Smithson{n}", date_of_birth="1951-03-14",
                                  postcode="LS11 5AB", phone="0113 496 0000")
                   for n in range(saves)]
        started = time.perf_counter()
        for one in details:
            services.patients.create(desk, one)
        return saves / (time.perf_counter() - started)
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--folder", help="where the database files go (default: a temporary "
                        "folder beside this script, on the project's disk)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    base = Path(args.folder) if args.folder else Path(__file__).resolve().parent
    folder = Path(tempfile.mkdtemp(prefix="durability-", dir=base))
    os.environ["PRACTICE_RX_AUDIT_KEY_FILE"] = str(folder / "audit.key")
    try:
        template = folder / "template.sqlite3"
        Database.open(f"sqlite:///{template}").close()
        figures: dict[str, list[float]] = {mode: [] for mode in MODES}
        saves_per_second(template, folder, "NORMAL", 20)  # warm caches and imports
        for round_ in range(args.rounds):
            for mode in MODES if round_ % 2 == 0 else reversed(MODES):
                figures[mode].append(saves_per_second(template, folder, mode, args.saves))
        full, normal = (statistics.median(figures[mode]) for mode in ("FULL", "NORMAL"))
        if args.json:  # the figure is FULL, the baseline NORMAL; ratio = time per save
            print(json.dumps({
                "saves": args.saves, "rounds": args.rounds,
                "full_saves_per_s": round(full, 1), "normal_saves_per_s": round(normal, 1),
                "full_ms_per_save": round(1000 / full, 2),
                "normal_ms_per_save": round(1000 / normal, 2), "ratio": round(normal / full, 2),
                "full_runs": [round(x, 1) for x in figures["FULL"]],
                "normal_runs": [round(x, 1) for x in figures["NORMAL"]]}))
            return
        print(f"{args.saves} patient saves per run, {args.rounds} runs each, in {folder.parent}")
        for mode in MODES:
            runs = ", ".join(f"{figure:.0f}" for figure in figures[mode])
            print(f"  synchronous={mode:<6} median {statistics.median(figures[mode]):6.1f} "
                  f"saves/s  (runs: {runs})")
        print(f"  FULL costs {normal / full:.2f}x the time of NORMAL per save "
              f"({1000 / full:.1f} ms vs {1000 / normal:.1f} ms)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
