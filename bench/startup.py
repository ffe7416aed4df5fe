"""Cold start to a shown, populated main window with 100,000 referrals, against a bare window.

Each start is a fresh Python process (imports included), timed by this script
from launch until the child reports its window is on screen: for PracticeRx,
the main window showing the first page of the worklist and the status counts;
for the baseline, a bare PySide6 QMainWindow. Both run in the same run, on the
same machine, alternately; the medians and their ratio are printed (target
<= 2x). The PracticeRx child also reports the longest stall of the GUI thread
(a 5 ms timer's worst delay) while starting, sorting by patient and filtering
by name: the target is under 100 ms.

    .venv/bin/python bench/startup.py [--database URL] [--repeat 5]

Without --database, a SQLite file in the temporary folder is seeded once with
``practice-rx demo --patients 20000 --referrals 100000 --services 500`` (about
30 s) and reused by later runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ["--patients", "20000", "--referrals", "100000", "--services", "500"]
DEFAULT_DB = Path(tempfile.gettempdir()) / "practice-rx-bench" / "startup-100k.sqlite3"


# -- the children: each prints one JSON line when its window is up ---------------------
#
# Waiting is done in a running event loop, as in the application itself:
# QTest.qWait sleeps holding Python's GIL, which would starve the worker threads
# that read the worklist and make PracticeRx look slower than it is.


def wait_until(condition, timeout_ms: int = 60_000) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return
    loop = QEventLoop()
    poll = QTimer(interval=1)
    poll.timeout.connect(lambda: condition() and loop.quit())
    QTimer.singleShot(timeout_ms, loop.quit)
    poll.start()
    loop.exec()
    poll.stop()


def exposed(window) -> bool:
    handle = window.windowHandle()
    return handle is not None and handle.isExposed()


def child_bare() -> None:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    application = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("Hello"))
    window.resize(1440, 860)
    window.show()
    wait_until(lambda: exposed(window))
    application.processEvents()
    print(json.dumps({"ready": time.time()}), flush=True)


def child_app(database: str) -> None:
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer

    from practice_rx.ui.app import launch, qt_application

    application = qt_application()
    first = {}

    def opening_shown(splash) -> None:
        wait_until(lambda: exposed(splash))
        first["at"] = time.time()

    opened = launch(database, opening_shown=opening_shown, sign_in_as="dr.patel")
    window = opened.window
    from practice_rx.ui.operations import Operations

    worst = {"ms": 0}
    clock = QElapsedTimer()
    clock.start()

    def beat() -> None:
        worst["ms"] = max(worst["ms"], clock.restart())

    heartbeat = QTimer(interval=5)
    heartbeat.timeout.connect(beat)

    def populated() -> bool:
        model = window.worklist.model
        counts = window.sidebar.statuses.item(0).text()
        return exposed(window) and model.total > 0 and not model.loading and "(" in counts

    heartbeat.start()
    wait_until(populated)
    application.processEvents()
    ready = time.time()
    rows = window.worklist.model.total

    def idle() -> bool:
        return not opened.session.operations.busy and not window.worklist.model.loading

    clock.restart()
    worst["ms"] = 0
    window.worklist.model.sort(1, Qt.SortOrder.AscendingOrder)   # by patient: a full sort
    wait_until(idle)
    window.worklist.filters.text.setText("smi")
    wait_until(lambda: idle() and not window.worklist.filters._typing.isActive())
    window.worklist.table.scrollToBottom()                         # a page far down
    wait_until(lambda: idle() and not window.worklist.model._pending)
    working_stall = worst["ms"]
    heartbeat.stop()
    Operations.wait_for_all()
    print(json.dumps({"ready": ready, "first": first["at"], "rows": rows,
                      "stall_ms": working_stall}), flush=True)
    opened.close()


# -- the parent ---------------------------------------------------------------------------


def seed(path: Path) -> str:
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"Seeding {path} (about 30 s)…", file=sys.stderr)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "practice_rx.cli", "--database", url, "demo", *SEED],
                   check=True, cwd=ROOT)
    print(f"Seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return url


def launch(kind: str, database: str, env: dict[str, str]) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind,
               "--database", database]
    started = time.time()
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT,
                            timeout=300, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise SystemExit(f"{kind} child failed ({result.returncode}):\n{result.stderr}")
    report = json.loads(lines[-1])
    report["seconds"] = report["ready"] - started
    if "first" in report:
        report["first_seconds"] = report["first"] - started
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a database URL already holding the data")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", choices=("app", "bare"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "bare":
        child_bare()
        return 0
    if args.child == "app":
        child_app(args.database)
        return 0

    database = args.database or seed(DEFAULT_DB)
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="practice-rx-bench-config-")
    env.pop("PRACTICE_RX_DATABASE_URL", None)
    launch("app", database, env)  # warm the file cache: "cold" means a new process, not a
    launch("bare", database, env)  # cold disk, which would measure the disk, not the app
    app_times, first_times, bare_times, stalls, rows = [], [], [], [], 0
    for _ in range(args.repeat):
        report = launch("app", database, env)
        app_times.append(report["seconds"])
        first_times.append(report["first_seconds"])
        stalls.append(report["stall_ms"])
        rows = report["rows"]
        bare_times.append(launch("bare", database, env)["seconds"])
    app, bare = statistics.median(app_times), statistics.median(bare_times)
    print(f"Database: {database} ({rows:,} referrals)")
    print(f"PracticeRx main window, shown and populated: {app * 1000:7.0f} ms "
          f"(median of {args.repeat}; {min(app_times) * 1000:.0f}-{max(app_times) * 1000:.0f})")
    print(f"Bare PySide6 window, shown:                  {bare * 1000:7.0f} ms "
          f"(median of {args.repeat}; {min(bare_times) * 1000:.0f}-{max(bare_times) * 1000:.0f})")
    print(f"Ratio: {app / bare:.2f}x (target <= 2x)")
    first = statistics.median(first_times)
    print(f"PracticeRx's opening window, shown:          {first * 1000:7.0f} ms "
          f"({first / bare:.2f}x the bare window)")
    print(f"Longest GUI stall while sorting by patient, filtering and scrolling: "
          f"{max(stalls)} ms (target < 100 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
