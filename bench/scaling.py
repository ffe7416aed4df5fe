"""How the worklist grows with the practice: 10k, 100k and 1M referrals on SQLite.

Seeds a database of each size (patients = referrals / 5) with the demo-data code,
then runs bench/worklist.py on it, so each line is measured the same way.

    .venv/bin/python bench/scaling.py [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="practice-rx-scaling-"))
    for size in args.sizes:
        path = folder / f"scale-{size}.sqlite3"
        url = f"sqlite:///{path}"
        app = start(url)
        started = time.perf_counter()
        fill(app.services.db, DemoSize(size // 5, size, 500))
        app.close()
        seconds = time.perf_counter() - started
        print(f"\n== {size:,} referrals: seeded in {seconds:.0f} s, "
              f"{path.stat().st_size / 2**20:.0f} MiB on disk", flush=True)
        subprocess.run([sys.executable, str(Path(__file__).with_name("worklist.py")),
                        "--database", url, "--repeat", "9"], check=True)
        path.unlink()


if __name__ == "__main__":
    main()
