"""The cost benchmark's meter as it was at an earlier commit and as it is now, on the same runs: both meters
installed at once (the earlier one's code read from git), every scenario run once and then `--repeats` times.

The earlier figures follow the earlier procedure: the mean of the first run (whose handler imports were inside
the durations: added back here from the harness's import times) and the next ones, priced by that commit's
`Run.costs`. The current figures are `bench/cost.py`'s, over the measured runs only.

    .venv/bin/python -m bench.meters_side_by_side --before d529aa6 [--repeats 2]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
from types import ModuleType

from bench import cost
from bench.harness import ROOT


def module_at(commit: str, path: str, name: str) -> ModuleType:
    source = subprocess.run(["git", "show", f"{commit}:{path}"], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, f"{commit}:{path}", "exec"), module.__dict__)  # noqa: S102 - this repository's own code
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="the commit whose bench/meter.py and bench/cost.py to compare")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    old_meter = module_at(args.before, "bench/meter.py", "bench_meter_before")
    old_cost = module_at(args.before, "bench/cost.py", "bench_cost_before")
    platform, firsts, runs, cold_ms = cost.collect(args.repeats, tuple(cost.SCENARIOS), others=(old_meter.Meter(),))
    imports = dict(cold_ms)  # per function: its import and its first call's excess over a warm one

    print("| scenario | meter | " + " | ".join(KEYS) + " | **total** | WRU | SQS requests | GB-s |")
    print("|---|---|" + "---:|" * (len(KEYS) + 4))
    colds = []
    for key in cost.SCENARIOS:
        # the earlier procedure: the first run (cold, imports inside) and the next repeats-1 runs, the old meter
        olds = []
        for run in [firsts[key], *runs[key]]:
            run.others[0].api_requests = run.reading.api_requests  # the harness counts them, into its own meter
        for i, run in enumerate([firsts[key], *runs[key][: args.repeats - 1]]):
            lambdas = {name: list(d) for name, d in run.lambdas.items()}
            if i == 0:
                for name in run.first_calls:
                    lambdas[name][0] += imports.get(name, 0.0)
            olds.append((old_cost.Run(key, run.states, run.transitions, run.retries, lambdas, run.others[0]), run))
        old_costs = [o.costs(platform.memory_mb) for o, _ in olds]
        old = {k: statistics.mean(c.get(k, 0.0) for c in old_costs) for k in KEYS}
        o_reading = olds[len(olds) // 2][0].reading
        o_gb = statistics.mean(
            sum(-(-ms // 1) / 1000 * platform.memory_mb / 1024 for d in o.lambdas.values() for ms in d) for o, _ in olds
        )
        new = cost.summarise(runs[key], platform, cold_ms)
        label = cost.SCENARIOS[key][0].split(" (")[0]
        o_sqs = o_reading.count("sqs", exclude=("ReceiveMessage.empty", "GetQueueAttributes"))
        print(
            f"| {label} | before | "
            + " | ".join(f"{old[k] * 1000:.3f}" for k in KEYS)
            + f" | **{sum(old.values()) * 1000:.3f}** | {o_reading.wru:.0f} | {o_sqs} | {o_gb:.3f} |"
        )
        print(
            f"| {label} | now | "
            + " | ".join(f"{new['costs'].get(k, 0.0) * 1000:.3f}" for k in KEYS)
            + f" | **{new['total'] * 1000:.3f}** | {new['wru']:.0f} | {new['sqs_requests']} | {new['gb_seconds']:.3f} |"
        )
        colds.append((label, new))
    print("\n| scenario | functions | cold starts (ms, sum) | GB-s | USD per 1,000 sets |\n|---|---:|---:|---:|---:|")
    for label, new in colds:
        print(
            f"| {label} | {len(new['cold_ms'])} | {sum(new['cold_ms'].values()):,.0f} | {new['cold_gb_seconds']:.3f} "
            f"| {new['cold_cost'] * 1000:.3f} |"
        )


KEYS = (
    "step_functions",
    "lambda_requests",
    "lambda_compute",
    "dynamodb",
    "http_api",
    "eventbridge",
    "sqs",
    "s3",
    "xray",
    "cloudwatch_logs",
)

if __name__ == "__main__":
    main()
