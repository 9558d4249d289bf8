"""The second-alert claims: the table (moto) and the in-memory fake give the same answers."""

from __future__ import annotations

import itertools

import pytest

from escalation.store.realerts import DynamoRealertStore, MemoryRealertStore

_orders = itertools.count(1)


@pytest.fixture(params=["dynamodb", "memory"])
def store(request):
    if request.param == "dynamodb":
        request.getfixturevalue("sandbox")
        return DynamoRealertStore()
    return MemoryRealertStore()


def test_an_escalation_is_claimed_once_and_only_its_own_claim_is_released(store):
    order_id, escalated_at = f"ord_realert_{next(_orders)}", "2026-11-25T10:00:00.000Z"
    assert store.claim(order_id, escalated_at, at="2026-11-25T10:31:00.000Z")
    assert not store.claim(order_id, escalated_at, at="2026-11-25T10:36:00.000Z")
    store.release(order_id, escalated_at, at="2026-11-25T10:36:00.000Z")  # not its claim: kept
    assert not store.claim(order_id, escalated_at, at="2026-11-25T10:41:00.000Z")
    store.release(order_id, escalated_at, at="2026-11-25T10:31:00.000Z")
    assert store.claim(order_id, escalated_at, at="2026-11-25T10:46:00.000Z")
    # a later escalation of the same order is a claim of its own
    assert store.claim(order_id, "2026-11-25T12:00:00.000Z", at="2026-11-25T12:31:00.000Z")
