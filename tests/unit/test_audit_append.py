"""Appending to an order's audit chain (supervision.service.operations.append) on the in-memory store: every entry
is linked to the one before, a retried source adds nothing, and an altered or removed link is found."""

from __future__ import annotations

from supervision.domain import audit as chain
from supervision.service import operations
from supervision.store.audit_memory import MemoryAuditStore


def _record(store, *events: tuple[str, str]):
    return [
        operations.append("ord_1", source_id=source, kind=kind, actor="workflow", at="2026-12-08T02:00:00.000Z",
                          detail={"status": kind.split(".")[1]}, store=store)
        for source, kind in events
    ]  # fmt: skip


def test_an_orders_steps_make_a_chain_that_verifies_and_a_retried_event_adds_nothing():
    store = MemoryAuditStore()
    _record(store, ("evt_1", "order.submitted"), ("evt_2", "order.assigned"), ("evt_2", "order.assigned"))
    entries, head = store.entries("ord_1")
    assert [e.kind for e in entries] == ["order.submitted", "order.assigned"]
    assert chain.verify(entries, head, ended=False).valid


def test_an_altered_entry_and_a_removed_last_entry_are_found():
    store = MemoryAuditStore()
    _record(store, ("evt_1", "order.submitted"), ("evt_2", "order.assigned"), ("evt_3", "order.closed"))
    entries, head = store.entries("ord_1")
    altered = [entries[0], entries[1].model_copy(update={"actor": "someone"}), entries[2]]
    found = chain.verify(altered, head)
    assert not found.valid and found.first_bad_seq == 2
    assert not chain.verify(entries[:2], head).valid, "the head still records three"
