"""Reading everything the soak stored into a `checks.Snapshot`: the DAL (orders, offers, waits, slot
reservations, audit chains), Step Functions (moto: each execution's status and end) and the API (/stats and
GET /orders/{id}/audit, as a supervisor)."""

from __future__ import annotations

import time
from typing import Any

from bench.harness import Bench
from soak.checks import WAIT_STEP, Execution, Snapshot


def quiesce(b: Bench, timeout: float = 120) -> bool:
    """Deliver everything: the stream read to its end and every queue empty (none in flight either), twice in
    a row, so the audit chains and credit are complete before they are read. False if still busy at `timeout`."""
    from bench.meter import unmetered
    from deploy.catalog import Trigger, by_trigger

    box, quiet = b.box, 0
    deadline = time.monotonic() + timeout
    with unmetered():
        sqs = box.aws.client("sqs")
        while time.monotonic() < deadline:
            moved = box.pump.drain(until=deadline) + sum(q.drain() for q in box.queue_pumps)
            waiting = sum(
                int(v)
                for url in (box.aws.queue_urls[spec.consumes] for spec in by_trigger(Trigger.QUEUE))
                for v in sqs.get_queue_attributes(
                    QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
                )["Attributes"].values()
            )
            quiet = quiet + 1 if moved == 0 and waiting == 0 else 0
            if quiet >= 2:
                return True
            time.sleep(0.3)
    return False


def chain(order_id: str) -> tuple[list, tuple[int, str]]:
    """An order's audit entries and head, read consistently: the head before and after the entries agree."""
    from supervision.store import audit

    for _ in range(10):
        before = audit.head(order_id)
        entries, head = audit.entries(order_id)
        if head == before:
            break
    return entries, head


def _execution(b: Bench, order: Any) -> Execution:
    from matching.store import offers
    from orders.store import callbacks
    from shared import workflow

    try:
        status = b.sfn.describe_execution(executionArn=workflow.execution_arn_for(order.order_id))["status"]
    except b.sfn.exceptions.ExecutionDoesNotExist:
        return Execution("MISSING")
    if status == "FAILED":
        # The failure's event may be appended a moment after the status reads FAILED (moto): look again
        for _ in range(20):
            events = b.history(order.order_id)
            failed = [e for e in events if e["type"] == "ExecutionFailed"]
            if failed:
                break
            time.sleep(0.1)
        error = (failed[-1].get("executionFailedEventDetails") or {}).get("error") if failed else None
        # The path it took to fail (the states entered after the last wait), to tell which status write lost
        entered = [e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")]
        return Execution(status, error=error, path=" → ".join(entered[-4:]))
    if status != "RUNNING":
        return Execution(status)
    if order.status == "offered":
        open_offers = [o.expires_at for o in offers.for_order(order.order_id) if o.status == "open"]
        return Execution(status, waiting_until=max(open_offers, default=None))
    step = WAIT_STEP.get(order.status)
    wait = callbacks.wait(order.order_id, step) if step else None
    return Execution(status, waiting_until=wait.deadline_at if wait else None)


def snapshot(b: Bench, worlds: list[Any], placed: dict[str, str], api_errors: list[str]) -> Snapshot:
    from bench.meter import unmetered
    from matching.store import slots
    from orders.store import order_periods
    from shared import clock

    with unmetered():
        now = clock.now_iso()
        stored = {o.order_id: o for w in worlds for o in order_periods.for_compound_between(w.compound_id, "0000", "9999")}
        executions = {order_id: _execution(b, o) for order_id, o in stored.items()}
        held = [
            (tech, hour, order_id)
            for w in worlds
            for tech in w.technicians
            for hour, order_id in slots.held_hours(tech, "0000", "9999").items()
        ]
        chains = {order_id: chain(order_id) for order_id in stored}
    supervisor = worlds[0]
    audit_api = {}
    for order_id in stored:
        answer = supervisor.as_supervisor("GET", f"/orders/{order_id}/audit")
        audit_api[order_id] = answer.status == 200 and answer.body["verification"]["valid"]
    stats = {}
    for w in worlds:
        answer = supervisor.as_supervisor("GET", f"/stats?compound_id={w.compound_id}")
        if answer.status == 200:
            stats[w.compound_id] = answer.body["orders"]
    return Snapshot(
        now=now,
        placed=dict(placed),
        orders=stored,
        executions=executions,
        slots=held,
        chains=chains,
        audit_api=audit_api,
        stats=stats,
        api_errors=list(api_errors),
    )
