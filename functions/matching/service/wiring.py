"""The real round store (built when first used), with what it needs of the orders domain."""

from __future__ import annotations

from functools import lru_cache

from matching.store.dynamodb import DynamoRoundStore, OrderChanges
from orders.service import changes, queries


@lru_cache(maxsize=1)
def round_store() -> DynamoRoundStore:
    return DynamoRoundStore(
        OrderChanges(
            read=queries.get,
            offered=changes.offered_change,
            accepted=changes.accepted_change,
            refused=changes.refused_change,
            round_ended=changes.round_ended,
        )
    )
