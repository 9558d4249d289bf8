"""Time to answer: from `POST /orders` to the offer being visible to a technician, and to the order being
assigned (the workflow has entered the completion wait), at rising numbers of concurrent orders.

Side by side in the same sandbox, alternating level by level: the same state machine definition with
no-op handlers behind its Lambda tasks (bench/noop.py), started and answered through the same API hop as ours
(the sandbox's gateway with its JWT check, then a Lambda invocation: a no-op API function that writes the order
item and starts the execution, lists the offers, answers the callback): the floor set by the engine itself.
Our time is reported as a multiple of it.
"Visible" is when the Offer task has stored the offer (from then on the technician's GET /offers shows it);
"assigned" is when the workflow registers the completion wait. Both are recorded by a hook on the Lambda
invocations, the same for both sides, so the harness does not poll DynamoDB (moto walks the whole table
for a GSI query, under the sandbox's DynamoDB lock: polling it would measure the harness). Simulated
technicians accept after a random 0.2–0.6 s (our technicians read GET /offers, then POST accept).
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import threading
import time
from typing import Any

from bench import noop
from bench.harness import Bench, wait_for
from bench.meter import unmetered

POLL_S = 0.02
FLOOR_HANDLERS = {
    "SelectCandidate": "bench.noop.select_candidate",
    "OfferToTechnician": "bench.noop.offer",
    "ExpireOffer": "bench.noop.expire_offer",
    "AwaitDispatch": "bench.noop.await_step",
    "AwaitCompletion": "bench.noop.await_step",
    "AwaitApproval": "bench.noop.await_step",
    "AwaitRating": "bench.noop.await_step",
}


FLOOR_API = "FloorApi"


def create_floor_machine(b: Bench) -> str:
    """The same ASL file, with each workflow task's function replaced by a no-op one; and the floor's no-op API
    function (FLOOR_API)."""
    from deploy.catalog import FUNCTIONS
    from local.runtime import LAMBDA_RUNTIME, TABLE_NAME, _zip_stub
    from statemachines import ORDER_LIFECYCLE_ASL, placeholder_values, substitute

    aws = b.box.aws
    with unmetered():
        role = aws.client("iam").create_role(RoleName="linli-floor", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lam, arns = aws.client("lambda"), {}
        for spec in FUNCTIONS:
            handler = FLOOR_HANDLERS.get(spec.name)
            if handler:
                arns[spec.name] = lam.create_function(
                    FunctionName=f"Floor{spec.name}",
                    Runtime=LAMBDA_RUNTIME,
                    Role=role,
                    Handler=handler,
                    Code={"ZipFile": _zip_stub()},
                    Architectures=["arm64"],
                    Timeout=10,
                    MemorySize=512,
                )["FunctionArn"]
        lam.create_function(
            FunctionName=FLOOR_API,
            Runtime=LAMBDA_RUNTIME,
            Role=role,
            Handler="bench.noop.api",
            Code={"ZipFile": _zip_stub()},
            Architectures=["arm64"],
            Timeout=10,
            MemorySize=512,
        )
        definition = substitute(
            ORDER_LIFECYCLE_ASL.read_text(encoding="utf-8"), placeholder_values(table_name=TABLE_NAME, function_arns=arns)
        )
        return aws.client("stepfunctions").create_state_machine(
            name="linli-floor", definition=definition, roleArn=role, type="STANDARD"
        )["stateMachineArn"]


class Ours:
    name = "ours"

    def __init__(self, b: Bench) -> None:
        self.b = b

    def prepare(self, n: int) -> list[Any]:
        out = []
        for _ in range(n):
            w = self.b.world()
            out.append((w, self.b.add_technician(w)))
        return out

    def submit(self, slot: Any) -> str:
        w, _tech = slot
        return w.order()["order_id"]

    def offer_visible(self, _slot: Any, order_id: str) -> Any:
        return self.b.offers_stored.get(order_id)

    def accept(self, slot: Any, order_id: str, _offer: Any) -> None:
        w, tech = slot
        offers = w.as_technician(tech, "GET", "/offers").body["offers"]
        offer_id = next(o["offer_id"] for o in offers if o["order_id"] == order_id)
        assert w.as_technician(tech, "POST", f"/offers/{offer_id}/accept").status == 200

    def assigned_at(self, order_id: str) -> float | None:
        return self.b.waits.get((order_id, "completion"))

    def stop(self, order_id: str) -> None:
        from shared import workflow

        self.b.sfn.stop_execution(executionArn=workflow.execution_arn_for(order_id), error="bench", cause="done")


class _Redirected:
    """The sandbox's AWS as the floor's gateway sees it: every API function is the floor's no-op one."""

    def __init__(self, aws: Any, function_name: str) -> None:
        self.aws, self.function_name = aws, function_name

    def invoke(self, _function_name: str, event: dict) -> dict:
        return self.aws.invoke(self.function_name, event)


