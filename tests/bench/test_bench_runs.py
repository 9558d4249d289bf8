"""The benchmark code runs (tiny size, in a subprocess: moto is process-global); the benchmarks themselves
stay out of the test suite (`make bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cost_benchmark_runs_and_writes_the_report(tmp_path):
    # When the cost part runs at its tiny size with a report directory
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "cost", "--tiny", "--docs", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # Then the happy path is priced from its real run, within the transitions the design allows
    report = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert "## 1. Cost per order on AWS" in report and "| happy path" in report
    assert (tmp_path / "plots" / "cost_per_order.png").stat().st_size > 1000
    line = next(x for x in done.stdout.splitlines() if x.startswith("cost happy"))
    assert int(line.split()[2]) <= 15


def test_prices_are_in_one_dated_file():
    from bench import prices

    assert prices.PRICES_DATE and prices.PRICES_REGION
    assert 0 < prices.USD_PER_STATE_TRANSITION < 0.001


def test_the_transaction_benchmark_runs_and_measures_both_connections():
    done = subprocess.run(
        [sys.executable, "-m", "bench.transactions", "--rounds", "2"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "process-wide Connection" in done.stdout and "new Connection each time" in done.stdout
