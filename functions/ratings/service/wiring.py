"""The real store of the rating use case (built when first used)."""

from __future__ import annotations

from functools import lru_cache

from ratings.store.dynamodb import DynamoRatingStore


@lru_cache(maxsize=1)
def store() -> DynamoRatingStore:
    return DynamoRatingStore()
