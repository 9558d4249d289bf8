"""Cost per order on AWS, from real sandbox runs of each scenario (see bench/meter.py for what is counted how).

Each scenario runs alone (nothing else moves in the sandbox), from `POST /orders` to the end of its
execution and of everything the stream and queues trigger (notifications, webhooks). The harness's own
polling is not metered; each actor's API calls are (the technician reads GET /offers once per offer).
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench import prices
from bench.harness import Bench
from bench.meter import Reading

EMPTY_BILL = {"lines": [], "note": "检查了线路，接头松了，已拧紧"}
WIRE = {"item_id": "elec_wire_reconnect", "parts": [{"part_id": "wire_connector", "quantity": 2}]}
LAMP = {
    "item_id": "elec_ceiling_lamp",
    "parts": [{"part_id": "led_ceiling_lamp", "quantity": 1}],
    "reason": "灯具内部烧毁，建议整灯更换",
}  # no photo: a photo_ref must name an uploaded photo (POST /photos), and the upload is not what is priced here


def _ok(result: Any, *codes: int) -> Any:
    assert result.status in (codes or (200, 201)), (result.status, result.body)
    return result.body


def _take_offer(b: Bench, w: Any, tech: str, order_id: str, decision: str = "accept") -> None:
    offer_id = b.wait_offer(order_id, tech)
    _ok(w.as_technician(tech, "GET", "/offers"))  # the technician's app shows it
    _ok(w.as_technician(tech, "POST", f"/offers/{offer_id}/{decision}"))


def _work_and_rate(b: Bench, w: Any, tech: str, order_id: str, bill: dict = EMPTY_BILL) -> dict:
    b.wait_status(order_id, "assigned")
    for status in ("en_route", "on_site"):
        _ok(w.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": status}))
    done = _ok(w.as_technician(tech, "POST", f"/orders/{order_id}/completion", bill))
    if done["status"] == "awaiting_approval":
        b.wait_status(order_id, "awaiting_approval")
        _ok(w.as_resident("GET", f"/orders/{order_id}"))  # the resident reads the bill
        _ok(w.as_resident("POST", f"/orders/{order_id}/approval", {"decision": "approve"}))
    b.wait_status(order_id, "completed")
    _ok(w.as_resident("POST", f"/orders/{order_id}/rating", {"stars": 5, "comment": "很好"}))
    return done


def happy(b: Bench) -> str:
    w = b.world()
    tech = b.add_technician(w)
    order_id = w.order()["order_id"]
    _take_offer(b, w, tech, order_id)
    _work_and_rate(b, w, tech, order_id)
    return order_id


def redispatch(b: Bench) -> str:
    w = b.world()
    nearest, second = b.add_technician(w, metres_east=100), b.add_technician(w, metres_east=600)
    order_id = w.order()["order_id"]
    _take_offer(b, w, nearest, order_id, "decline")
    _take_offer(b, w, second, order_id)
    _work_and_rate(b, w, second, order_id)
    return order_id


def escalation(b: Bench) -> str:
    w = b.world()
    off_duty = b.add_technician(w, on_duty=False)
    order_id = w.order()["order_id"]
    b.wait_status(order_id, "escalated")
    from bench.harness import wait_for

    wait_for(lambda: "AwaitManualDispatch" in _entered(b.history(order_id)), what="the manual-dispatch wait")
    _ok(w.as_supervisor("POST", f"/orders/{order_id}/dispatch", {"technician_id": off_duty}))
    _work_and_rate(b, w, off_duty, order_id)
    return order_id


def extra_charge(b: Bench) -> str:
    from bench.meter import unmetered
    from compounds.store import compound_records

    w = b.world()
    with unmetered():
        compound = compound_records.get_compound(w.compound_id)
        compound_records.put_compound(compound.model_copy(update={"free_period": None}))
    tech = b.add_technician(w)
    order_id = w.order()["order_id"]
    _take_offer(b, w, tech, order_id)
    _work_and_rate(b, w, tech, order_id, {"lines": [WIRE, LAMP]})
    return order_id


def public_area(b: Bench) -> str:
    w = b.world()
    tech = b.add_technician(w, on_duty=False)
    order_id = w.order("public_area", place="3号楼楼道灯")["order_id"]
    from bench.harness import wait_for

    wait_for(lambda: "AwaitCompanyDispatch" in _entered(b.history(order_id)), what="the company dispatch wait")
    _ok(w.as_dispatcher("POST", f"/orders/{order_id}/dispatch", {"technician_id": tech}))
    _work_and_rate(b, w, tech, order_id)
    return order_id


SCENARIOS: dict[str, tuple[str, Callable[[Bench], str]]] = {
    "happy": ("happy path (offer, accept, work, empty bill, rating)", happy),
    "redispatch": ("one re-dispatch (first declines, second accepts)", redispatch),
    "escalation": ("escalation + manual dispatch (nobody on duty)", escalation),
    "extra_charge": ("extra-charge approval (a line beyond the quote)", extra_charge),
    "public_area": ("public-area report (company dispatch)", public_area),
}


def _entered(history: list[dict]) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]


S3_WRITE_REQUESTS = ("PutObject", "CopyObject", "ListObjects", "ListObjectsV2", "ListObjectVersions")  # and POST uploads
S3_FREE_REQUESTS = ("DeleteObject", "DeleteObjects")  # S3 does not bill DELETE


def s3_requests(reading: Reading) -> tuple[int, int]:
    """(write-priced, read-priced) S3 requests: PUT, COPY, POST and LIST bill at one price, the rest at another."""
    writes = sum(n for k, n in reading.calls.items() if k.startswith("s3.") and k[3:] in S3_WRITE_REQUESTS)
    return writes, reading.count("s3", exclude=S3_WRITE_REQUESTS + S3_FREE_REQUESTS)


def billed_transitions(history: list[dict]) -> tuple[int, int]:
    """(states entered, retries): Step Functions Standard bills each state entered and each retry attempt."""
    entered = sum(1 for e in history if e["type"].endswith("StateEntered"))
    scheduled = sum(1 for e in history if e["type"] in ("TaskScheduled", "LambdaFunctionScheduled"))
    tasks = sum(1 for e in history if e["type"] == "TaskStateEntered")
    return entered, max(0, scheduled - tasks)


@dataclass(frozen=True)
class Platform:
    """The deployed defaults the bill depends on, read from the CDK sources (importing CDK takes seconds)."""

    memory_mb: int
    tracing: str  # the functions' X-Ray mode: active | pass_through | disabled
    workflow_tracing: bool  # the state machine's X-Ray tracing
    workflow_sampling: float  # share of executions traced (the platform's sampling rule)
    lambda_log_level: str  # the Powertools logger's level
    workflow_log_level: str  # the state machine's log level: ALL | ERROR | FATAL | OFF
    workflow_execution_data: bool  # whether its log lines carry inputs and outputs


def platform_defaults() -> Platform:
    import re

    from bench.harness import ROOT

    functions = (ROOT / "infra" / "constructs" / "functions.py").read_text(encoding="utf-8")
    workflow = (ROOT / "infra" / "constructs" / "workflow.py").read_text(encoding="utf-8")

    def find(pattern: str, text: str) -> str:
        return re.search(pattern, text, re.M).group(1)

    return Platform(
        memory_mb=int(find(r"^DEFAULT_MEMORY_MB = (\d+)", functions)),
        tracing=find(r'try_get_context\("tracing"\) or "(\w+)"', functions),
        workflow_tracing=find(r"tracing_enabled=(True|False)", workflow) == "True",
        workflow_sampling=float(find(r"^DEFAULT_TRACE_SAMPLING_RATE = ([\d.]+)", functions)),
        lambda_log_level=find(r'"POWERTOOLS_LOG_LEVEL": "(\w+)"', functions),
        workflow_log_level=find(r"^DEFAULT_WORKFLOW_LOG_LEVEL = sfn\.LogLevel\.(\w+)", workflow),
        workflow_execution_data=find(r"include_execution_data=(True|False)", workflow) == "True",
    )


def configured_memory_mb() -> int:
    return platform_defaults().memory_mb


# Lambda's own sampling of an invocation no traced caller decided for (AWS's default rule: the first request
# each second, then 5 %). Priced at the 5 %: the reservoir's one a second is a fixed cost, not one per order.
LAMBDA_SAMPLING = 0.05


def trace_roots(lambdas: dict[str, list[float]]) -> int:
    """Invocations that start a trace of their own: API Gateway HTTP APIs, DynamoDB streams, schedules and the
    WebSocket API pass no trace header. A workflow task is in its execution's trace; a queue consumer is in
    the trace of whoever put the event (EventBridge and SQS carry the header to it)."""
    from deploy.catalog import FUNCTIONS, Trigger

    starts = {f.name for f in FUNCTIONS if f.trigger in (Trigger.API, Trigger.STREAM, Trigger.SCHEDULE, Trigger.WEBSOCKET)}
    return sum(len(d) for name, d in lambdas.items() if name in starts)


def workflow_log_lines(history: list[dict], execution_arn: str, level: str, execution_data: bool) -> list[str]:
    """The state machine's log lines for one execution, as Step Functions writes them to CloudWatch Logs: one
    JSON line per history event at level ALL (failures only at ERROR, the execution's failure at FATAL),
    without inputs, outputs and parameters unless execution data is included."""
    data_keys = {"input", "output", "parameters", "result", "inputDetails", "outputDetails"}
    failures = ("Failed", "TimedOut", "Aborted")
    lines = []
    for e in history:
        kind = e["type"]
        if level == "OFF" or (level == "ERROR" and not kind.endswith(failures)):
            continue
        if level == "FATAL" and kind not in ("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"):
            continue
        details = next((v for k, v in e.items() if k.endswith("EventDetails")), {})
        if not execution_data:
            details = {k: v for k, v in details.items() if k not in data_keys}
        stamp = e["timestamp"]
        record = {
            "id": str(e["id"]),
            "type": kind,
            "details": details,
            "previous_event_id": str(e.get("previousEventId", 0)),
            "event_timestamp": str(int(stamp.timestamp() * 1000)) if hasattr(stamp, "timestamp") else str(stamp),
            "execution_arn": execution_arn,
            "redrive_count": "0",
        }
        lines.append(json.dumps(record, default=str, separators=(",", ":")))
    return lines


def lambda_platform_lines(duration_ms: float, memory_mb: int, traced: bool) -> list[str]:
    """The two records Lambda's JSON log format writes for every invocation (platform.start, platform.report),
    with this invocation's figures (the request id and times are placeholders of their real length)."""
    request_id, now = "00000000-0000-0000-0000-000000000000", "2026-01-01T00:00:00.000Z"
    report = {
        "requestId": request_id,
        "metrics": {
            "durationMs": round(duration_ms, 3),
            "billedDurationMs": math.ceil(duration_ms),
            "memorySizeMB": memory_mb,
            "maxMemoryUsedMB": 128,
        },
        "status": "success",
    }
    if traced:
        report["tracing"] = {
            "spanId": "0123456789abcdef",
            "type": "X-Amzn-Trace-Id",
            "value": "Root=1-00000000-000000000000000000000000;Parent=0123456789abcdef;Sampled=0",
        }
    return [
        json.dumps({"time": now, "type": "platform.start", "record": {"requestId": request_id, "version": "$LATEST"}}),
        json.dumps({"time": now, "type": "platform.report", "record": report}),
    ]


@dataclass
class Run:
    scenario: str
    states: list[str]
    transitions: int
    retries: int
    lambdas: dict[str, list[float]]  # function → durations (ms), warm: the handler's module imported beforehand
    reading: Reading
    workflow_log_bytes: int = 0
    workflow_log_events: int = 0
    others: list[Any] = field(default_factory=list)  # readings of other meters installed with this one
    first_calls: set[str] = field(default_factory=set)  # functions called for the first time in this run

    @property
    def invocations(self) -> int:
        return sum(len(v) for v in self.lambdas.values())

    def gb_seconds(self, memory_mb: int) -> float:
        return sum(math.ceil(ms) / 1000 * memory_mb / 1024 for d in self.lambdas.values() for ms in d)

    def log_figures(self, platform: Platform) -> dict[str, int]:
        traced = platform.tracing != "disabled"
        lines = [x for d in self.lambdas.values() for ms in d for x in lambda_platform_lines(ms, platform.memory_mb, traced)]
        return {
            "lambda_app_bytes": sum(self.reading.log_bytes.values()),
            "lambda_app_events": sum(self.reading.log_events.values()),
            "lambda_platform_bytes": sum(len(x.encode()) for x in lines),
            "lambda_platform_events": len(lines),
            "workflow_bytes": self.workflow_log_bytes,
            "workflow_events": self.workflow_log_events,
        }

    def traces(self, platform: Platform) -> float:
        """Traces recorded, expected: each execution at the platform's rule, each other trace root at Lambda's."""
        executions = platform.workflow_sampling if platform.workflow_tracing else 0.0
        roots = trace_roots(self.lambdas) * LAMBDA_SAMPLING if platform.tracing == "active" else 0.0
        return executions + roots

    def costs(self, platform: Platform) -> dict[str, float]:
        r = self.reading
        sqs = r.count("sqs", exclude=("ReceiveMessage.empty", "GetQueueAttributes"))
        logs = self.log_figures(platform)
        log_bytes = logs["lambda_app_bytes"] + logs["lambda_platform_bytes"] + logs["workflow_bytes"]
        s3_writes, s3_reads = s3_requests(r)
        return {
            "step_functions": (self.transitions + self.retries) * prices.USD_PER_STATE_TRANSITION,
            "lambda_requests": self.invocations * prices.USD_PER_LAMBDA_REQUEST,
            "lambda_compute": self.gb_seconds(platform.memory_mb) * prices.USD_PER_LAMBDA_GB_SECOND_ARM,
            "dynamodb": r.rru * prices.USD_PER_READ_REQUEST_UNIT + r.wru * prices.USD_PER_WRITE_REQUEST_UNIT,
            "http_api": r.api_requests * prices.USD_PER_HTTP_API_REQUEST,
            "eventbridge": r.event_entries * prices.USD_PER_EVENTBRIDGE_EVENT,
            "sqs": sqs * prices.USD_PER_SQS_REQUEST,
            "s3": s3_writes * prices.USD_PER_S3_WRITE_REQUEST + s3_reads * prices.USD_PER_S3_READ_REQUEST,
            "xray": self.traces(platform) * prices.USD_PER_XRAY_TRACE_RECORDED,
            "cloudwatch_logs": log_bytes / 1024**3 * prices.USD_PER_LOG_GB_INGESTED,
        }


def run_scenario(b: Bench, key: str, platform: Platform | None = None, others: tuple[Any, ...] = ()) -> Run:
    from shared import workflow

    platform = platform or platform_defaults()
    b.settle(quiet_s=0.6)
    before, first = b.meter.take(), len(b.box.aws.lambdas.invocations)
    others_before = [m.take() for m in others]
    order_id = SCENARIOS[key][1](b)
    b.wait_execution_done(order_id)
    b.settle()
    reading = b.meter.take().minus(before)
    other_readings = [m.take().minus(x) for m, x in zip(others, others_before, strict=True)]
    lambdas: dict[str, list[float]] = {}
    invocations = b.box.aws.lambdas.invocations
    for inv in invocations[first:]:
        lambdas.setdefault(inv.function_name, []).append(inv.duration_ms)
    called_before = {inv.function_name for inv in invocations[:first]}
    history = b.history(order_id)
    transitions, retries = billed_transitions(history)
    lines = workflow_log_lines(
        history, workflow.execution_arn_for(order_id), platform.workflow_log_level, platform.workflow_execution_data
    )
    return Run(
        key,
        _entered(history),
        transitions,
        retries,
        lambdas,
        reading,
        sum(len(x.encode()) for x in lines),
        len(lines),
        other_readings,
        set(lambdas) - called_before,
    )


def cold_starts(b: Bench, runs: list[Run]) -> dict[str, float]:
    """Per function, what its first call costs beyond a warm one (ms): the handler module's import (timed on its
    own by the harness) and the first call's excess over the function's median warm duration in `runs`."""
    warm: dict[str, list[float]] = {}
    for run in runs:
        for name, durations in run.lambdas.items():
            warm.setdefault(name, []).extend(durations)
    first: dict[str, float] = {}
    for inv in b.box.aws.lambdas.invocations:
        first.setdefault(inv.function_name, inv.duration_ms)
    return {
        name: ms + max(0.0, first.get(name, 0.0) - statistics.median(warm.get(name) or [first.get(name, 0.0)]))
        for name, ms in b.cold_imports_ms.items()
    }


def summarise(runs: list[Run], platform: Platform, cold_ms: dict[str, float] | None = None) -> dict:
    """The median run's counts, and mean costs over the runs (durations vary, counts do not). The cold line:
    the first call of every function the scenario uses, once per execution environment, not per order."""
    costs = [r.costs(platform) for r in runs]
    mean_costs = {k: statistics.mean(c[k] for c in costs) for k in costs[0]}
    r = runs[len(runs) // 2]
    reading = r.reading
    cold = {name: ms for name, ms in (cold_ms or {}).items() if name in r.lambdas}
    cold_gb_s = sum(math.ceil(ms) / 1000 * platform.memory_mb / 1024 for ms in cold.values())
    wru_where: dict[str, float] = {}
    wru_kind: dict[str, float] = {}
    for (kind, where), n in reading.wru_by.items():
        wru_where[where] = wru_where.get(where, 0) + n
        wru_kind[kind] = wru_kind.get(kind, 0) + n
    return {
        "scenario": r.scenario,
        "label": SCENARIOS[r.scenario][0],
        "runs": len(runs),
        "states": r.states,
        "transitions": r.transitions,
        "retries": r.retries,
        "invocations": r.invocations,
        "by_function": {k: len(v) for k, v in sorted(r.lambdas.items())},
        "lambda_ms": statistics.mean(sum(sum(v) for v in x.lambdas.values()) for x in runs),
        "lambda_ms_by_function": {k: statistics.mean(sum(x.lambdas.get(k, [])) for x in runs) for k in sorted(r.lambdas)},
        "gb_seconds": statistics.mean(x.gb_seconds(platform.memory_mb) for x in runs),
        "cold_ms": cold,
        "cold_gb_seconds": cold_gb_s,
        "cold_cost": cold_gb_s * prices.USD_PER_LAMBDA_GB_SECOND_ARM,
        "rru": reading.rru,
        "wru": reading.wru,
        "wru_where": dict(sorted(wru_where.items())),
        "wru_kind": dict(sorted(wru_kind.items(), key=lambda kv: -kv[1])),
        "dynamodb_calls": reading.count("dynamodb"),
        "dynamodb_by_op": {k.split(".", 1)[1]: n for k, n in sorted(reading.calls.items()) if k.startswith("dynamodb.")},
        "api_requests": reading.api_requests,
        "event_entries": reading.event_entries,
        "sqs_requests": reading.count("sqs", exclude=("ReceiveMessage.empty", "GetQueueAttributes")),
        "sqs_by_op": {
            k.split(".", 1)[1]: n
            for k, n in sorted(reading.calls.items())
            if k.startswith("sqs.") and k not in ("sqs.ReceiveMessage.empty", "sqs.GetQueueAttributes")
        },
        "s3_by_op": {k.split(".", 1)[1]: n for k, n in sorted(reading.calls.items()) if k.startswith("s3.")},
        "bus_deliveries": {k: n for k, n in sorted(reading.calls.items()) if k.startswith("events.Deliver.")},
        "sms": reading.sms,
        "trace_roots": trace_roots(r.lambdas),
        "traces": r.traces(platform),
        "logs": r.log_figures(platform),
        "costs": mean_costs,
        "total": sum(mean_costs.values()),
    }


def collect(
    repeats: int, scenarios: tuple[str, ...], others: tuple[Any, ...] = ()
) -> tuple[Platform, dict[str, Run], dict[str, list[Run]], dict[str, float]]:
    """Every scenario once first (each handler imported and called once: its cold start), then `repeats`
    measured runs of each; `others`: more meters installed alongside (their readings in `Run.others`).
    Returns the platform's defaults, the first runs, the measured runs and the cold starts (ms per function)."""
    platform = platform_defaults()
    with Bench(log_level=platform.lambda_log_level) as b:
        for other in others:
            other.install()
        try:
            firsts = {key: run_scenario(b, key, platform, others) for key in scenarios}
            runs = {key: [run_scenario(b, key, platform, others) for _ in range(repeats)] for key in scenarios}
        finally:
            for other in reversed(others):
                other.uninstall()
        return platform, firsts, runs, cold_starts(b, [x for r in runs.values() for x in r])


def measure(repeats: int = 3, scenarios: tuple[str, ...] = tuple(SCENARIOS)) -> dict:
    platform, _firsts, runs, cold_ms = collect(repeats, scenarios)
    rows = [summarise(r, platform, cold_ms) for r in runs.values()]
    for row in rows:
        print(
            f"cost {row['scenario']:<13} {row['transitions']:>3} transitions (+{row['retries']} retries), "
            f"{row['invocations']:>3} Lambda invocations ({row['gb_seconds']:.3f} GB-s warm, "
            f"{row['cold_gb_seconds']:.3f} GB-s cold), "
            f"{row['rru']:.1f} RRU / {row['wru']:.0f} WRU in {row['dynamodb_calls']} DynamoDB calls, "
            f"{row['api_requests']} API requests, {row['event_entries']} events, {row['sqs_requests']} SQS requests, "
            f"{row['traces']:.2f} traces, {sum(v for k, v in row['logs'].items() if k.endswith('bytes')):,} log bytes: "
            f"${row['total'] * 1000:.3f} per 1,000 orders",
            flush=True,
        )
    return {
        "memory_mb": platform.memory_mb,
        "platform": platform.__dict__,
        "lambda_sampling": LAMBDA_SAMPLING,
        "repeats": repeats,
        "rows": rows,
    }
