"""The soak's invariants, as pure functions over a snapshot of everything stored (no AWS here), so that a
tampered copy can be checked in a test. `snapshot()` (soak/collect.py) reads the snapshot from the sandbox.

Each check returns a `Check`: its name, how many things it looked at, and the problems it found (empty: holds).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FINAL = frozenset({"closed", "cancelled"})

# The wait a RUNNING execution is in, by the order's status (statemachines/order_lifecycle.asl.json): the
# callback step whose stored deadline (CALLBACK#<step>, `deadline_at`) must be ahead; `offered` waits on the
# round's open offers (their `expires_at`).
WAIT_STEP = {
    "submitted": "dispatch",  # a public-area report: AwaitCompanyDispatch
    "escalated": "dispatch",  # AwaitManualDispatch
    "assigned": "completion",
    "en_route": "completion",
    "on_site": "completion",
    "awaiting_approval": "approval",
    "completed": "rating",
    "rated": "rating",
}


@dataclass
class Execution:
    status: str  # RUNNING | SUCCEEDED | FAILED | ABORTED | TIMED_OUT | MISSING
    error: str | None = None  # a FAILED execution's error (the Fail state's `Error`)
    waiting_until: str | None = None  # a RUNNING execution: the deadline of the wait it is in, if any
    path: str | None = None  # a FAILED execution: the last states it entered


@dataclass
class Snapshot:
    now: str  # ISO instant the snapshot was taken (UTC, as the stored instants)
    placed: dict[str, str]  # order id → compound id, as the soak placed them (201 answers)
    orders: dict[str, Any]  # order id → shared.records.Order, every order stored under the soak's compounds
    executions: dict[str, Execution]  # order id → its execution
    slots: list[tuple[str, str, str]]  # (technician, hour, order id) for every held hour of the soak's technicians
    chains: dict[str, tuple[list, tuple[int, str]]]  # order id → (audit entries, head), from the DAL
    audit_api: dict[str, bool]  # order id → GET /orders/{id}/audit says the chain verifies
    stats: dict[str, dict]  # compound id → GET /stats?compound_id=… `orders` figures
    api_errors: list[str] = field(default_factory=list)  # 5xx answers seen while driving


def to_json(s: Snapshot) -> dict:
    """The snapshot as JSON (records dumped), for `--snapshot`: the tests tamper with a copy of a real one."""
    return {
        "now": s.now,
        "placed": s.placed,
        "orders": {k: o.model_dump() for k, o in s.orders.items()},
        "executions": {k: vars(e) for k, e in s.executions.items()},
        "slots": [list(t) for t in s.slots],
        "chains": {k: {"entries": [e.model_dump() for e in es], "head": list(h)} for k, (es, h) in s.chains.items()},
        "audit_api": s.audit_api,
        "stats": s.stats,
        "api_errors": s.api_errors,
    }


def from_json(data: dict) -> Snapshot:
    from orders.domain.records import Order
    from supervision.store.audit import AuditEntry

    return Snapshot(
        now=data["now"],
        placed=data["placed"],
        orders={k: Order(**o) for k, o in data["orders"].items()},
        executions={k: Execution(**e) for k, e in data["executions"].items()},
        slots=[tuple(t) for t in data["slots"]],
        chains={k: ([AuditEntry(**e) for e in c["entries"]], (c["head"][0], c["head"][1])) for k, c in data["chains"].items()},
        audit_api=data["audit_api"],
        stats=data["stats"],
        api_errors=data["api_errors"],
    )


@dataclass
class Check:
    name: str
    checked: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def nothing_lost(s: Snapshot) -> Check:
    """Every order the API accepted is stored, under the compound it was placed in; nothing else appears."""
    problems = [f"{o}: placed (201) but not stored" for o in s.placed if o not in s.orders]
    problems += [
        f"{o}: stored under {s.orders[o].compound_id}, placed in {c}"
        for o, c in s.placed.items()
        if o in s.orders and s.orders[o].compound_id != c
    ]
    problems += [f"{o}: stored but never placed by the soak" for o in s.orders if o not in s.placed]
    return Check("every placed order is stored", len(s.placed), problems)


def finished_or_waiting(s: Snapshot) -> Check:
    """Every order is final, or waiting (execution RUNNING) in a wait whose timeout is still ahead."""
    problems = []
    for order_id, order in s.orders.items():
        if order.status in FINAL:
            continue
        ex = s.executions.get(order_id, Execution("MISSING"))
        if ex.status != "RUNNING":
            problems.append(f"{order_id}: status {order.status} but its execution is {ex.status}")
        elif order.status not in WAIT_STEP and order.status != "offered":
            problems.append(f"{order_id}: status {order.status} is not a waiting status")
        elif not ex.waiting_until:
            problems.append(f"{order_id}: status {order.status}, execution RUNNING with no wait stored")
        elif _instant(ex.waiting_until) <= _instant(s.now):
            problems.append(f"{order_id}: status {order.status}, its wait ran out at {ex.waiting_until} (now {s.now})")
    return Check("every order finished or waiting with a deadline ahead", len(s.orders), problems)


def agrees_with_execution(s: Snapshot) -> Check:
    """closed ↔ SUCCEEDED; cancelled ↔ ABORTED (a cancel stops the execution), FAILED `OrderUnfulfilled`
    (nobody dispatched an escalated order: cancel_reason no_technician_available) or FAILED `StatusConflict`
    (a cancel got in between a status write's read and its condition); every other status ↔ RUNNING."""
    problems = []
    for order_id, order in s.orders.items():
        ex = s.executions.get(order_id, Execution("MISSING"))
        if order.status == "closed":
            ok = ex.status == "SUCCEEDED"
        elif order.status == "cancelled":
            if ex.status == "FAILED" and ex.error == "OrderUnfulfilled":
                ok = order.cancel_reason == "no_technician_available"
            else:
                ok = ex.status == "ABORTED" or (ex.status == "FAILED" and ex.error == "StatusConflict")
        else:
            ok = ex.status == "RUNNING"
        if not ok:
            error = f" ({ex.error}{': ' + ex.path if ex.path else ''})" if ex.error else ""
            problems.append(f"{order_id}: status {order.status} but execution {ex.status}{error}")
    for order_id, ex in s.executions.items():
        if order_id not in s.orders:
            problems.append(f"{order_id}: an execution ({ex.status}) without a stored order")
    return Check("each order's status agrees with its execution", len(s.orders), problems)


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _hours(order: Any) -> list[str]:
    from matching.domain.booking_hours import hour_blocks

    return hour_blocks(order.slot.start, order.slot.end) if order.slot else []


def slots_held_once(s: Snapshot) -> Check:
    """No technician hour is held by two orders: not in the reservations, and not by two live bookings
    assigned to the same technician; every held hour belongs to a live booking of that technician, and every
    live booking with a technician holds its hours."""
    problems = []
    held: dict[tuple[str, str], list[str]] = defaultdict(list)
    for tech, hour, order_id in s.slots:
        held[(tech, hour)].append(order_id)
    for (tech, hour), holders in held.items():
        if len(holders) > 1:
            problems.append(f"{tech} {hour}: held by {len(holders)} orders {sorted(holders)}")
        for order_id in holders:
            order = s.orders.get(order_id)
            if order is None:
                problems.append(f"{tech} {hour}: held by {order_id}, which is not stored")
            elif order.status == "cancelled":
                problems.append(f"{tech} {hour}: still held by the cancelled {order_id}")
            elif order.technician_id != tech or hour not in _hours(order):
                problems.append(f"{tech} {hour}: held by {order_id}, which is not that technician's booking then")
    booked: dict[tuple[str, str], list[str]] = defaultdict(list)
    for order_id, order in s.orders.items():
        if order.order_type != "booking" or not order.technician_id or order.status == "cancelled":
            continue
        for hour in _hours(order):
            booked[(order.technician_id, hour)].append(order_id)
            if order_id not in held.get((order.technician_id, hour), []):
                problems.append(f"{order_id}: booked {order.technician_id} at {hour} without holding the hour")
    problems += [f"{t} {h}: two live bookings {sorted(ids)}" for (t, h), ids in booked.items() if len(ids) > 1]
    return Check("no technician hour held twice", len(s.slots), problems)


def audit_chains_verify(s: Snapshot) -> Check:
    """Every order has an audit chain, it verifies (recomputed here from the DAL's entries and head), and
    GET /orders/{id}/audit says so too."""
    from supervision.domain import audit as chain

    problems = []
    for order_id in s.orders:
        entries, head = s.chains.get(order_id, ([], (0, chain.GENESIS)))
        if not entries:
            problems.append(f"{order_id}: no audit entries")
            continue
        verdict = chain.verify(entries, head)
        if not verdict.valid:
            problems.append(f"{order_id}: chain of {verdict.length} does not verify: {'; '.join(verdict.problems)}")
        if not s.audit_api.get(order_id, False):
            problems.append(f"{order_id}: GET /orders/{order_id}/audit does not say the chain verifies")
    return Check("every audit chain verifies", len(s.orders), problems)


def stats_agree(s: Snapshot) -> Check:
    """/stats for each of the soak's compounds: the number of orders, by status and by type, equals the counts
    recomputed from the orders the soak placed there (as stored)."""
    problems = []
    by_compound: dict[str, list[Any]] = defaultdict(list)
    for order_id, compound_id in s.placed.items():
        if order_id in s.orders:
            by_compound[compound_id].append(s.orders[order_id])
    for compound_id in sorted(set(s.placed.values()) | set(s.stats)):
        figures = s.stats.get(compound_id)
        mine = by_compound.get(compound_id, [])
        if figures is None:
            problems.append(f"{compound_id}: no /stats answer")
            continue
        expected = {
            "orders": len(mine),
            "by_status": dict(Counter(o.status for o in mine)),
            "by_type": dict(Counter(o.order_type for o in mine)),
        }
        for key, want in expected.items():
            got = figures.get(key)
            if isinstance(got, dict):
                got = {k: v for k, v in got.items() if v}
            if got != want:
                problems.append(f"{compound_id}: /stats {key} {got} != recomputed {want}")
    return Check("/stats counts equal the stored orders'", len(s.stats), problems)


def no_server_errors(s: Snapshot) -> Check:
    return Check("no API answer was a 5xx", len(s.api_errors), list(s.api_errors))


CHECKS = (nothing_lost, finished_or_waiting, agrees_with_execution, slots_held_once, audit_chains_verify, stats_agree)


def check_all(s: Snapshot) -> list[Check]:
    return [c(s) for c in CHECKS] + [no_server_errors(s)]
