"""docs/benchmarks.md and docs/plots/*.png from the parts' results (bench/__main__.py)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bench import prices
from bench.harness import ROOT

IMPROVEMENTS = Path(__file__).with_name("improvements.md")


def _plots(results: dict, plots: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots.mkdir(parents=True, exist_ok=True)
    made = []
    if "cost" in results:
        rows = results["cost"]["rows"]
        fig, ax = plt.subplots(figsize=(8, 4))
        bottom = [0.0] * len(rows)
        for key in rows[0]["costs"]:
            values = [r["costs"][key] * 1000 for r in rows]
            ax.bar([r["scenario"] for r in rows], values, bottom=bottom, label=key.replace("_", " "))
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_ylabel("USD per 1,000 orders")
        ax.set_title(f"Cost per order on AWS ({prices.PRICES_REGION}, prices of {prices.PRICES_DATE})")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(plots / "cost_per_order.png", dpi=90)
        made.append("cost_per_order.png")
    if "latency" in results:
        rows = results["latency"]["rows"]
        fig, ax = plt.subplots(figsize=(8, 4))
        xs = [r["concurrency"] for r in rows]
        for side, style in (("ours", "-o"), ("floor", "--o")):
            ax.plot(xs, [r[f"{side}_offer_p50"] * 1000 for r in rows], style, label=f"{side}: offer visible p50")
            ax.plot(xs, [r[f"{side}_assigned_p50"] * 1000 for r in rows], style, label=f"{side}: assigned p50", alpha=0.6)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(xs, [str(x) for x in xs])
        ax.set_xlabel("concurrent orders")
        ax.set_ylabel("ms after POST /orders (sandbox)")
        ax.set_title("Time to answer: ours vs the same state machine with no-op handlers")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(plots / "time_to_answer.png", dpi=90)
        made.append("time_to_answer.png")
    if "coldstart" in results:
        rows = results["coldstart"]["rows"]
        fig, ax = plt.subplots(figsize=(8, 4))
        ax.barh([r["function"] for r in rows], [r["ratio"] for r in rows])
        ax.axvline(1.0, color="k", linestyle="--", label="boto3 alone")
        ax.set_xlabel("import time / import time of boto3 (same run)")
        ax.set_title("Cold start: handler module import")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(plots / "cold_start.png", dpi=90)
        made.append("cold_start.png")
    if "api" in results:
        rows = results["api"]["rows"]
        fig, ax = plt.subplots(figsize=(8, 4))
        labels = [r["endpoint"].split(" (")[0] for r in rows]
        ax.barh(labels, [r["p50_ms"] for r in rows], label="p50")
        ax.barh(labels, [r["p99_ms"] - r["p50_ms"] for r in rows], left=[r["p50_ms"] for r in rows], label="p99", alpha=0.5)
        ax.set_xlabel("ms per request through the local gateway (sandbox)")
        ax.set_title(f"API under load ({results['api']['clients']} clients)")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(plots / "api_latency.png", dpi=90)
        made.append("api_latency.png")
    if "matching" in results:
        rows = results["matching"]["rows"]
        fig, ax = plt.subplots(figsize=(8, 4))
        xs = [r["technicians"] for r in rows]
        ax.plot(xs, [r["engine_items"] for r in rows], "-o", label="engine (spatial index)")
        ax.plot(xs, [r["scan_items"] for r in rows], "--o", label="full scan")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("technicians in the city")
        ax.set_ylabel("DynamoDB items read per match")
        ax.set_title("Matching at city scale")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(plots / "matching_items.png", dpi=90)
        made.append("matching_items.png")
    plt.close("all")
    return made


def _usd(x: float) -> str:
    return f"{x * 1000:.3f}"


def _cost_section(c: dict) -> list[str]:
    rows = c["rows"]
    keys = list(rows[0]["costs"])
    pf = c.get("platform", {})
    sampling = c.get("lambda_sampling", 0.05)
    lines = [
        "## 1. Cost per order on AWS",
        "",
        "Each scenario run alone in the sandbox, once unmeasured (every handler's first call: its cold start) and then",
        f"{c['repeats']} times measured, from `POST /orders` to the end of its execution and of everything its stream",
        "records and queue messages trigger (notifications, webhooks, audit). Counted from the run:",
        "",
        "- **state transitions** from each execution's history (every `…StateEntered` event, plus retry attempts:",
        "  `TaskScheduled` events beyond one per task state);",
        "- **Lambda** invocations and their measured durations (rounded up to 1 ms), billed at the configured",
        f"  {c['memory_mb']} MB on arm64, **warm**: each handler's module is imported before its first call, and",
        "  the first calls are in the unmeasured run. The durations are in-process on this x86 machine with moto",
        "  behind every call, so the GB-s are an upper bound of what AWS would bill. The **cold start** of each",
        "  function (its module's import, timed on its own, plus its first call's excess over its median warm",
        "  call) is its own table below: it is paid once per execution environment, not per order;",
        "- **DynamoDB request units computed from item sizes** (bench/meter.py), not read from `ConsumedCapacity`:",
        "  moto answers `ReturnConsumedCapacity=TOTAL` with constants (0.5 per GetItem, 1 per write, whatever the",
        "  item), which would be wrong. Writes: 1 WRU per started KB of the larger of the item before and after,",
        "  plus the same for every index of the table (read from the table's schema) the item is or was in,",
        "  twice when its key in that index changes (a delete and a put), transactions ×2; the item before a",
        "  write is a copy taken before the call (moto updates items in place). Reads: 0.5 RRU per started 4 KB",
        "  (eventually consistent), 1 if strongly consistent; the Step Functions interpreter's own",
        "  `dynamodb:updateItem` tasks are counted too (they go through the same seam);",
        "- **HTTP API** requests the actors make (the technician reads `GET /offers` once per offer, the resident",
        "  reads the bill before approving), **EventBridge** entries put, **SQS** requests: sends (the event bus's",
        "  own sends to its rules' queues included, counted where moto makes them), deletes and receives that",
        "  returned messages (the sandbox pump's empty polls stand for Lambda's poller, a fixed cost per queue on",
        "  AWS, not per order). SMS are counted, not priced;",
        f"- **X-Ray traces recorded**, at the platform's defaults (infra/constructs/): functions' tracing "
        f"`{pf.get('tracing', '?')}`, the state",
        f"  machine traced ({pf.get('workflow_tracing')}) under a sampling rule of {pf.get('workflow_sampling', 0):.0%} "
        "of executions; an invocation that",
        "  starts a trace of its own (an HTTP API, stream, schedule or WebSocket call: those pass no trace header)",
        f"  is sampled by Lambda's default rule, {sampling:.0%}; workflow tasks are in their execution's trace,",
        "  queue consumers in the trace of the function that put the event. Priced at the sampling rates: the",
        "  rules' reservoir (the first request each second) is a fixed cost, not one per order, but at a pilot's",
        "  few requests a second it traces nearly every request (the bound is given below);",
        "- **CloudWatch Logs bytes ingested**: the Powertools logger's lines at the functions' configured level",
        f"  (`{pf.get('lambda_log_level', '?')}`; the handlers run at that level and every line is counted), the two "
        "records Lambda's",
        "  JSON log format adds per invocation (`platform.start`, `platform.report`, sized from their fields with",
        f"  this run's figures), and the state machine's log at level `{pf.get('workflow_log_level', '?')}` "
        f"(execution data {'included' if pf.get('workflow_execution_data') else 'excluded'}): one",
        "  JSON line per history event of the execution, as Step Functions writes it. Billed bytes are taken",
        "  as the lines' UTF-8 length (GB = 2³⁰ bytes); API Gateway access logs, log storage and queries are not",
        "  included.",
        "",
        f"Prices: `bench/prices.py` (published {prices.PRICES_REGION} list prices, recorded {prices.PRICES_DATE}, sources"
        " listed there; X-Ray $5.00 per million traces recorded, CloudWatch Logs ingestion $0.50 per GB, no free"
        " tiers). Costs in **USD per 1,000 orders**.",
        "",
        "| scenario | transitions (+retries) | Lambda invocations | GB-s (warm) | RRU | WRU | DynamoDB calls | API requests"
        " | events | SQS requests | SMS | traces | log KB | " + " | ".join(k.replace("_", " ") for k in keys) + " | **total** |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + "---:|" * len(keys) + "---:|",
    ]
    for r in rows:
        log_kb = sum(v for k, v in r.get("logs", {}).items() if k.endswith("bytes")) / 1024
        lines.append(
            f"| {r['label']} | {r['transitions']} (+{r['retries']}) | {r['invocations']} | {r['gb_seconds']:.3f} "
            f"| {r['rru']:.1f} | {r['wru']:.0f} | {r['dynamodb_calls']} | {r['api_requests']} | {r['event_entries']} "
            f"| {r['sqs_requests']} | {r['sms']} | {r.get('traces', 0):.2f} | {log_kb:.1f} | "
            + " | ".join(_usd(r["costs"][k]) for k in keys)
            + f" | **{_usd(r['total'])}** |"
        )
    lines += [
        "",
        "Cold starts, once per execution environment (not in the totals above): the functions each scenario uses,",
        "their first call beyond a warm one, priced as Lambda compute (Lambda bills the init phase).",
        "",
        "| scenario | functions | cold start ms (sum) | GB-s | USD per 1,000 sets of cold starts |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        cold = r.get("cold_ms", {})
        lines.append(
            f"| {r['label']} | {len(cold)} | {sum(cold.values()):,.0f} | {r.get('cold_gb_seconds', 0):.3f} "
            f"| {_usd(r.get('cold_cost', 0))} |"
        )
    happy = next((r for r in rows if r["scenario"] == "happy"), rows[0])
    ranked = sorted(happy["costs"].items(), key=lambda kv: -kv[1])
    share = {k: v / happy["total"] for k, v in ranked}
    where = happy.get("wru_where", {})
    table_wru = where.get("table", 0)
    lines += [
        "",
        f"The happy path enters {happy['transitions']} states: " + " → ".join(f"`{s}`" for s in happy["states"]) + ".",
        "Its bill by service, largest first: "
        + ", ".join(f"{k.replace('_', ' ')} {share[k]:.0%}" for k, _ in ranked if share[k] >= 0.005)
        + ".",
    ]
    if where:
        lines += [
            f"Its {happy['wru']:.0f} WRU: {table_wru:.0f} on the table, "
            + ", ".join(f"{k} {v:.0f}" for k, v in where.items() if k != "table")
            + " on the indexes; by item kind (the key's prefix): "
            + ", ".join(f"{k} {v:.0f}" for k, v in happy.get("wru_kind", {}).items())
            + ".",
        ]
    if happy.get("sqs_by_op"):
        lines += ["Its SQS requests: " + ", ".join(f"{k} {v}" for k, v in happy["sqs_by_op"].items()) + "."]
    if happy.get("s3_by_op"):
        lines += ["Its S3 requests: " + ", ".join(f"{k} {v}" for k, v in happy["s3_by_op"].items()) + "."]
    if happy.get("logs"):
        lg = happy["logs"]
        lines += [
            f"Its logs: {lg['lambda_app_events']} logger lines ({lg['lambda_app_bytes']:,} bytes), "
            f"{lg['lambda_platform_events']} Lambda platform records ({lg['lambda_platform_bytes']:,} bytes), "
            f"{lg['workflow_events']} state machine lines ({lg['workflow_bytes']:,} bytes)."
        ]
    if "trace_roots" in happy:
        bound = (1 + happy["trace_roots"]) * prices.USD_PER_XRAY_TRACE_RECORDED
        lines += [
            f"Its traces: 1 execution and {happy['trace_roots']} invocations that start a trace, "
            f"{happy['traces']:.2f} traces recorded at the sampling rates; if every one were traced (below one "
            f"request a second, the reservoir's), X-Ray would be ${bound * 1000:.3f} per 1,000 orders.",
        ]
    lines += [
        "",
        "Lambda invocations per function (happy path): "
        + ", ".join(f"{k} {v}" for k, v in happy["by_function"].items())
        + ". DynamoDB calls by operation: "
        + ", ".join(f"{k} {v}" for k, v in happy["dynamodb_by_op"].items())
        + ".",
        "",
        "![cost per order](plots/cost_per_order.png)",
        "",
    ]
    return lines


def _latency_section(lat: dict) -> list[str]:
    lines = [
        "## 2. Time to answer",
        "",
        "From `POST /orders` to the offer being visible to the technician (the `Offer` task has stored it: from",
        "then on `GET /offers` shows it) and to the order being assigned (the workflow has entered the completion",
        "wait after the accept), with simulated technicians accepting after a random 0.2–0.6 s, which is",
        "subtracted from the assigned time. Side by side in the same run, level by level: the **floor**, the same",
        "ASL file with no-op handlers behind its Lambda tasks (`bench/noop.py`), started and answered through the",
        "same API hop as ours (the sandbox's gateway and its JWT check, then a Lambda invocation: a no-op API",
        "function that writes a bare order item and calls StartExecution, lists the offers, answers the callback).",
        "Both moments are recorded by a hook on the Lambda invocations, the same for both sides; the harness",
        "never polls DynamoDB. A full garbage collection runs before each round, outside the timed window (the",
        "sandbox's one heap holds the whole platform; a Lambda's heap is its own). Times are the sandbox's (moto,",
        "one Python process on 2 cores), so only the multiple of the floor carries over.",
        "",
        "| concurrent orders | samples | offer p50 | offer p95 | floor p50 | floor p95 | × floor (p50 / p95)"
        " | assigned p50 | assigned p95 | floor p50 | floor p95 | × floor (p50 / p95) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in lat["rows"]:
        ms = {k: f"{v * 1000:,.0f} ms" for k, v in r.items() if isinstance(v, float) and not k.startswith("x_")}
        lines.append(
            f"| {r['concurrency']} | {r['ours_samples']} | {ms['ours_offer_p50']} | {ms['ours_offer_p95']} "
            f"| {ms['floor_offer_p50']} | {ms['floor_offer_p95']} | {r['x_offer_p50']:.1f}× / {r['x_offer_p95']:.1f}× "
            f"| {ms['ours_assigned_p50']} | {ms['ours_assigned_p95']} | {ms['floor_assigned_p50']} "
            f"| {ms['floor_assigned_p95']} | {r['x_assigned_p50']:.1f}× / {r['x_assigned_p95']:.1f}× |"
        )
    lines += [
        "",
        "Lambda time per order in this run, from each level's start to its end (every invocation, the work an",
        "order triggers off its path included), largest functions first:",
        "",
    ]
    for r in lat["rows"]:
        parts = []
        for side in ("ours", "floor"):
            by = r.get(f"{side}_lambda_ms_by_function") or {}
            top = sorted(by.items(), key=lambda kv: -kv[1])[:4]
            parts.append(f"{side} {sum(by.values()):,.0f} ms (" + ", ".join(f"{k} {v:,.0f}" for k, v in top) + ")")
        lines.append(f"- {r['concurrency']} concurrent: " + "; ".join(parts) + ".")
    lines += [
        "",
        "![time to answer](plots/time_to_answer.png)",
        "",
    ]
    return lines


def _coldstart_section(c: dict) -> list[str]:
    lines = [
        "## 3. Cold start",
        "",
        f"Import time of each handler module in a fresh interpreter (bytecode compiled beforehand), median of "
        f"{c['repeats']}, interleaved with importing boto3 alone in the same run (median {c['boto3_ms']:.0f} ms); the",
        "heaviest packages each one pulls in, from one `python -X importtime` run (inclusive, overlapping: botocore",
        "is inside boto3 and pynamodb).",
        "",
        "| function | handler module | import | × boto3 | heaviest imports (ms) |",
        "|---|---|---:|---:|---|",
    ]
    for r in c["rows"]:
        heavy = ", ".join(f"{name} {ms:.0f}" for name, ms in r["heaviest"])
        lines.append(f"| {r['function']} | `{r['module']}` | {r['ms']:.0f} ms | {r['ratio']:.2f} | {heavy} |")
    lines += ["", "![cold start](plots/cold_start.png)", ""]
    return lines


def _api_section(a: dict) -> list[str]:
    lines = [
        "## 5. API under load",
        "",
        f"{a['clients']} concurrent clients (threads, one keep-alive `http.client` connection each) against the sandbox's",
        f"HTTP gateway on 127.0.0.1, at most {a['requests']} requests (fewer for `POST /orders`) or {a['seconds']:.0f} s per",
        "endpoint. The whole stack runs in one Python process (gateway, Lambda handlers, moto), so the",
        "throughput is the sandbox's; the DynamoDB calls per request (the API function's own, from a sequential",
        "pass) are what carries over to AWS. Errors: answers other than the expected status (the gateway",
        "answers 502 when the in-process integration fails under the load).",
        "",
        "| endpoint | requests | errors | req/s | p50 | p99 | DynamoDB calls/request |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in a["rows"]:
        ops = ", ".join(f"{k} {v:g}" for k, v in sorted(r["dynamodb_ops"].items()))
        lines.append(
            f"| `{r['endpoint']}` | {r['requests']} | {r['errors']} | {r['rps']:.1f} | {r['p50_ms']:.0f} ms "
            f"| {r['p99_ms']:.0f} ms | {r['dynamodb_calls']:g} ({ops}) |"
        )
    lines += ["", "![API latency](plots/api_latency.png)", ""]
    return lines


def _matching_section(m: dict) -> list[str]:
    text = m["markdown"].replace("\n## ", "\n### ").replace("# Matching benchmark", "## 4. Matching at city scale", 1)
    text = text.replace("Generated by `make bench` (`bench/matching.py`)", "Measured by `bench/matching.py`")
    note = []
    if max(r["technicians"] for r in m["rows"]) < 100_000:
        note = [
            "",
            "This run stops at 10,000 technicians to stay within the ten-minute budget (the remarks on the",
            "100,000-technician city refer to `--full`). The last full run (commit `f69f770`): at 100,000 technicians",
            "the engine read 63 items (max 67) in 21 requests per match, against 100,043 items for a Scan (1,588×).",
        ]
    return [text.rstrip(), *note, "", "![matching items](plots/matching_items.png)", ""]


def write(results: dict, seconds: float, docs: Path, *, tiny: bool = False) -> None:
    from bench.matching import machine

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    made = _plots(results, docs / "plots")
    parts = ", ".join(f"{k} {v['part_seconds']:.0f} s" for k, v in results.items())
    lines = [
        "# Benchmarks: cost, time to answer, cold start, matching, API",
        "",
        f"Generated by `make bench` (`python -m bench`) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit `{commit}`,",
        f"on {machine()}. The run took {seconds:.0f} s ({parts}).",
        "Rerun: `make bench` (reduced matching sizes, under 10 minutes), `.venv/bin/python -m bench --full`",
        "(matching up to 100,000 technicians too), `.venv/bin/python -m bench --only cost` (one part, printed only).",
        "Everything runs in the local sandbox (moto), in one process: counts (transitions, invocations,",
        "request units, calls) carry over to AWS; times are the sandbox's, so they are given as ratios to a",
        "baseline measured in the same run wherever possible.",
        "",
    ]
    if tiny:
        lines += ["**Tiny run** (`--tiny`): sizes too small for the figures to mean anything.", ""]
    sections = {
        "cost": _cost_section,
        "latency": _latency_section,
        "coldstart": _coldstart_section,
        "matching": _matching_section,
        "api": _api_section,
    }
    for key, section in sections.items():
        if key in results:
            lines += section(results[key])
    if IMPROVEMENTS.exists():
        lines += [IMPROVEMENTS.read_text(encoding="utf-8").rstrip(), ""]
    (docs / "benchmarks.md").write_text("\n".join(lines), encoding="utf-8")
    print("plots:", ", ".join(made))