class Floor:
    name = "floor"

    def __init__(self, b: Bench, machine_arn: str, template: dict, api_function: str) -> None:
        from local import tokens
        from local.gateway import Gateway

        self.b, self.arn = b, machine_arn
        noop.FLOOR.update(dynamodb=b.box.aws.client("dynamodb"), sfn=b.sfn, arn=machine_arn, template=template)
        self.gateway = Gateway(_Redirected(b.box.aws, api_function))
        self.tokens = tokens

    def prepare(self, n: int) -> list[Any]:
        return [None] * n

    def _call(self, user: str, role: str, method: str, path: str, body: Any = None) -> Any:
        headers = {"content-type": "application/json", "authorization": f"Bearer {self.tokens.issue(user, role)}"}
        response = self.gateway.handle(method, path, headers, json.dumps(body).encode() if body is not None else b"")
        assert response.status < 300, (response.status, response.body)
        return json.loads(response.body)

    def submit(self, _slot: Any) -> str:
        # the same body as ours (tests.conftest.World.order)
        body = {"type": "emergency", "category": "electrical", "description": "灯不亮了", "address_id": "addr_floor"}
        return self._call("res_floor", "resident", "POST", "/orders", body)["order_id"]

    def offer_visible(self, _slot: Any, order_id: str) -> Any:
        return noop.OFFERS.get(order_id)

    def accept(self, _slot: Any, order_id: str, _offer: Any) -> None:
        offers = self._call("tech_floor", "technician", "GET", "/offers")["offers"]
        offer_id = next(o["offer_id"] for o in offers if o["order_id"] == order_id)
        self._call("tech_floor", "technician", "POST", f"/offers/{offer_id}/accept")

    def assigned_at(self, order_id: str) -> float | None:
        return noop.WAITS.get((order_id, "completion"))

    def stop(self, order_id: str) -> None:
        arn = self.arn.replace(":stateMachine:", ":execution:") + f":{order_id}"
        self.b.sfn.stop_execution(executionArn=arn, error="bench", cause="done")


def _one(side: Any, slot: Any, rng: random.Random, out: list) -> None:
    delay = rng.uniform(0.2, 0.6)
    t0 = time.perf_counter()
    order_id = side.submit(slot)
    offer = wait_for(lambda: side.offer_visible(slot, order_id), timeout=60, what="the offer", every=POLL_S)
    t_offer = time.perf_counter()
    time.sleep(delay)
    side.accept(slot, order_id, offer)
    t_assigned = wait_for(lambda: side.assigned_at(order_id), timeout=60, what="assigned", every=POLL_S)
    out.append((order_id, t_offer - t0, t_assigned - t0, delay))


def _level(side: Any, n: int, rounds: int, rng: random.Random) -> list[tuple]:
    samples: list[tuple] = []
    for _ in range(rounds):
        slots = side.prepare(n)
        # A full collection of the sandbox's one heap (the whole platform's objects) takes ~0.7 s and lands at
        # random in either side's samples; a Lambda's heap is its own. Collected here, outside the timed window.
        gc.collect()
        out: list[tuple] = []
        threads = [threading.Thread(target=_one, args=(side, s, random.Random(rng.random()), out)) for s in slots]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with unmetered():
            for order_id, *_ in out:
                side.stop(order_id)
        samples += out
    return samples


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(levels: tuple[int, ...] = (1, 5, 20), samples_at_least: int = 8, seed: int = 11) -> dict:
    rng = random.Random(seed)
    rows = []
    with Bench() as b:
        ours = Ours(b)
        warm = _level(ours, 1, 1, rng)  # imports every handler once: cold starts are measured elsewhere
        with unmetered():
            template = json.loads(
                b.sfn.describe_execution(executionArn=_arn(b, warm[0][0]))["input"],
            )
        floor = Floor(b, create_floor_machine(b), template, FLOOR_API)
        b.settle(quiet_s=0.5)
        with b.stream_skipped():
            _level(floor, 1, 1, rng)
        for n in levels:
            rounds = max(1, -(-samples_at_least // n))
            results = {}
            for side in (ours, floor):
                b.settle(quiet_s=0.5)
                first = len(b.box.aws.lambdas.invocations)
                if side is floor:
                    with b.stream_skipped():
                        samples = _level(side, n, rounds, rng)
                else:
                    samples = _level(side, n, rounds, rng)
                    b.settle(quiet_s=0.5)  # what the orders triggered (notifications, audit) belongs to them
                by_function: dict[str, float] = {}
                for inv in b.box.aws.lambdas.invocations[first:]:
                    by_function[inv.function_name] = by_function.get(inv.function_name, 0.0) + inv.duration_ms
                offer_s = [s[1] for s in samples]
                assigned_s = [s[2] - s[3] for s in samples]  # minus the technician's own think time
                results[side.name] = {
                    "offer_p50": _pct(offer_s, 0.5),
                    "offer_p95": _pct(offer_s, 0.95),
                    "assigned_p50": _pct(assigned_s, 0.5),
                    "assigned_p95": _pct(assigned_s, 0.95),
                    "samples": len(samples),
                    "think_s": statistics.mean(s[3] for s in samples),
                    # Lambda time per order, by function: every invocation from the level's start to its end
                    "lambda_ms_by_function": {k: v / len(samples) for k, v in sorted(by_function.items())},
                }
            row = {"concurrency": n, **{f"{k}_{key}": v for k, r in results.items() for key, v in r.items()}}
            for key in ("offer_p50", "offer_p95", "assigned_p50", "assigned_p95"):
                row[f"x_{key}"] = row[f"ours_{key}"] / row[f"floor_{key}"]
            rows.append(row)
            print(
                f"time to answer at {n:>2} concurrent: offer p50 {row['ours_offer_p50'] * 1000:.0f} ms "
                f"(floor {row['floor_offer_p50'] * 1000:.0f} ms, {row['x_offer_p50']:.1f}×), p95 "
                f"{row['ours_offer_p95'] * 1000:.0f} ms ({row['x_offer_p95']:.1f}×); assigned p50 "
                f"{row['ours_assigned_p50'] * 1000:.0f} ms (floor {row['floor_assigned_p50'] * 1000:.0f} ms, "
                f"{row['x_assigned_p50']:.1f}×)",
                flush=True,
            )
    return {"levels": list(levels), "rows": rows}


def _arn(b: Bench, order_id: str) -> str:
    from shared import workflow

    return workflow.execution_arn_for(order_id)
