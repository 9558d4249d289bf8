"""What the address use cases need from storage (the DynamoDB store and the in-memory fake both pass
tests/contract/test_address_store.py)."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel

from addresses.domain.records import Address
from compounds.domain.records import Compound
from identity.domain.records import User


class Claim(BaseModel):
    """An address with whose it is and which company decides it."""

    resident_id: str
    company_id: str
    address: Address


def claim_position(claim: Claim) -> str:
    """A claim's place in its company's queue, oldest first: the sort key of its index entry."""
    return f"{claim.address.claimed_at or ''}#{claim.address.address_id}"


class HouseholdCode(BaseModel):
    compound_id: str
    building: str
    unit: str
    room: str
    created_by: str
    created_at: str
    used_by: str | None = None
    used_at: str | None = None


class AddressStore(Protocol):
    def compound(self, compound_id: str) -> Compound | None: ...

    def account(self, user_id: str) -> User | None: ...

    def accounts_with_phone(self, phone: str) -> list[User]: ...

    def add(self, claim: Claim) -> bool:
        """Store a new claim (pending or verified); False if the resident holds this address already (a
        rejected one may be claimed again)."""
        ...

    def add_with_code(self, claim: Claim, code_key: str, at: str) -> bool:
        """The verified address and the household code spent, together; False if the code is unknown or used."""
        ...

    def code(self, code_key: str) -> HouseholdCode | None: ...

    def put_code(self, code_key: str, code: HouseholdCode) -> bool:
        """A new household code; False if that code exists already."""
        ...

    def get(self, address_id: str) -> Claim | None: ...

    def decide(self, claim: Claim, status: str, reason: str | None) -> bool:
        """Verify or refuse a pending claim; False if it is no longer pending."""
        ...

    def pending_for(self, company_id: str, *, after: str | None = None, limit: int = 50) -> list[Claim]:
        """The company's pending claims, oldest first: `limit` of them after the position `after`
        (claim_position)."""
        ...

    def remove(self, resident_id: str, address_id: str) -> bool:
        """The resident leaves the address; False if it is not hers."""
        ...

    def register_resident(self, account: User, claim: Claim) -> bool:
        """A new resident account with her verified address; False if the account id exists."""
        ...
