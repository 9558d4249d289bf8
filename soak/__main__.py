"""`make soak` (ORDERS=…): load without loss. Drives N orders through the sandbox's API at once (a bounded
thread pool) with randomised residents, technicians, dispatchers and supervisors, waits until every
execution has ended (or is waiting with a deadline), then checks the invariants over everything stored
(soak/checks.py). Exits 1 if any invariant fails.

    .venv/bin/python -m soak --orders 1000 --seed 8            # the issue's size (about 35 minutes here: docs/reliability.md)
    .venv/bin/python -m soak --orders 40 --docs docs/          # and write the figures into docs/reliability.md
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.harness import Bench
from soak import checks, collect, drive, report


def run(orders: int, seed: int, threads: int, max_seconds: float, wait_seconds: int = 4, snapshot: Path | None = None) -> dict:
    started = time.perf_counter()
    load = os.getloadavg()[0]
    rng = random.Random(seed)
    tally = drive.Tally()
    with Bench(env=drive.soak_timeouts(wait_seconds)) as b:
        worlds = drive.make_worlds(b, drive.worlds_for(orders), rng)
        # The wall-time bound, from the first order (the sandbox's start and the compounds not counted): orders not
        # started by half of it are not placed (the report says how many were), each order's actors give up after
        # half of it, and the rest is for the executions to end and the queues to settle (at least 15 and 30 s);
        # then the snapshot.
        bound = time.monotonic() + max_seconds
        drive.ORDER_SECONDS = min(drive.ORDER_SECONDS, max_seconds / 2)
        driving = time.perf_counter()
        stop_placing = bound - max_seconds / 2

        def one(n: int) -> str | None:
            if time.monotonic() > stop_placing:
                return "not placed (time bound)"
            outcome = drive.drive(b, worlds[n % len(worlds)], n, seed, tally)
            with tally.lock:
                tally.driven += 1
                finished = tally.driven
            if finished % max(1, orders // 10) == 0:
                print(f"  {finished}/{orders} orders driven, {time.perf_counter() - started:.0f} s", flush=True)
            return outcome

        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="soak") as pool:
            outcomes = list(pool.map(one, range(orders)))
        drove = time.perf_counter() - driving
        # Every execution ended, or (past the bound) left waiting: the checks tell which.
        ending = time.perf_counter()
        print(f"  driven in {ending - driving:.0f} s; waiting for the executions to end", flush=True)
        running = list(tally.placed)
        until = max(bound - 15, time.monotonic() + 15)
        while running and time.monotonic() < until:
            running = [o for o in running if b.execution_status(o) == "RUNNING"]
            time.sleep(0.5)
        print(f"  {len(running)} still running after {time.perf_counter() - ending:.0f} s; settling the queues", flush=True)
        # the stream and the queues (audit chain, credit) delivered
        settled = collect.quiesce(b, timeout=max(30.0, bound - time.monotonic()))
        ended = time.perf_counter() - ending
        print(f"  settled ({settled}) after {ended:.0f} s; reading everything stored", flush=True)
        snap = collect.snapshot(b, worlds, tally.placed, tally.api_errors)
        print(f"  read in {time.perf_counter() - ending - ended:.0f} s", flush=True)
    if snapshot:
        snapshot.write_text(json.dumps(checks.to_json(snap), ensure_ascii=False, default=str), encoding="utf-8")
    results = checks.check_all(snap)
    by_status = Counter(o.status for o in snap.orders.values())
    cancelled = Counter(o.cancel_reason or "?" for o in snap.orders.values() if o.status == "cancelled")
    executions = Counter(e.status + (f" {e.error}" if e.error else "") for e in snap.executions.values())
    return {
        "orders": orders,
        "seed": seed,
        "threads": threads,
        "wait_seconds": wait_seconds,
        "worlds": len(worlds),
        "technicians": sum(len(w.technicians) for w in worlds),
        "placed": len(tally.placed),
        "by_type": dict(Counter(o.order_type for o in snap.orders.values())),
        "by_status": dict(by_status),
        "cancel_reasons": dict(cancelled),
        "approval_outcomes": dict(Counter(o.approval_outcome for o in snap.orders.values() if o.approval_outcome)),
        "rated": sum(1 for o in snap.orders.values() if o.rating_stars is not None),
        "executions": dict(executions),
        "actions": dict(tally.actions),
        "conflicts": dict(tally.conflicts),
        "conflict_examples": tally.conflict_examples,
        "api_calls": tally.api_calls,
        "gave_up": tally.gave_up,
        "audit_entries": sum(len(e) for e, _ in snap.chains.values()),
        "slot_hours_held": len(snap.slots),
        "outcomes": dict(Counter(o or "gave up" for o in outcomes)),
        "settled": settled,
        "seconds": {"total": time.perf_counter() - started, "driving": drove, "ending": ended},
        "load": [load, os.getloadavg()[0]],
        "checks": [{"name": c.name, "checked": c.checked, "ok": c.ok, "problems": c.problems} for c in results],
        "ok": all(c.ok for c in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1000, help="orders to drive (default 1000)")
    parser.add_argument("--seed", type=int, default=8, help="seed of every actor's decisions (default 8)")
    parser.add_argument("--threads", type=int, default=8, help="orders driven at once (default 8)")
    parser.add_argument("--max-seconds", type=float, default=3600, help="wall-time bound from the first order (default 3600)")
    parser.add_argument("--wait-seconds", type=int, default=4, help="offers, approvals, ratings wait this long (default 4)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--snapshot", type=Path, help="write what the checks read as JSON here (the tests tamper with it)")
    parser.add_argument("--docs", type=Path, help="write the figures into <docs>/reliability.md, 'Load without loss'")
    args = parser.parse_args()
    result = run(args.orders, args.seed, args.threads, args.max_seconds, args.wait_seconds, args.snapshot)
    print(report.text(result))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.docs:
        report.write_section(result, args.docs / "reliability.md")
        print(f"wrote {args.docs / 'reliability.md'}")
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
