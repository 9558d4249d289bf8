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
    # And the closed order's history, archived once, is priced as S3's one PUT
    assert "Its S3 requests: PutObject 1." in report


def test_s3_requests_are_priced_as_puts_and_lists_or_as_gets_and_the_rest_and_deletes_are_free():
    from collections import Counter

    from bench import cost, prices
    from bench.meter import Reading

    # Given a run whose only calls are S3's
    calls = Counter({"s3.PutObject": 2, "s3.ListObjectsV2": 1, "s3.GetObject": 5, "s3.HeadObject": 1, "s3.DeleteObject": 3})
    run = cost.Run("happy", [], 0, 0, {}, Reading(calls=calls))
    platform = cost.Platform(128, "disabled", False, 0.0, "INFO", "OFF", False)
    # When it is priced
    costs = run.costs(platform)
    # Then three requests are priced as PUT/LIST, six as GET, the deletes not at all, and nothing else costs
    assert costs["s3"] == 3 * prices.USD_PER_S3_WRITE_REQUEST + 6 * prices.USD_PER_S3_READ_REQUEST
    assert sum(costs.values()) == costs["s3"]


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
