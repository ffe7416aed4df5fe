"""ORUK import speed: 10,000 services fetched, mapped and stored, against the raw fetch.

A local ORUK v3.0 server (in a process of its own, so it does not share the
client's interpreter lock) serves 10,000 generated services, 100 a page, each
page with the one-to-one fields only, as the OpenAPI file says, so each record is
also read from ``/services/{id}``: 100 pages and 10,000 records, all over
kept-open connections. The baseline, measured in the same run against the same
server, is the raw fetch and JSON parse of those same 10,100 responses
(``read_directory``); the import is that plus mapping and one transaction of
inserts into a fresh database, SQLite and (when the server binaries are there)
PostgreSQL on a throwaway cluster. A second import of the unchanged directory
(which writes nothing) is timed too. Target: the import in 10 s or less.

    .venv/bin/python bench/oruk_import.py [--services 10000] [--per-page 100] [--json]
                                          [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.oruk.directory_server import LUNCH, MAPPING_TOML, WALKING, Directory
from tests.oruk.directory_server import service as oruk_service

from practice_rx.oruk.directory import catalogue_from
from practice_rx.oruk.directory_reader import read_directory
from practice_rx.oruk.importer import import_directory
from practice_rx.oruk.taxonomy_mapping import load_mapping
from practice_rx.services import Services
from practice_rx.storage.database import Database

TARGET_SECONDS = 10.0


class IndexedDirectory(Directory):
    """The tests' directory, with records found by id in a dict (10,000 of them)."""

    index: dict | None = None

    def by_id(self, ident: str):
        if self.index is None:
            self.index = {record["id"]: record for record in self.records}
        return self.index.get(ident)


def _serve(count: int, ready) -> None:
    from tests.oruk.directory_server import serving

    records = [oruk_service(n, WALKING if n % 2 else LUNCH) for n in range(1, count + 1)]
    with serving(IndexedDirectory(records)) as url:
        ready.put(url)
        while True:
            time.sleep(3600)


@contextlib.contextmanager
def directory_server(count: int) -> Iterator[str]:
    context = multiprocessing.get_context("fork")
    ready = context.Queue()
    process = context.Process(target=_serve, args=(count, ready), daemon=True)
    process.start()
    try:
        yield ready.get(timeout=120)
    finally:
        process.terminate()
        process.join()


def timed(action):
    gc.collect()  # the garbage of the step before is not this step's time
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def bench_backend(url: str, directory_url: str, mapping_path: Path, per_page: int,
                  count: int, catalogue) -> dict[str, float]:
    db = Database.open(url)  # migrating the fresh database is not timed
    try:
        services = Services(db)
        _, store_seconds = timed(lambda: services.catalogue.sync_one(
            "oruk:store-only", catalogue.services, audited=True))
        mapping = load_mapping(mapping_path)
        report, seconds = timed(lambda: import_directory(
            services, directory_url, name="bench", mapping=mapping, per_page=per_page))
        assert report.sync.added == count, report.sync
        again, again_seconds = timed(lambda: import_directory(
            services, directory_url, name="bench", mapping=mapping, per_page=per_page))
        assert again.sync.unchanged == count, again.sync
    finally:
        db.close()
    return {"store_only_s": store_seconds, "import_s": seconds,
            "reimport_unchanged_s": again_seconds}


def fetch_and_map(directory_url: str, per_page: int, mapping_path: Path, count: int,
                  figures: dict[str, float]):
    """The baseline (the raw fetch and parse) and the mapping, timed; the raw records are
    dropped on return, so they do not slow the collections of the imports after."""
    raw, figures["baseline_fetch_parse_s"] = timed(
        lambda: read_directory(directory_url, per_page))
    assert len(raw.records) == count
    catalogue, figures["map_s"] = timed(lambda: catalogue_from(raw, load_mapping(mapping_path)))
    assert len(catalogue.services) == count, catalogue.problems[:3]
    return catalogue


@contextlib.contextmanager
def postgres_url() -> Iterator[str | None]:
    import psycopg
    from sqlalchemy.engine import make_url
    from tests.support.postgres import find_bindir, throwaway_cluster

    if find_bindir() is None:
        yield None
        return
    with throwaway_cluster() as cluster, contextlib.closing(psycopg.connect(
            make_url(cluster.url).set(drivername="postgresql").render_as_string(False),
            autocommit=True)) as admin:
        admin.execute("CREATE DATABASE oruk_bench")
        yield make_url(cluster.url).set(database="oruk_bench").render_as_string(False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--json", action="store_true", help="print one JSON object of figures")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="oruk-bench-"))
    os.environ["PRACTICE_RX_AUDIT_KEY_FILE"] = str(folder / "audit.key")  # never the real one
    mapping_path = folder / "mapping.toml"
    mapping_path.write_text(MAPPING_TOML, encoding="utf-8")
    figures: dict[str, float] = {}
    with directory_server(args.services) as directory_url:
        catalogue = fetch_and_map(directory_url, args.per_page, mapping_path, args.services,
                                  figures)
        backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
        for backend in backends:
            if backend == "sqlite":
                url = f"sqlite:///{folder / 'bench.sqlite3'}"
                for key, value in bench_backend(url, directory_url, mapping_path,
                                                args.per_page, args.services, catalogue).items():
                    figures[f"sqlite_{key}"] = value
                continue
            with postgres_url() as url:
                if url is None:
                    print("PostgreSQL server binaries not found; PostgreSQL skipped",
                          file=sys.stderr)
                    continue
                for key, value in bench_backend(url, directory_url, mapping_path,
                                                args.per_page, args.services, catalogue).items():
                    figures[f"postgresql_{key}"] = value
    baseline = figures["baseline_fetch_parse_s"]
    ratios = {f"{key[:-2]}_vs_baseline": value / baseline for key, value in figures.items()
              if key.endswith("import_s")}
    meets = all(figures[key] <= TARGET_SECONDS for key in figures if key.endswith("_import_s"))
    if args.json:
        print(json.dumps({"services": args.services, "per_page": args.per_page,
                          "requests": args.services // args.per_page + args.services,
                          "figures_s": figures, "baseline": "baseline_fetch_parse_s",
                          "ratios": ratios, "target_s": TARGET_SECONDS,
                          "meets_target": meets}))
        return
    print(f"{args.services:,} ORUK services, {args.per_page} a page "
          f"({args.services // args.per_page + args.services:,} requests)")
    print(f"{'step':<40}{'seconds':>9}{'× baseline':>12}")
    for key, value in figures.items():
        ratio = value / baseline
        print(f"{key:<40}{value:>9.2f}{ratio:>12.2f}")
    print(f"target: each full import <= {TARGET_SECONDS:.0f} s: "
          f"{'met' if meets else 'NOT met'}")


if __name__ == "__main__":
    main()
