"""The sandbox's DynamoDB (local/fast_dynamodb.py: partition reads, answers written as JSON) against moto
as shipped, side by side in one run:

    .venv/bin/python -m bench.sandbox_queries [--rounds 3]

On the pilot-sized demo data (329 orders and everything they wrote), times the district-wide
`GET /stats` (index queries over every compound, company and period) and a supervisor's order list,
alternating fast / moto / fast … so the machine's drift hits both alike. Prints the medians and ratios.
Not part of `make bench` (it measures the sandbox, not the platform); bench/improvements.md quotes it.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.harness import ROOT  # noqa: F401  (puts functions/ on the path)
from local.sandbox import Sandbox

REQUESTS = {
    "GET /stats (district)": "/stats",
    "GET /stats (one compound)": "/stats?compound_id=cp_649b5f256751",
    "GET /orders (supervisor)": "/orders",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    from local import tokens

    sandbox = Sandbox(port=0, schedule_interval=None).start()
    try:
        table = sandbox.aws.client("dynamodb").describe_table(TableName="linli")["Table"]
        token = tokens.issue("sup_tongzhou", "supervisor")
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(rounds):
            for mode in ("fast", "moto"):
                for label, path in REQUESTS.items():
                    started = time.perf_counter()
                    if mode == "fast":
                        answer = _get(sandbox, path, token)
                    else:
                        with sandbox.aws.fast_dynamodb.moto_itself():
                            answer = _get(sandbox, path, token)
                    assert answer == 200, (label, answer)
                    times.setdefault((label, mode), []).append(time.perf_counter() - started)
        print(f"table: {table['ItemCount']} items; {rounds} rounds, alternating")
        print("| request | sandbox (ms) | moto as shipped (ms) | ratio |\n|---|---:|---:|---:|")
        for label in REQUESTS:
            fast, moto = (statistics.median(times[(label, m)]) * 1000 for m in ("fast", "moto"))
            print(f"| {label} | {fast:.0f} | {moto:.0f} | {moto / fast:.1f}× |")
    finally:
        sandbox.stop()


def _get(sandbox: Sandbox, path: str, token: str) -> int:
    import requests

    return requests.get(f"{sandbox.url}{path}", headers={"authorization": f"Bearer {token}"}, timeout=300).status_code


if __name__ == "__main__":
    main()
