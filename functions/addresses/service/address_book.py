"""What the other domains read (and write) of address book: they never use the addresses store itself."""

from __future__ import annotations

from addresses.store.address_book import get_address, list_addresses, residents_of_compound

__all__ = [
    "get_address",
    "list_addresses",
    "residents_of_compound",
]
