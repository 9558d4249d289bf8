"""Time to answer: from `POST /orders` to the offer being visible to a technician, and to the order being
assigned (the workflow has entered the completion wait), at rising numbers of concurrent orders.

Side by side in the same sandbox, alternating level by level: the same state machine definition with
no-op handlers behind its Lambda tasks (bench/noop.py), started with the order item written directly
(PutItem + StartExecution): the floor set by the engine itself. Our time is reported as a multiple of it.
"Visible" is when the Offer task has stored the offer (from then on the technician's GET /offers shows it);
"assigned" is when the workflow registers the completion wait. Both are recorded by a hook on the Lambda
invocations, the same for both sides, so the harness does not poll DynamoDB (moto walks the whole table
for a GSI query, under the sandbox's DynamoDB lock: polling it would measure the harness). Simulated
technicians accept after a random 0.2–0.6 s (our technicians read GET /offers, then POST accept).
"""

from __future__ import annotations

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


def create_floor_machine(b: Bench) -> str:
    """The same ASL file, with each workflow task's function replaced by a no-op one."""
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


class Floor:
    name = "floor"

    def __init__(self, b: Bench, machine_arn: str, template: dict) -> None:
        self.b, self.arn, self.template = b, machine_arn, template
        self.dynamodb = b.box.aws.client("dynamodb")
        self.count = 0

    def prepare(self, n: int) -> list[Any]:
        return [None] * n

    def submit(self, _slot: Any) -> str:
        self.count += 1
        order_id = f"ordfloor{self.count:05d}{random.randrange(10**6):06d}"
        self.dynamodb.put_item(
            TableName="linli",
            Item={"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "ORDER"}, "status": {"S": "submitted"}},
        )
        self.b.sfn.start_execution(
            stateMachineArn=self.arn, name=order_id, input=json.dumps({**self.template, "order_id": order_id})
        )
        return order_id

    def offer_visible(self, _slot: Any, order_id: str) -> Any:
        return noop.OFFERS.get(order_id)

    def accept(self, _slot: Any, order_id: str, offer: Any) -> None:
        self.b.sfn.send_task_success(taskToken=offer[0], output=json.dumps({"decision": "accepted"}))

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
        floor = Floor(b, create_floor_machine(b), template)
        b.settle(quiet_s=0.5)
        with b.stream_skipped():
            _level(floor, 1, 1, rng)
        for n in levels:
            rounds = max(1, -(-samples_at_least // n))
            results = {}
            for side in (ours, floor):
                b.settle(quiet_s=0.5)
                if side is floor:
                    with b.stream_skipped():
                        samples = _level(side, n, rounds, rng)
                else:
                    samples = _level(side, n, rounds, rng)
                offer_s = [s[1] for s in samples]
                assigned_s = [s[2] - s[3] for s in samples]  # minus the technician's own think time
                results[side.name] = {
                    "offer_p50": _pct(offer_s, 0.5),
                    "offer_p95": _pct(offer_s, 0.95),
                    "assigned_p50": _pct(assigned_s, 0.5),
                    "assigned_p95": _pct(assigned_s, 0.95),
                    "samples": len(samples),
                    "think_s": statistics.mean(s[3] for s in samples),
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
        copy_ms, table_items = _transaction_backup_ms()
    return {"levels": list(levels), "rows": rows, "transaction_copy_ms": copy_ms, "table_items": table_items}


def _transaction_backup_ms() -> tuple[float, int]:
    """What moto's TransactWriteItems spends backing up the table (a deep copy per transaction item)."""
    import copy

    from moto.dynamodb.models import dynamodb_backends

    from local.runtime import ACCOUNT, REGION, TABLE_NAME

    table = dynamodb_backends[ACCOUNT][REGION].get_table(TABLE_NAME)
    started = time.perf_counter()
    copy.deepcopy(table)
    return (time.perf_counter() - started) * 1000, sum(len(v) for v in table.items.values())


def _arn(b: Bench, order_id: str) -> str:
    from shared import workflow

    return workflow.execution_arn_for(order_id)
