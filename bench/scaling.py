"""How the worklist grows with the practice: 10k, 100k and 1M referrals on SQLite.

Seeds a database of each size (patients = referrals / 5) with the demo-data code,
then runs bench/worklist.py on it, so each line is measured the same way. With
``--json`` it prints one JSON object: for each size its seeding and, under
``worklist``, bench/worklist.py's own JSON object (each query, its raw-SQL
baseline and their ratio).

    .venv/bin/python bench/scaling.py [--sizes 10000 100000 1000000] [--repeat 9] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from practice_rx.services.demo import DemoSize, fill  # noqa: E402
from practice_rx.startup import start  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=9, help="runs of each worklist query")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="practice-rx-scaling-"))
    sizes = []
    for size in args.sizes:
        path = folder / f"scale-{size}.sqlite3"
        url = f"sqlite:///{path}"
        app = start(url)
        started = time.perf_counter()
        fill(app.services.db, DemoSize(size // 5, size, 500))
        app.close()
        seconds = time.perf_counter() - started
        mib = path.stat().st_size / 2**20
        command = [sys.executable, str(Path(__file__).with_name("worklist.py")),
                   "--database", url, "--repeat", str(args.repeat)]
        if args.json:
            worklist = subprocess.run([*command, "--json"], check=True, capture_output=True,
                                      text=True).stdout
            sizes.append({"referrals": size, "seeded_s": round(seconds, 1),
                          "mib": round(mib, 1), "worklist": json.loads(worklist)})
        else:
            print(f"\n== {size:,} referrals: seeded in {seconds:.0f} s, {mib:.0f} MiB on disk",
                  flush=True)
            subprocess.run(command, check=True)
        path.unlink()
    if args.json:
        print(json.dumps({"sizes": sizes}))


if __name__ == "__main__":
    main()
