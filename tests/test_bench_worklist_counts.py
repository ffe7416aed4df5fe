"""The worklist bench stops, naming the case, when the service's total is not the raw count."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _worklist_bench():
    sys.path.insert(0, str(BENCH))  # the bench imports its neighbour bench_databases
    try:
        spec = importlib.util.spec_from_file_location("worklist_bench", BENCH / "worklist.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


def test_counts_that_disagree_stop_the_bench():
    bench = _worklist_bench()
    bench.check_counts("status asc first", 100, 100, 100)
    for service, raw, scoped in ((99, 100, 100), (100, 99, 100), (100, 100, 99)):
        with pytest.raises(bench.BenchMismatch, match=(
                rf"status asc first: service total {service}, raw SQL {raw}, "
                rf"counted with the practice scope {scoped}")):
            bench.check_counts("status asc first", service, raw, scoped)


def test_the_scoped_count_keeps_the_scope_and_the_filter():
    bench = _worklist_bench()
    case = bench.Case("overdue", bench.WorklistQuery(), "r.status IN ('sent')")
    assert bench.scoped_count_sql(case, "(r.practice_id IN (1, 2))") == (
        "SELECT count(*) FROM referral r WHERE (r.practice_id IN (1, 2)) AND "
        "r.status IN ('sent')")
