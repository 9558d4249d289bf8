"""Addresses on the single table (`USER#<resident>` / `ADDRESS#<id>`; verified ones listed under the compound, gsi3
`RESIDENTS#<compound>`): what the other domains read of a resident's addresses."""

from __future__ import annotations

from pynamodb.attributes import (
    UnicodeAttribute,
)

from addresses.domain.records import Address
from shared.dal.base import ensure_bound, get_record
from shared.dal.tables import Gsi3, item_of

AddressItem = item_of(
    Address,
    "AddressItem",
    gsi3pk=UnicodeAttribute(null=True),  # RESIDENTS#<compound>, verified addresses only
    gsi3sk=UnicodeAttribute(null=True),  # <resident id>#<address id>
    by_compound=Gsi3(),
)


def address_item(resident_id: str, address: Address) -> AddressItem:
    """The address; only a verified one makes her a resident of the compound (gsi3)."""
    verified = address.status == "verified"
    return AddressItem(
        pk=f"USER#{resident_id}",
        sk=f"ADDRESS#{address.address_id}",
        **address.model_dump(),
        gsi3pk=f"RESIDENTS#{address.compound_id}" if verified else None,
        gsi3sk=f"{resident_id}#{address.address_id}" if verified else None,
    )


def put_address(resident_id: str, address: Address) -> None:
    ensure_bound()
    address_item(resident_id, address).save()


def list_addresses(resident_id: str) -> list[Address]:
    ensure_bound()
    items = AddressItem.query(f"USER#{resident_id}", AddressItem.sk.startswith("ADDRESS#"))
    return [Address(**{k: getattr(i, k) for k in Address.model_fields}) for i in items]


def get_address(resident_id: str, address_id: str) -> Address | None:
    return get_record(AddressItem, Address, f"USER#{resident_id}", f"ADDRESS#{address_id}")


def residents_of_compound(compound_id: str) -> set[str]:
    """The residents with an address in the compound: one Query on gsi3."""
    ensure_bound()
    return {i.gsi3sk.split("#", 1)[0] for i in AddressItem.by_compound.query(f"RESIDENTS#{compound_id}")}
