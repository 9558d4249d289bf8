"""The door-step check's store: the table (moto) and the in-memory fake give the same answers."""

from __future__ import annotations

import pytest

from orders.domain.records import Doorstep
from orders.store.doorstep import DynamoDoorstepStore, MemoryDoorstepStore


@pytest.fixture(params=["dynamodb", "memory"])
def stored(request, world):
    """An order of the world on the technician's way, and a store that holds it."""
    order_id = world.order()["order_id"]
    from orders.store import orders

    orders.transition(order_id, "en_route", ["submitted", "matching", "offered"], actor="t", at="2026-11-25T10:00:00.000Z")
    order = orders.get(order_id)
    store = DynamoDoorstepStore() if request.param == "dynamodb" else MemoryDoorstepStore(order)
    return store, order


def test_a_check_is_written_once_while_the_status_holds(stored):
    store, order = stored
    check = Doorstep(result="mismatch", at="2026-11-25T10:05:00.000Z", by=order.resident_id)
    paused = store.record(order, check, "doorstep_mismatch", "doorstep check: the code did not match, order paused")
    assert paused.doorstep == check and paused.paused_reason == "doorstep_mismatch" and paused.version == order.version + 1
    assert paused.timeline[-1].note.startswith("doorstep check") and paused.timeline[-1].status == "en_route"
    lifted = store.record(paused, check.model_copy(update={"result": "match"}), None, "doorstep check: the code matched")
    assert lifted.paused_reason is None and lifted.doorstep.result == "match"
    # a check based on a status that has moved on writes nothing
    stale = order.model_copy(update={"status": "on_site"})
    assert store.record(stale, check, "doorstep_mismatch", "x") is None
