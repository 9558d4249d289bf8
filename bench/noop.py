"""No-op handlers: the same state machine with these behind its Lambda tasks, started and answered through
the same API hop as ours (the gateway, its JWT check, a Lambda invocation) with `api` behind the routes,
measures the floor set by the engine itself (API hop + Step Functions + Lambda invocations + the direct
DynamoDB writes), see bench/latency.py. Callback tokens go into memory, where the simulated technicians find
them."""

from __future__ import annotations

import json
import random
import threading
import time
from typing import Any

OFFERS: dict[str, tuple[str, float]] = {}  # order id → (task token, when the offer was stored)
WAITS: dict[tuple[str, str], float] = {}  # (order id, step) → when the wait was registered
_lock = threading.Lock()


def select_candidate(event: dict, _context: Any) -> dict:
    return {"found": True, "batch_id": "floor", "offers": [{"offer_id": f"off_{event['order_id']}"}]}


def offer(event: dict, _context: Any) -> dict:
    with _lock:
        OFFERS[event["order_id"]] = (event["task_token"], time.perf_counter())
    return {}


def expire_offer(_event: dict, _context: Any) -> dict:
    return {"decision": "expired"}


def await_step(event: dict, _context: Any) -> dict:
    with _lock:
        WAITS[(event["order_id"], event["step"])] = time.perf_counter()
    return {}


# Set by the floor before its first request: "dynamodb" and "sfn" clients, the state machine's "arn", the
# execution input "template".
FLOOR: dict[str, Any] = {}


def _answer(status: int, body: Any) -> dict:
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def api(event: dict, _context: Any) -> dict:
    """The floor's API function: POST /orders writes a bare order item and starts the execution; GET /offers
    lists the offers stored for the caller's orders; POST /offers/{id}/accept answers the offer's callback."""
    route = event["routeKey"]
    if route == "POST /orders":
        order_id = f"ordfloor{random.randrange(10**12):012d}"
        FLOOR["dynamodb"].put_item(
            TableName="linli",
            Item={"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "ORDER"}, "status": {"S": "submitted"}},
        )
        FLOOR["sfn"].start_execution(
            stateMachineArn=FLOOR["arn"], name=order_id, input=json.dumps({**FLOOR["template"], "order_id": order_id})
        )
        return _answer(201, {"order_id": order_id, "status": "submitted"})
    if route == "GET /offers":
        with _lock:
            offers = [{"offer_id": f"off_{order_id}", "order_id": order_id} for order_id in OFFERS]
        return _answer(200, {"offers": offers})
    if route == "POST /offers/{offer_id}/accept":
        order_id = event["pathParameters"]["offer_id"].removeprefix("off_")
        with _lock:
            token = OFFERS.pop(order_id)[0]
        FLOOR["sfn"].send_task_success(taskToken=token, output=json.dumps({"decision": "accepted"}))
        return _answer(200, {"status": "accepted"})
    return _answer(404, {"error": {"code": "route_not_found"}})
