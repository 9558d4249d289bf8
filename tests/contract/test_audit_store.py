"""The audit store's contract (supervision.store.audit_ports.AuditStore), run against the in-memory fake and the
DynamoDB store (moto's table, through the session sandbox): a chain grows one link at a time, each source once, and
writers at once leave a chain that verifies."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from supervision.domain import audit as chain
from supervision.store.audit import GENESIS

_numbers = itertools.count(int(time.time()) % 10_000_000)
AT = "2026-12-08T02:00:00.000Z"


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    if request.param == "memory":
        from supervision.store.audit_memory import MemoryAuditStore

        return MemoryAuditStore()
    request.getfixturevalue("sandbox")
    from supervision.store import audit

    return audit


def _append(store, chain_id: str, source_id: str, kind: str = "order.submitted"):
    return store.append(
        chain_id,
        source_id,
        lambda seq, prev: chain.link(
            chain_id=chain_id, seq=seq, prev_hash=prev, at=AT, kind=kind, actor="workflow", detail={"n": seq}, source_id=source_id
        ),
    )


def test_a_chain_grows_one_link_at_a_time_from_the_genesis(store):
    chain_id = f"ordaudit{next(_numbers)}"
    assert store.head(chain_id) == (0, GENESIS) and store.entries(chain_id) == ([], (0, GENESIS))
    first, second = _append(store, chain_id, "evt_1"), _append(store, chain_id, "evt_2", "order.assigned")
    assert (first.seq, first.prev_hash, second.seq, second.prev_hash) == (1, GENESIS, 2, first.hash)
    entries, head = store.entries(chain_id)
    assert [e.seq for e in entries] == [1, 2] and head == (2, second.hash)
    assert entries[1].detail == {"n": 2} and chain.verify(entries, head).valid


def test_a_source_is_appended_once(store):
    chain_id = f"ordaudit{next(_numbers)}"
    assert _append(store, chain_id, "evt_same") is not None
    assert store.recorded(chain_id, "evt_same") and not store.recorded(chain_id, "evt_other")
    assert _append(store, chain_id, "evt_same") is None, "a retried event"
    assert store.head(chain_id)[0] == 1


def test_writers_at_once_leave_one_chain_that_verifies(store):
    chain_id = f"ordaudit{next(_numbers)}"
    threads = [threading.Thread(target=_append, args=(store, chain_id, f"evt_{i}")) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries, head = store.entries(chain_id)
    assert sorted(e.source_id for e in entries) == [f"evt_{i}" for i in range(5)]
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5] and chain.verify(entries, head).valid
