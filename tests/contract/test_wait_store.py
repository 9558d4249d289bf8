"""The workflow waits' store contract (orders.store.wait_ports.WaitStore), run against the in-memory fake and the
DynamoDB store (moto's table, through the session sandbox): a step's token is taken once, a deadline warned once,
and a new wait of a step replaces the old one with its warning."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from shared.clock import iso

_numbers = itertools.count(int(time.time()) % 10_000_000)
# A moment of its own for each run, so the index's hour partitions hold only this test's waits.
BASE = datetime(2031, 1, 1, tzinfo=UTC) + timedelta(hours=next(_numbers) % 50_000)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    if request.param == "memory":
        from orders.store.wait_memory import MemoryWaitStore

        return MemoryWaitStore()
    request.getfixturevalue("sandbox")
    from orders.store import callbacks

    return callbacks


def _of(order_id: str, waits: list) -> list:
    """The listed waits of this order (the table holds the other tests' waits too)."""
    return [w for w in waits if w.order_id == order_id]


def _order_id() -> str:
    return f"ordwait{next(_numbers)}"


def test_a_token_is_taken_once_and_then_is_gone(store):
    order_id = _order_id()
    store.register(order_id, "completion", "token-1", at=iso(BASE))
    assert store.token(order_id, "completion") == "token-1"
    assert store.consume(order_id, "completion") == "token-1"
    assert store.consume(order_id, "completion") is None and store.token(order_id, "completion") is None
    assert store.consume(_order_id(), "completion") is None, "no wait, no token"


def test_of_callers_at_once_exactly_one_takes_the_token(store):
    order_id = _order_id()
    store.register(order_id, "rating", "token", at=iso(BASE))
    taken: list[str | None] = []
    threads = [threading.Thread(target=lambda: taken.append(store.consume(order_id, "rating"))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert taken.count("token") == 1 and taken.count(None) == 5


def test_a_deadline_is_listed_until_warned_and_warned_once(store):
    order_id, deadline = _order_id(), iso(BASE + timedelta(minutes=30))
    store.register(order_id, "dispatch", "token", at=iso(BASE), entered_at=iso(BASE), deadline_at=deadline, warn=True)
    window = (BASE, BASE + timedelta(hours=1))
    assert [(w.order_id, w.deadline_at) for w in _of(order_id, store.unwarned_due_between(*window))] == [(order_id, deadline)]
    at = iso(BASE + timedelta(minutes=20))
    assert store.claim_warning(order_id, "dispatch", deadline, at=at)
    assert not store.claim_warning(order_id, "dispatch", deadline, at=at), "warned already"
    assert _of(order_id, store.unwarned_due_between(*window)) == []
    store.release_warning(order_id, "dispatch", at=at)  # its warning could not be published
    assert [w.order_id for w in _of(order_id, store.unwarned_due_between(*window))] == [order_id]


def test_a_wait_being_resumed_or_replaced_is_not_warned(store):
    taken, replaced = _order_id(), _order_id()
    deadline = iso(BASE + timedelta(minutes=45))
    for order_id in (taken, replaced):
        store.register(order_id, "dispatch", "token", at=iso(BASE), deadline_at=deadline, warn=True)
    store.consume(taken, "dispatch")
    assert not store.claim_warning(taken, "dispatch", deadline, at=iso(BASE))
    later = iso(BASE + timedelta(hours=3))
    store.register(replaced, "dispatch", "token-2", at=iso(BASE), deadline_at=later, warn=True)  # the wait retried
    assert not store.claim_warning(replaced, "dispatch", deadline, at=iso(BASE)), "that deadline is no longer the wait's"
    assert store.wait(replaced, "dispatch").deadline_at == later


def test_a_rating_wait_is_listed_when_its_reminder_falls_due(store):
    order_id, remind_at = _order_id(), iso(BASE + timedelta(minutes=10))
    store.register(order_id, "rating", "token", at=iso(BASE), deadline_at=iso(BASE + timedelta(days=7)), remind_at=remind_at)
    assert [w.order_id for w in _of(order_id, store.unreminded_ratings_between(BASE, BASE + timedelta(minutes=30)))] == [order_id]
    assert _of(order_id, store.unwarned_due_between(BASE, BASE + timedelta(days=8))) == [], "no deadline warning for it"
