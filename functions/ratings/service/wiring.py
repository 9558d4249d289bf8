"""The real store of the rating use case (built when first used), with what it needs of the orders domain."""

from __future__ import annotations

from functools import lru_cache

from orders.service import changes, queries
from ratings.store.dynamodb import DynamoRatingStore


@lru_cache(maxsize=1)
def store() -> DynamoRatingStore:
    return DynamoRatingStore(read_order=queries.get, order_rated=changes.rated_change)
