"""Appending to an order's audit chain from many writers at once (the consumer and the API) in moto."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from supervision.domain import audit as chain
from supervision.service import operations


def test_concurrent_appends_make_one_contiguous_chain_that_verifies(sandbox):
    from supervision.store import audit

    chain_id = "ord_concurrent_audit"

    def append(n: int):
        return operations.append(chain_id, source_id=f"src{n}", kind="test", actor=f"writer{n}", at=f"t{n}", detail={"n": n})

    # When eight writers append at once, and one of them retries its event
    with ThreadPoolExecutor(max_workers=8) as pool:
        written = list(pool.map(append, range(8)))
    assert append(3) is None, "the same source is appended once"
    # Then every entry got its own seq, the chain links up and verifies
    entries, head = audit.entries(chain_id)
    assert all(written) and sorted(e.seq for e in entries) == list(range(1, 9))
    assert {e.source_id for e in entries} == {f"src{n}" for n in range(8)}
    assert chain.verify(entries, head).valid
