"""FHIR export speed: 10,000 referrals' bundles against their rows as plain JSON, same run.

Seeds the demo (the demo-data command's code, fixed seed and clock) at 10,000 referrals
for 2,000 patients and 100 services into SQLite, kept in a cache folder so a second run
starts at once, or into PostgreSQL with --backend postgresql (a throwaway cluster unless
--database names one). Then times ``services.fhir.export`` of every referral into a
fresh folder (read in chunks, each bundle built, checked against UK Core and written,
one audit row per file), the same without files (``bundles``), and, as the baseline,
the same referrals' rows read with SQLAlchemy Core and written one file each as plain
``json.dumps``. Target: >= 500 bundles a second. ``--profile`` prints where the export's
time goes (cProfile, top 25 by own time).

    .venv/bin/python bench/fhir_export.py [--backend postgresql] [--referrals 10000] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_databases import cached_sqlite, mark_seeded, throwaway_postgres

from practice_rx.services.demo import DemoSize, fill
from practice_rx.startup import start
from practice_rx.storage.models import Referral, User

NOW = datetime(2026, 11, 24, 9, 30)
SEED = 2026
EXPORTER = "linkworker.ahmed"  # a demo link worker: every practice, may view referrals
TARGET = 500


def plain_rows(db, referral_ids: list[int], folder: Path) -> None:
    """The baseline: each referral's own row as JSON, one file each, no checks, no audit."""
    table = Referral.__table__
    with db.reading() as session:
        for at in range(0, len(referral_ids), 200):
            chunk = referral_ids[at:at + 200]
            for row in session.execute(select(table).where(table.c.id.in_(chunk))).mappings():
                (folder / f"row-{row['id']:06d}.json").write_bytes(
                    json.dumps(dict(row), default=str, separators=(",", ":")).encode())


def timed(action, folder: Path | None) -> float:
    """Seconds for one run of ``action`` into a fresh ``folder``."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run(url: str, seed: bool, size: DemoSize, as_json: bool, profile: bool) -> dict:
    app = start(url, clock=lambda: NOW)
    services, db = app.services, app.services.db
    seeded_s = None
    if seed:
        started = time.perf_counter()
        fill(db, size, seed=SEED, clock=lambda: NOW)
        seeded_s = round(time.perf_counter() - started, 1)
    with db.reading() as session:
        user_id = session.scalar(select(User.id).where(User.username == EXPORTER))
        ids = list(session.scalars(select(Referral.id).order_by(Referral.id)))[:size.referrals]
    work = Path(tempfile.mkdtemp(prefix="practice-rx-fhir-bench-"))
    try:
        fhir = services.fhir
        fhir.export(user_id, ids[:50], work / "warm")  # imports and caches, as a second export
        baseline_s = timed(lambda: plain_rows(db, ids, work / "rows"), work / "rows")
        memory_s = timed(lambda: fhir.bundles(user_id, ids), None)
        profiler = cProfile.Profile() if profile else None
        with profiler or contextlib.nullcontext():
            export_s = timed(lambda: fhir.export(user_id, ids, work / "bundles"), work / "bundles")
        written = len(list((work / "bundles").glob("PRX-*-fhir.json")))
        assert written == len(ids), (written, len(ids))
        megabytes = sum(p.stat().st_size for p in (work / "bundles").iterdir()) / 2 ** 20
    finally:
        shutil.rmtree(work, ignore_errors=True)
    app.close()
    count = len(ids)
    result = {"backend": db.backend, "referrals": count, "seeded_s": seeded_s,
              "export_s": round(export_s, 2), "bundles_per_s": round(count / export_s),
              "in_memory_per_s": round(count / memory_s),
              "plain_rows_per_s": round(count / baseline_s),
              "ratio": round(export_s / baseline_s, 2), "bundle_mib": round(megabytes, 1),
              "target_bundles_per_s": TARGET}
    if as_json:
        print(json.dumps(result))
    else:
        if seeded_s is not None:
            print(f"seeded {size.referrals:,} referrals in {seeded_s} s")
        print(f"{db.backend}: {count:,} referrals")
        print(f"{'':<34}{'per s':>8}{'s':>8}")
        print(f"{'export (files, checked, audited)':<34}{count / export_s:>8.0f}{export_s:>8.2f}")
        print(f"{'bundles in memory (audited)':<34}{count / memory_s:>8.0f}{memory_s:>8.2f}")
        print(f"{'baseline: rows as plain JSON':<34}{count / baseline_s:>8.0f}{baseline_s:>8.2f}")
        print(f"ratio export / baseline: {export_s / baseline_s:.2f}; "
              f"{megabytes:.1f} MiB of bundles; target >= {TARGET} bundles/s")
    if profiler is not None:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    return result



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database", help="an existing, already seeded database URL to reuse")
    parser.add_argument("--referrals", type=int, default=10_000)
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "practice-rx-bench")
    parser.add_argument("--profile", action="store_true", help="cProfile the file export")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    # the export is audited: a throwaway audit key, never the workstation's own
    os.environ.setdefault("PRACTICE_RX_AUDIT_KEY_FILE", str(args.cache / "fhir-audit.key"))
    size = DemoSize(max(10, args.referrals // 5), args.referrals, 100)
    if args.database:
        run(args.database, False, size, args.json, args.profile)
    elif args.backend == "sqlite":
        url, seed = cached_sqlite(args.cache, "fhir", size, SEED)
        run(url, seed, size, args.json, args.profile)
        mark_seeded(url)
    else:
        with throwaway_postgres() as url:
            run(url, True, size, args.json, args.profile)


if __name__ == "__main__":
    main()
