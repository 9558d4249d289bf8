"""`make bench`: every benchmark, each in a fresh interpreter (moto is process-global), then the tables,
docs/benchmarks.md and the plots in docs/plots/. Bounded to under ten minutes on a 2-core machine.

    .venv/bin/python -m bench                 # everything, default (reduced) sizes
    .venv/bin/python -m bench --full          # matching at 1,000 / 10,000 / 100,000 technicians (+5 min)
    .venv/bin/python -m bench --only cost     # one part, printed, docs untouched
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import ROOT

PARTS = ("cost", "latency", "coldstart", "api", "matching")


def run_part(part: str, out: Path, full: bool, tiny: bool) -> None:
    if part == "cost":
        from bench import cost

        result = cost.measure(repeats=1 if tiny else 2, scenarios=("happy",) if tiny else tuple(cost.SCENARIOS))
    elif part == "latency":
        from bench import latency

        result = latency.measure(levels=(1, 2) if tiny else (1, 5, 20), samples_at_least=2 if tiny else 6)
    elif part == "coldstart":
        from bench import coldstart

        result = coldstart.measure(repeats=1 if tiny else 3, only=("AwaitCompletion",) if tiny else None)
    elif part == "api":
        from bench import api_load

        result = api_load.measure(requests=10 if tiny else 100, write_requests=4 if tiny else 20, seconds=3 if tiny else 8)
    else:
        from bench import matching

        result = matching.measure(sizes=(300,) if tiny else (1_000, 10_000, 100_000) if full else (1_000, 10_000), tiny=tiny)
    out.write_text(json.dumps(result, default=str), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="matching at 100,000 technicians too")
    parser.add_argument("--tiny", action="store_true", help="smallest sizes: checks that the code runs (tests)")
    parser.add_argument("--only", choices=PARTS, help="run one part")
    parser.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)  # internal: one part, in this process
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--docs", type=Path, help="where benchmarks.md and plots/ go (default docs/; with --only: none)")
    args = parser.parse_args()
    if args.part:
        run_part(args.part, args.json, args.full, args.tiny)
        return
    started, results = time.perf_counter(), {}
    with tempfile.TemporaryDirectory() as tmp:
        for part in (args.only,) if args.only else PARTS:
            out = Path(tmp) / f"{part}.json"
            flags = [f for f, on in (("--full", args.full), ("--tiny", args.tiny)) if on]
            part_started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bench", "--part", part, "--json", str(out), *flags], check=True, cwd=ROOT)
            results[part] = json.loads(out.read_text(encoding="utf-8"))
            results[part]["part_seconds"] = time.perf_counter() - part_started
    seconds = time.perf_counter() - started
    print(f"benchmarks took {seconds:.0f} s")
    docs = args.docs or (None if args.only else ROOT / "docs")
    if docs is not None:
        from bench import report

        report.write(results, seconds, docs, tiny=args.tiny)
        print(f"wrote {docs / 'benchmarks.md'}")


if __name__ == "__main__":
    main()
