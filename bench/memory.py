"""Peak memory of PracticeRx with 100,000 referrals open and the worklist scrolled end to end.

A child process opens the main window on the 100k database (signed in as the
demo GP), then scrolls the worklist from the first row to the last, page by
page, waiting for each page to arrive; it reports its peak resident set size
(RSS). A bare PySide6 window's peak RSS is measured the same way in the same
run for comparison. Target: at most 300 MB.

    .venv/bin/python bench/memory.py [--database URL] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from startup import DEFAULT_DB, exposed, seed, wait_until  # noqa: E402

TARGET_MB = 300


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def child_bare() -> None:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    application = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("Hello"))
    window.resize(1440, 860)
    window.show()
    wait_until(lambda: exposed(window))
    application.processEvents()
    print(json.dumps({"peak_mb": peak_mb()}), flush=True)


def child_app(database: str) -> None:
    from practice_rx.ui.app import launch, qt_application

    qt_application()
    opened = launch(database, sign_in_as="dr.patel")
    panel = opened.window.worklist
    model, table = panel.model, panel.table
    wait_until(lambda: exposed(opened.window) and model.total > 0 and not model.loading)
    shown_mb = peak_mb()
    started = time.perf_counter()
    step = 100
    for row in range(0, model.total, step):
        table.scrollTo(model.index(min(row + step - 1, model.total - 1), 0))
        table.viewport().repaint()  # painting asks the model for the rows now in view
        wait_until(lambda: not model.loading and not model._pending)
    fetched = sum(1 for row in range(model.total) if model.row_at(row) is not None)
    print(json.dumps({"peak_mb": peak_mb(), "shown_mb": shown_mb, "rows": model.total,
                      "fetched": fetched, "scroll_s": time.perf_counter() - started}),
          flush=True)
    opened.close()


def run_child(kind: str, database: str) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", kind, "--database", database],
                            capture_output=True, text=True, check=True,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database")
    parser.add_argument("--child", choices=["bare", "app"])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.child == "bare":
        return child_bare()
    if args.child == "app":
        return child_app(args.database)
    database = args.database or seed(DEFAULT_DB)
    bare = run_child("bare", database)
    app = run_child("app", database)
    if args.json:  # the figure is the scrolled peak, the baseline the bare window's
        print(json.dumps({
            "rows": app["rows"], "fetched": app["fetched"], "scroll_s": round(app["scroll_s"], 1),
            "peak_mb": round(app["peak_mb"]), "shown_mb": round(app["shown_mb"]),
            "bare_peak_mb": round(bare["peak_mb"]),
            "ratio": round(app["peak_mb"] / bare["peak_mb"], 2),
            "shown_ratio": round(app["shown_mb"] / bare["peak_mb"], 2), "target_mb": TARGET_MB}))
        return
    print(f"bare PySide6 window        peak RSS {bare['peak_mb']:7.0f} MB")
    print(f"PracticeRx, window shown   peak RSS {app['shown_mb']:7.0f} MB")
    print(f"PracticeRx, scrolled {app['fetched']:,} of {app['rows']:,} rows in "
          f"{app['scroll_s']:.0f} s: peak RSS {app['peak_mb']:.0f} MB "
          f"({app['peak_mb'] / bare['peak_mb']:.1f}x the bare window; target <= {TARGET_MB} MB: "
          f"{'met' if app['peak_mb'] <= TARGET_MB else 'NOT met'})")


if __name__ == "__main__":
    main()
