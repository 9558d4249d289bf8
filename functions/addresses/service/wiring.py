"""The real store of the address use cases (built when first used)."""

from __future__ import annotations

from functools import lru_cache

from addresses.store.dynamodb import DynamoAddressStore


@lru_cache(maxsize=1)
def store() -> DynamoAddressStore:
    return DynamoAddressStore()
