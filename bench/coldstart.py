"""Cold start: the import time of every handler module of the catalogue, each in a fresh interpreter (bytecode
compiled beforehand), interleaved with importing boto3 alone in the same run, so the ratio survives the
machine's noise. Also the biggest packages each handler pulls in (`python -X importtime`, cumulative)."""

from __future__ import annotations

import re
import statistics
import subprocess
import sys

from bench.harness import ROOT

_PROBE = (
    "import sys, time; sys.path[:0] = [{functions!r}]; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
)


def _import_seconds(module: str) -> float:
    code = _PROBE.format(functions=str(ROOT / "functions"), module=module)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


def heaviest(module: str, top: int = 4) -> list[tuple[str, float]]:
    """Third-party packages by inclusive import time (ms, the outermost import of each), one `-X importtime` run."""
    code = f"import sys; sys.path[:0] = [{str(ROOT / 'functions')!r}]; import {module}"
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, cwd=ROOT).stderr
    totals: dict[str, float] = {}
    for line in err.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| \s*(\S+)$", line)
        root = m.group(2).split(".")[0] if m else ""
        if root in _THIRD_PARTY:  # the largest import of a package's modules: its outermost one
            totals[root] = max(totals.get(root, 0), int(m.group(1)) / 1000)
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])
    return ranked[:top]


_THIRD_PARTY = {
    "aws_xray_sdk",
    "boto3",
    "botocore",
    "pynamodb",
    "pydantic",
    "pydantic_settings",
    "aws_lambda_powertools",
    "jwt",
    "cryptography",
    "urllib3",
    "s3transfer",
    "jmespath",
    "dateutil",
    "wrapt",
}


def measure(repeats: int = 5, only: tuple[str, ...] | None = None) -> dict:
    from deploy.catalog import FUNCTIONS

    modules = {f.name: f.handler.rsplit(".", 1)[0] for f in FUNCTIONS if only is None or f.name in only}
    for module in {*modules.values(), "boto3"}:  # compile the bytecode once
        _import_seconds(module)
    samples: dict[str, list[float]] = {"boto3": [], **{name: [] for name in modules}}
    for _ in range(repeats):
        for name, module in modules.items():
            samples["boto3"].append(_import_seconds("boto3"))
            samples[name].append(_import_seconds(module))
    boto3_ms = 1000 * statistics.median(samples["boto3"])
    rows = []
    for name, module in modules.items():
        ms = 1000 * statistics.median(samples[name])
        rows.append({"function": name, "module": module, "ms": ms, "ratio": ms / boto3_ms, "heaviest": heaviest(module)})
        print(f"cold start {name:<17} {ms:6.0f} ms = {ms / boto3_ms:.2f} × boto3 ({boto3_ms:.0f} ms)", flush=True)
    return {"boto3_ms": boto3_ms, "repeats": repeats, "rows": rows}
