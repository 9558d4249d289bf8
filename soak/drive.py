"""Driving orders through the real API with randomised residents, technicians, dispatchers and supervisors.

Each order has its own seeded `random.Random` (seed, order number), so a run is reproducible in what each
actor decides; what the platform answers depends on timing (an accept may lose to the offer's timeout), and
the actors take the answer as it comes: a 409 is an expected race, a 5xx is recorded as a failure.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.cost import LAMP, WIRE
from bench.harness import Bench


def soak_timeouts(short: int = 4) -> dict[str, str]:
    """Short waits, so that ignored offers, approvals and ratings run out within the soak (`short` seconds;
    dispatch and escalation half as long again); completion is long enough not to be overdue under load."""
    longer = str(short + max(1, short // 2))
    return {
        "LINLI_EMERGENCY_OFFER_SECONDS": str(short),
        "LINLI_BOOKING_OFFER_SECONDS": str(short),
        "LINLI_COMPANY_DISPATCH_SECONDS": longer,
        "LINLI_ESCALATION_SECONDS": longer,
        "LINLI_COMPLETION_SECONDS": "60",
        "LINLI_PUBLIC_AREA_RESOLVE_SECONDS": "60",
        "LINLI_RATING_SECONDS": str(short),
        "LINLI_APPROVAL_SECONDS": str(short),
    }


TECHNICIANS_PER_WORLD = 3
ORDERS_PER_WORLD = 4
ORDER_SECONDS = 240  # one order's actors give up after this (the checks then see what was left)
POLL_SECONDS = 0.4  # how often an order's actors look at it (every look takes the sandbox's one DynamoDB lock)
ENDED_CHECK_SECONDS = 2.0  # how often they ask whether its execution has ended though the order is not final


@dataclass
class Tally:
    """What the actors did and saw, shared by the threads."""

    placed: dict[str, str] = field(default_factory=dict)  # order id → compound id
    actions: Counter = field(default_factory=Counter)
    conflicts: Counter = field(default_factory=Counter)  # expected races (4xx) by action
    conflict_examples: dict[str, str] = field(default_factory=dict)  # the first answer of each kind
    api_calls: int = 0
    driven: int = 0  # orders whose actors are done
    api_errors: list[str] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, action: str, result: Any) -> bool:
        with self.lock:
            self.api_calls += 1
            if result.status >= 500:
                self.api_errors.append(f"{action}: {result.status} {result.body}")
            elif result.status >= 400:
                self.conflicts[f"{action} {result.status}"] += 1
                self.conflict_examples.setdefault(f"{action} {result.status}", str(result.body)[:300])
            else:
                self.actions[action] += 1
        return result.status < 300


def worlds_for(orders: int) -> int:
    """How many compounds to drive `orders` through: ORDERS_PER_WORLD each, as far as the test worlds' sites go
    (about 320, each far from the others); beyond that the compounds take more orders each."""
    from tests.conftest import WORLD_SITES

    return max(1, min(-(-orders // ORDERS_PER_WORLD), len(WORLD_SITES) - 1))


def make_worlds(b: Bench, count: int, rng: random.Random) -> list[Any]:
    from bench.meter import unmetered
    from compounds.store import compound_records

    worlds = []
    for k in range(count):
        w = b.world()
        if k % 2:  # half the compounds pay: their bills can go beyond the quote
            with unmetered():
                compound = compound_records.get_compound(w.compound_id)
                compound_records.put_compound(compound.model_copy(update={"free_period": None}))
        for metres in rng.sample(range(100, 3000, 100), TECHNICIANS_PER_WORLD):
            b.add_technician(w, metres_east=metres)
        worlds.append(w)
    return worlds


def _slot(rng: random.Random) -> dict:
    """A two-hour booking a few days ahead; few choices, so bookings in one world compete for hours."""
    start = (datetime.now(UTC) + timedelta(days=rng.randint(1, 3))).replace(
        hour=rng.choice((1, 2, 3)), minute=0, second=0, microsecond=0
    )
    return {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}


def place(w: Any, n: int, rng: random.Random, tally: Tally) -> tuple[str, str] | None:
    kind = rng.choices(("emergency", "booking", "public_area"), weights=(75, 15, 10))[0]
    body = {"type": kind, "category": "electrical", "description": "灯不亮了", "address_id": w.address_id}
    if kind == "booking":
        body["slot"] = _slot(rng)
    if kind == "public_area":
        body["place"] = f"{n}号楼楼道灯"
    result = w.as_resident("POST", "/orders", body)
    if not tally.note(f"place {kind}", result):
        return None
    with tally.lock:
        tally.placed[result.body["order_id"]] = w.compound_id
    return result.body["order_id"], kind


def drive(b: Bench, w: Any, n: int, seed: int, tally: Tally) -> str | None:
    """One order from placing to its end (or until ORDER_SECONDS): each actor decides once per step."""
    from bench.meter import unmetered
    from matching.store import offers

    rng = random.Random(f"{seed}/{n}")
    placed = place(w, n, rng, tally)
    if placed is None:
        return None
    order_id, kind = placed
    cancel_at = rng.choices(("never", "at_once", "offered", "assigned"), weights=(82, 6, 6, 6))[0]
    bill = rng.choices(("empty", "wire", "extra"), weights=(40, 30, 30))[0]
    approval = rng.choice(("approve", "reject", "ignore"))
    rates = rng.random() < 0.75
    dispatches = rng.random() < 0.6  # a supervisor (escalated) or the dispatcher (public area) dispatches
    done: set[str] = set()
    answered: set[str] = set()
    if cancel_at == "at_once":
        tally.note("cancel", w.as_resident("POST", f"/orders/{order_id}/cancel", {"reason": "不修了"}))
    deadline = time.monotonic() + ORDER_SECONDS
    next_ended_check = time.monotonic() + ENDED_CHECK_SECONDS
    while time.monotonic() < deadline:
        order = b.order(order_id)
        status = order.status if order else "missing"
        if status in ("closed", "cancelled"):
            return status
        if time.monotonic() > next_ended_check:
            # An execution that ended under a live order will never move it on: stop here (the checks report it)
            next_ended_check = time.monotonic() + ENDED_CHECK_SECONDS
            ended = b.execution_status(order_id)
            if ended != "RUNNING" and (b.order(order_id) or order).status == status:
                return f"{status}, execution {ended}"
        if status == "offered":
            with unmetered():
                open_offers = [o for o in offers.for_order(order_id) if o.status == "open" and o.offer_id not in answered]
            for offer in open_offers:
                answered.add(offer.offer_id)
                if cancel_at == "offered" and "cancel" not in done:
                    done.add("cancel")
                    tally.note("cancel", w.as_resident("POST", f"/orders/{order_id}/cancel", {"reason": "不修了"}))
                    break
                decision = rng.choices(("accept", "decline", "ignore"), weights=(65, 20, 15))[0]
                if decision != "ignore":
                    tech = offer.technician_id
                    tally.note(decision, w.as_technician(tech, "POST", f"/offers/{offer.offer_id}/{decision}"))
                else:
                    tally.note("ignore", _Ok)
        elif status in ("escalated", "submitted") and dispatches and "dispatch" not in done:
            if kind == "public_area" and status == "submitted":
                tech = rng.choice(w.technicians)
                answer = w.as_dispatcher("POST", f"/orders/{order_id}/dispatch", {"technician_id": tech})
                if tally.note("dispatch (company)", answer):
                    done.add("dispatch")
            elif status == "escalated":
                tech = rng.choice(w.technicians)
                answer = w.as_supervisor("POST", f"/orders/{order_id}/dispatch", {"technician_id": tech})
                if tally.note("dispatch (supervisor)", answer):
                    done.add("dispatch")
                else:
                    dispatches = rng.random() < 0.5  # try again, or give up (then the order goes unfulfilled)
        elif status == "assigned" and cancel_at == "assigned" and "cancel" not in done:
            done.add("cancel")
            tally.note("cancel", w.as_resident("POST", f"/orders/{order_id}/cancel", {"reason": "不修了"}))
        elif status in ("assigned", "en_route", "on_site") and "completion" not in done:
            tech = order.technician_id
            for step in ("en_route", "on_site"):
                if step not in done:
                    done.add(step)
                    answer = w.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": step})
                    tally.note(f"progress {step}", answer)
            lines = {"empty": [], "wire": [WIRE], "extra": [WIRE, LAMP]}[bill]
            body = {"lines": lines, **({"note": "检查了线路，无需更换"} if not lines else {})}
            done.add("completion")
            tally.note(f"bill {bill}", w.as_technician(tech, "POST", f"/orders/{order_id}/completion", body))
        elif status == "awaiting_approval" and "approval" not in done:
            done.add("approval")
            if approval == "ignore":
                tally.note("approval ignored", _Ok)
            else:
                tally.note(approval, w.as_resident("POST", f"/orders/{order_id}/approval", {"decision": approval}))
        elif status == "completed" and "rating" not in done:
            done.add("rating")
            if rates:
                body = {"stars": rng.randint(1, 5), "comment": rng.choice(("很好", "一般", "师傅很耐心"))}
                tally.note("rating", w.as_resident("POST", f"/orders/{order_id}/rating", body))
            else:
                tally.note("rating skipped", _Ok)
        time.sleep(POLL_SECONDS)
    with tally.lock:
        tally.gave_up.append(order_id)
    return None


class _Ok:
    """A decision that calls nothing (ignore an offer, skip a rating): counted as an action."""

    status = 200
    body = None
