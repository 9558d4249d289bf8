"""The real store of the address use cases (built when first used), with what it needs of the compounds and identity domains."""

from __future__ import annotations

from functools import lru_cache

from addresses.store.dynamodb import DynamoAddressStore
from compounds.service import compound_records
from identity.service import accounts


@lru_cache(maxsize=1)
def store() -> DynamoAddressStore:
    return DynamoAddressStore(read_compound=compound_records.get_compound, accounts=accounts)
