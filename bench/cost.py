"""Cost per order on AWS, from real sandbox runs of each scenario (see bench/meter.py for what is counted how).

Each scenario runs alone (nothing else moves in the sandbox), from `POST /orders` to the end of its
execution and of everything the stream and queues trigger (notifications, webhooks). The harness's own
polling is not metered; each actor's API calls are (the technician reads GET /offers once per offer).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
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
    from shared.dal import people

    w = b.world()
    with unmetered():
        compound = people.get_compound(w.compound_id)
        people.put_compound(compound.model_copy(update={"free_period": None}))
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


def billed_transitions(history: list[dict]) -> tuple[int, int]:
    """(states entered, retries): Step Functions Standard bills each state entered and each retry attempt."""
    entered = sum(1 for e in history if e["type"].endswith("StateEntered"))
    scheduled = sum(1 for e in history if e["type"] in ("TaskScheduled", "LambdaFunctionScheduled"))
    tasks = sum(1 for e in history if e["type"] == "TaskStateEntered")
    return entered, max(0, scheduled - tasks)


@dataclass
class Run:
    scenario: str
    states: list[str]
    transitions: int
    retries: int
    lambdas: dict[str, list[float]]  # function → durations (ms)
    reading: Reading

    @property
    def invocations(self) -> int:
        return sum(len(v) for v in self.lambdas.values())

    def costs(self, memory_mb: int) -> dict[str, float]:
        gb_s = sum(math.ceil(ms) / 1000 * memory_mb / 1024 for d in self.lambdas.values() for ms in d)
        r = self.reading
        sqs = r.count("sqs", exclude=("ReceiveMessage.empty", "GetQueueAttributes"))
        return {
            "step_functions": (self.transitions + self.retries) * prices.USD_PER_STATE_TRANSITION,
            "lambda_requests": self.invocations * prices.USD_PER_LAMBDA_REQUEST,
            "lambda_compute": gb_s * prices.USD_PER_LAMBDA_GB_SECOND_ARM,
            "dynamodb": r.rru * prices.USD_PER_READ_REQUEST_UNIT + r.wru * prices.USD_PER_WRITE_REQUEST_UNIT,
            "http_api": r.api_requests * prices.USD_PER_HTTP_API_REQUEST,
            "eventbridge": r.event_entries * prices.USD_PER_EVENTBRIDGE_EVENT,
            "sqs": sqs * prices.USD_PER_SQS_REQUEST,
        }


def run_scenario(b: Bench, key: str) -> Run:
    b.settle(quiet_s=0.6)
    before, first = b.meter.take(), len(b.box.aws.lambdas.invocations)
    order_id = SCENARIOS[key][1](b)
    b.wait_execution_done(order_id)
    b.settle()
    reading = b.meter.take().minus(before)
    lambdas: dict[str, list[float]] = {}
    for inv in b.box.aws.lambdas.invocations[first:]:
        lambdas.setdefault(inv.function_name, []).append(inv.duration_ms)
    history = b.history(order_id)
    transitions, retries = billed_transitions(history)
    return Run(key, _entered(history), transitions, retries, lambdas, reading)


def summarise(runs: list[Run], memory_mb: int) -> dict:
    """The median run's counts, and mean costs over the runs (durations vary, counts do not)."""
    costs = [r.costs(memory_mb) for r in runs]
    mean_costs = {k: statistics.mean(c[k] for c in costs) for k in costs[0]}
    r = runs[len(runs) // 2]
    reading = r.reading
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
        "gb_seconds": statistics.mean(
            sum(math.ceil(ms) / 1000 * memory_mb / 1024 for d in x.lambdas.values() for ms in d) for x in runs
        ),
        "rru": reading.rru,
        "wru": reading.wru,
        "dynamodb_calls": reading.count("dynamodb"),
        "dynamodb_by_op": {k.split(".", 1)[1]: n for k, n in sorted(reading.calls.items()) if k.startswith("dynamodb.")},
        "api_requests": reading.api_requests,
        "event_entries": reading.event_entries,
        "sqs_requests": reading.count("sqs", exclude=("ReceiveMessage.empty", "GetQueueAttributes")),
        "sms": reading.sms,
        "costs": mean_costs,
        "total": sum(mean_costs.values()),
    }


def configured_memory_mb() -> int:
    """The memory CDK gives every function (read from the construct's source: importing CDK takes seconds)."""
    import re

    from bench.harness import ROOT

    source = (ROOT / "infra" / "constructs" / "functions.py").read_text(encoding="utf-8")
    return int(re.search(r"^DEFAULT_MEMORY_MB = (\d+)", source, re.M).group(1))


def measure(repeats: int = 3, scenarios: tuple[str, ...] = tuple(SCENARIOS)) -> dict:
    memory_mb = configured_memory_mb()
    with Bench() as b:
        runs = {key: [run_scenario(b, key) for _ in range(repeats)] for key in scenarios}
    rows = [summarise(r, memory_mb) for r in runs.values()]
    for row in rows:
        print(
            f"cost {row['scenario']:<13} {row['transitions']:>3} transitions (+{row['retries']} retries), "
            f"{row['invocations']:>3} Lambda invocations ({row['gb_seconds']:.3f} GB-s), "
            f"{row['rru']:.1f} RRU / {row['wru']:.0f} WRU in {row['dynamodb_calls']} DynamoDB calls, "
            f"{row['api_requests']} API requests, {row['event_entries']} events, {row['sqs_requests']} SQS requests: "
            f"${row['total'] * 1000:.3f} per 1,000 orders",
            flush=True,
        )
    return {"memory_mb": memory_mb, "repeats": repeats, "rows": rows}
