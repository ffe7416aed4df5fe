"""Each bench's ``--json`` prints one JSON object with its figures, baselines and ratios.

Run at the smallest sensible size in a subprocess, as a script checking a figure
would run it: this proves the shape of the output, not the speed (the benches
measure that, against a baseline in the same run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from practice_rx.services.demo import DemoSize, fill
from practice_rx.startup import start

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def bench_json(tmp_path: Path, script: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
           "QT_QPA_PLATFORM": "offscreen",
           "PRACTICE_RX_AUDIT_KEY_FILE": str(tmp_path / "bench-audit.key")}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args, "--json"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
                            check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout[-2000:]
    data = json.loads(lines[0])
    assert isinstance(data, dict)
    return data


def has(data: dict, *keys: str) -> None:
    assert set(keys) <= set(data), sorted(set(keys) - set(data))


def test_letters(tmp_path):
    data = bench_json(tmp_path, "letters.py", "--letters", "12", "--repeat", "1")
    has(data, "template_per_s", "batch_per_s", "bare_canvas_per_s", "template_ratio",
        "batch_ratio", "template_target_per_s", "batch_target_per_s")
    assert data["batch_ratio"] == pytest.approx(
        data["bare_canvas_per_s"] / data["batch_per_s"], rel=0.05)


def test_durability(tmp_path):
    data = bench_json(tmp_path, "durability.py", "--saves", "5", "--rounds", "1",
                      "--folder", str(tmp_path))
    has(data, "full_saves_per_s", "normal_saves_per_s", "full_ms_per_save",
        "normal_ms_per_save", "ratio", "full_runs", "normal_runs")
    assert len(data["full_runs"]) == 1


def test_oruk_import(tmp_path):
    data = bench_json(tmp_path, "oruk_import.py", "--services", "40", "--per-page", "20",
                      "--backend", "sqlite")
    has(data, "figures_s", "baseline", "ratios", "target_s", "meets_target")
    assert data["baseline"] in data["figures_s"]
    assert "sqlite_import_vs_baseline" in data["ratios"]


def test_memory(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'memory.sqlite3'}"
    monkeypatch.setenv("PRACTICE_RX_AUDIT_KEY_FILE", str(tmp_path / "bench-audit.key"))
    app = start(url)  # the plugins' forms installed, as the application has them
    fill(app.services.db, DemoSize(patients=20, referrals=150, services=5))
    app.close()
    data = bench_json(tmp_path, "memory.py", "--database", url)
    has(data, "peak_mb", "shown_mb", "bare_peak_mb", "ratio", "shown_ratio", "target_mb",
        "rows", "fetched")
    assert data["fetched"] == data["rows"] > 0


@pytest.mark.skipif("--json" not in (ROOT / "bench" / "worklist.py").read_text(),
                    reason="bench/worklist.py (which this bench runs) does not take --json yet")
def test_scaling(tmp_path):
    data = bench_json(tmp_path, "scaling.py", "--sizes", "500", "--repeat", "1")
    [size] = data["sizes"]
    has(size, "referrals", "seeded_s", "mib", "worklist")
    assert size["referrals"] == 500
    assert isinstance(size["worklist"], dict)


def test_startup(tmp_path, monkeypatch):
    """Both start-ups, through the real sign-in and signed in directly, and the GUI stall
    timed from launch, each against the bare window of the same run."""
    url = f"sqlite:///{tmp_path / 'startup.sqlite3'}"
    monkeypatch.setenv("PRACTICE_RX_AUDIT_KEY_FILE", str(tmp_path / "bench-audit.key"))
    app = start(url)
    fill(app.services.db, DemoSize(patients=20, referrals=150, services=5))
    app.close()
    data = bench_json(tmp_path, "startup.py", "--database", url, "--repeat", "1")
    has(data, "sign_in_screen_taking_typing", "main_window_populated_after_sign_in",
        "main_window_populated_signed_in_directly", "enter_to_populated_ms",
        "gui_stall_while_opening_ms", "gui_stall_sort_filter_scroll_ms",
        "gui_stall_direct_while_opening_ms", "gui_stall_direct_sort_filter_scroll_ms",
        "gui_stall_timed_from", "gui_stall_target_ms", "referrals")
    assert data["gui_stall_timed_from"] == "launch"
    for name in ("sign_in_screen_taking_typing", "main_window_populated_after_sign_in",
                 "main_window_populated_signed_in_directly"):
        has(data[name], "ms", "low_ms", "high_ms", "baseline_ms", "ratio", "target_ratio")
    assert data["main_window_populated_after_sign_in"]["baseline_ms"] == \
        data["main_window_populated_signed_in_directly"]["baseline_ms"]
    assert data["referrals"] > 0, data
