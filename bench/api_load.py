"""API under load: the main read and write endpoints through the sandbox's HTTP gateway over real HTTP on
127.0.0.1 (http.client, one keep-alive connection per client thread), bounded in requests and seconds.

For each endpoint: requests/s, p50 and p99 latency with `clients` concurrent clients, and the DynamoDB
calls each request makes (from a separate sequential pass, counted by the meter in the request's thread:
the API function's own calls, not what a started workflow does afterwards).
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from bench.harness import Bench
from bench.meter import unmetered


class Client:
    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}

    def call(self, method: str, path: str, body: Any = None) -> int:
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=self.headers)
        response = self.conn.getresponse()
        response.read()
        return response.status

    def close(self) -> None:
        self.conn.close()


def _endpoints(b: Bench) -> list[tuple[str, str, Callable[[int], tuple[str, str, Any]], int]]:
    """(label, role's token subject, request for the i-th call, expected status)."""
    from local import tokens

    w = b.world()
    tech = b.add_technician(w)
    order_id = w.order()["order_id"]
    b.wait_offer(order_id, tech)
    b.settle(quiet_s=0.5)
    resident, technician = tokens.issue(w.resident_id, "resident"), tokens.issue(tech, "technician")
    idem = iter(range(10**9))
    return [
        ("GET /orders/{id} (resident)", resident, lambda i: ("GET", f"/orders/{order_id}", None), 200),
        ("GET /orders (resident's list)", resident, lambda i: ("GET", "/orders", None), 200),
        ("GET /offers (technician)", technician, lambda i: ("GET", "/offers", None), 200),
        ("GET /catalogue", resident, lambda i: ("GET", "/catalogue", None), 200),
        (
            "PUT /technicians/me/availability",
            technician,
            lambda i: ("PUT", "/technicians/me/availability", {"on_duty": True, "lat": w.lat, "lng": w.lng + 0.001}),
            200,
        ),
        (
            "POST /orders (starts a workflow)",
            resident,
            lambda i: (
                "POST",
                "/orders",
                {
                    "type": "public_area",
                    "category": "electrical",
                    "description": "楼道灯不亮",
                    "address_id": w.address_id,
                    # a place of its own each time: the same problem at the same place is a "me too" (200), not a
                    # new report
                    "place": f"{next(idem)}号楼楼道",
                },
            ),
            201,
        ),
    ]


def _dynamodb_calls_per_request(b: Bench, token: str, make: Callable, expected: int, n: int = 5) -> tuple[float, dict]:
    client = Client(b.box.port, token)
    before = b.meter.take()
    for i in range(n):
        method, path, body = make(i)
        assert client.call(method, path, body) == expected, (method, path)
    client.close()
    reading = b.meter.take().minus(before)
    ops = {
        op.split(".", 1)[1]: c / n
        for (fn, op), c in reading.by_function.items()
        if op.startswith("dynamodb.") and fn.endswith("Api")
    }
    return sum(ops.values()), ops


def _load(b: Bench, token: str, make: Callable, expected: int, clients: int, requests: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(range(requests))
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        client = Client(b.box.port, token)
        with unmetered():
            while time.perf_counter() < deadline:
                with lock:
                    i = next(counter, None)
                if i is None:
                    break
                method, path, body = make(i)
                started = time.perf_counter()
                status = client.call(method, path, body)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    errors[0] += status != expected
        client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / wall,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
    }


def measure(clients: int = 4, requests: int = 200, seconds: float = 15, write_requests: int = 40) -> dict:
    rows = []
    with Bench() as b:
        for label, token, make, expected in _endpoints(b):
            _dynamodb_calls_per_request(b, token, make, expected, n=2)  # warm: imports, caches
            calls, ops = _dynamodb_calls_per_request(b, token, make, expected)
            count = write_requests if label.startswith("POST /orders") else requests
            result = _load(b, token, make, expected, clients, count, seconds)
            b.settle(quiet_s=0.5)
            rows.append({"endpoint": label, "dynamodb_calls": calls, "dynamodb_ops": ops, **result})
            print(
                f"api {label:<36} {result['rps']:6.1f} req/s, p50 {result['p50_ms']:5.0f} ms, p99 {result['p99_ms']:5.0f} ms "
                f"({result['requests']} requests, {result['errors']} errors); {calls:.1f} DynamoDB calls/request {ops}",
                flush=True,
            )
    return {"clients": clients, "requests": requests, "seconds": seconds, "rows": rows}
