"""No-op workflow handlers: the same state machine with these behind its Lambda tasks measures the floor
set by the engine itself (Step Functions + Lambda invocation + the direct DynamoDB writes), see
bench/latency.py. Callback tokens go into memory, where the simulated technicians find them."""

from __future__ import annotations

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
