"""The address store in memory (unit tests): the same behaviour as the DynamoDB one, under a lock."""

from __future__ import annotations

import threading

from addresses.store.ports import Claim, HouseholdCode, claim_position
from compounds.domain.records import Compound
from identity.domain.records import User
from shared.sms import e164


class MemoryAddressStore:
    def __init__(self, compounds: list[Compound] | None = None, accounts: list[User] | None = None) -> None:
        self._compounds = {c.compound_id: c for c in compounds or []}
        self.accounts = {u.user_id: u for u in accounts or []}
        self.claims: dict[str, Claim] = {}
        self.codes: dict[str, HouseholdCode] = {}
        self._lock = threading.Lock()

    def compound(self, compound_id: str) -> Compound | None:
        return self._compounds.get(compound_id)

    def account(self, user_id: str) -> User | None:
        return self.accounts.get(user_id)

    def accounts_with_phone(self, phone: str) -> list[User]:
        return [u for u in self.accounts.values() if u.phone and e164(u.phone) == e164(phone)]

    def _free(self, claim: Claim) -> bool:
        held = self.claims.get(claim.address.address_id)
        return held is None or held.address.status == "rejected"

    def add(self, claim: Claim) -> bool:
        with self._lock:
            if not self._free(claim):
                return False
            self.claims[claim.address.address_id] = claim
            return True

    def add_with_code(self, claim: Claim, code_key: str, at: str) -> bool:
        with self._lock:
            code = self.codes.get(code_key)
            if code is None or code.used_by is not None or not self._free(claim):
                return False
            self.codes[code_key] = code.model_copy(update={"used_by": claim.resident_id, "used_at": at})
            self.claims[claim.address.address_id] = claim
            return True

    def code(self, code_key: str) -> HouseholdCode | None:
        return self.codes.get(code_key)

    def put_code(self, code_key: str, code: HouseholdCode) -> bool:
        with self._lock:
            if code_key in self.codes:
                return False
            self.codes[code_key] = code
            return True

    def get(self, address_id: str) -> Claim | None:
        return self.claims.get(address_id)

    def decide(self, claim: Claim, status: str, reason: str | None) -> bool:
        with self._lock:
            held = self.claims.get(claim.address.address_id)
            if held is None or held.address.status != "pending":
                return False
            address = held.address.model_copy(update={"status": status, "status_reason": reason})
            self.claims[claim.address.address_id] = held.model_copy(update={"address": address})
            return True

    def pending_for(self, company_id: str, *, after: str | None = None, limit: int = 50) -> list[Claim]:
        found = [c for c in self.claims.values() if c.company_id == company_id and c.address.status == "pending"]
        found = [c for c in found if after is None or claim_position(c) > after]
        return sorted(found, key=claim_position)[:limit]

    def remove(self, resident_id: str, address_id: str) -> bool:
        with self._lock:
            held = self.claims.get(address_id)
            if held is None or held.resident_id != resident_id:
                return False
            del self.claims[address_id]
            return True

    def register_resident(self, account: User, claim: Claim) -> bool:
        with self._lock:
            if account.user_id in self.accounts or not self._free(claim):
                return False
            self.accounts[account.user_id] = account
            self.claims[claim.address.address_id] = claim
            return True
