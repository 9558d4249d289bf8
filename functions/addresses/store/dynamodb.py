"""The address store on the single table (its own items below; the shared ones in shared.dal.tables):

  USER#<resident> / ADDRESS#<address>   the address (status pending | verified | rejected; gsi3 only when verified)
  ADDR#<address> / CLAIM                 whose it is and which company decides it (gsi4 ADDRCLAIMS#<company>#pending)
  HHCODE#<sha-256> / CODE                a household's one-time code (spent once, with the address it verifies)

Every change of a claim writes the address and its claim item in one transaction, conditional on the state it
changes, so parallel decisions or two uses of one code cannot both win."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError, TransactWriteError

from addresses.store import address_book
from addresses.store.address_book import AddressItem
from addresses.store.ports import Claim, HouseholdCode
from compounds.domain.records import Compound
from identity.domain.records import User
from shared.dal.base import Change, commit, condition_failed, ensure_bound, transaction
from shared.dal.tables import Gsi4, TableItem


class HouseholdCodeItem(TableItem):
    """pk HHCODE#<sha-256 of the code>, sk CODE: a one-time code the property office hands to a household."""

    compound_id = UnicodeAttribute()
    building = UnicodeAttribute()
    unit = UnicodeAttribute()
    room = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    used_by = UnicodeAttribute(null=True)
    used_at = UnicodeAttribute(null=True)


class AddressClaimItem(TableItem):
    """pk ADDR#<address id>, sk CLAIM: whose address it is, for the property company's decision (gsi4
    ADDRCLAIMS#<company>#<status>)."""

    address_id = UnicodeAttribute()
    resident_id = UnicodeAttribute()
    compound_id = UnicodeAttribute()
    company_id = UnicodeAttribute()
    status = UnicodeAttribute()
    claimed_at = UnicodeAttribute()
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)
    by_company = Gsi4()


def _claim_item(claim: Claim) -> AddressClaimItem:
    a = claim.address
    pending = a.status == "pending"
    return AddressClaimItem(
        f"ADDR#{a.address_id}",
        "CLAIM",
        address_id=a.address_id,
        resident_id=claim.resident_id,
        compound_id=a.compound_id,
        company_id=claim.company_id,
        status=a.status,
        claimed_at=a.claimed_at or "",
        gsi4pk=f"ADDRCLAIMS#{claim.company_id}#pending" if pending else None,
        gsi4sk=f"{a.claimed_at}#{a.address_id}" if pending else None,
    )


def _free():
    """The resident holds no such address, or only a refused one."""
    return AddressItem.pk.does_not_exist() | (AddressItem.status == "rejected")


def _ran(write) -> bool:
    try:
        write()
    except (TransactWriteError, PutError) as exc:
        if condition_failed(exc):
            return False
        raise
    return True


class Accounts(Protocol):
    """What the store needs of the identity domain (identity.service.accounts)."""

    def get_user(self, user_id: str) -> User | None: ...

    def accounts_with_phone(self, phone: str) -> list[User]: ...

    def new_account_changes(self, user: User) -> list[Change]: ...


class DynamoAddressStore:
    def __init__(self, read_compound: Callable[[str], Compound | None], accounts: Accounts) -> None:
        self._read_compound = read_compound  # the compounds domain's (compounds.service.compound_records)
        self._accounts = accounts

    def compound(self, compound_id: str) -> Compound | None:
        return self._read_compound(compound_id)

    def account(self, user_id: str) -> User | None:
        return self._accounts.get_user(user_id)

    def accounts_with_phone(self, phone: str) -> list[User]:
        return self._accounts.accounts_with_phone(phone)

    def add(self, claim: Claim) -> bool:
        ensure_bound()

        def write() -> None:
            with transaction() as tx:
                tx.save(address_book.address_item(claim.resident_id, claim.address), condition=_free())
                tx.save(_claim_item(claim))

        return _ran(write)

    def add_with_code(self, claim: Claim, code_key: str, at: str) -> bool:
        ensure_bound()

        def write() -> None:
            with transaction() as tx:
                tx.update(
                    HouseholdCodeItem(f"HHCODE#{code_key}", "CODE"),
                    actions=[HouseholdCodeItem.used_by.set(claim.resident_id), HouseholdCodeItem.used_at.set(at)],
                    condition=HouseholdCodeItem.pk.exists() & HouseholdCodeItem.used_by.does_not_exist(),
                )
                tx.save(address_book.address_item(claim.resident_id, claim.address), condition=_free())
                tx.save(_claim_item(claim))

        return _ran(write)

    def code(self, code_key: str) -> HouseholdCode | None:
        ensure_bound()
        try:
            item = HouseholdCodeItem.get(f"HHCODE#{code_key}", "CODE", consistent_read=True)
        except HouseholdCodeItem.DoesNotExist:
            return None
        return HouseholdCode(**{k: getattr(item, k) for k in HouseholdCode.model_fields})

    def put_code(self, code_key: str, code: HouseholdCode) -> bool:
        ensure_bound()
        item = HouseholdCodeItem(f"HHCODE#{code_key}", "CODE", **code.model_dump())
        return _ran(lambda: item.save(condition=HouseholdCodeItem.pk.does_not_exist()))

    def get(self, address_id: str) -> Claim | None:
        ensure_bound()
        try:
            pointer = AddressClaimItem.get(f"ADDR#{address_id}", "CLAIM", consistent_read=True)
        except AddressClaimItem.DoesNotExist:
            return None
        address = address_book.get_address(pointer.resident_id, address_id)
        if address is None:
            return None
        return Claim(resident_id=pointer.resident_id, company_id=pointer.company_id, address=address)

    def decide(self, claim: Claim, status: str, reason: str | None) -> bool:
        ensure_bound()
        after = claim.model_copy(update={"address": claim.address.model_copy(update={"status": status, "status_reason": reason})})

        def write() -> None:
            with transaction() as tx:
                tx.save(address_book.address_item(claim.resident_id, after.address), condition=AddressItem.status == "pending")
                tx.save(_claim_item(after))

        return _ran(write)

    def pending_for(self, company_id: str, *, after: str | None = None, limit: int = 50) -> list[Claim]:
        ensure_bound()
        condition = AddressClaimItem.gsi4sk > after if after else None
        pointers = AddressClaimItem.by_company.query(f"ADDRCLAIMS#{company_id}#pending", condition, page_size=limit)
        found = []
        for pointer in pointers:
            claim = self.get(pointer.address_id)
            # The index may still show a claim decided a moment ago: it is skipped, and the page read on.
            if claim is not None and claim.address.status == "pending":
                found.append(claim)
                if len(found) == limit:
                    break
        return found

    def remove(self, resident_id: str, address_id: str) -> bool:
        ensure_bound()

        def write() -> None:
            with transaction() as tx:
                tx.delete(AddressItem(f"USER#{resident_id}", f"ADDRESS#{address_id}"), condition=AddressItem.pk.exists())
                tx.delete(AddressClaimItem(f"ADDR#{address_id}", "CLAIM"))

        return _ran(write)

    def register_resident(self, account: User, claim: Claim) -> bool:
        ensure_bound()

        def write() -> None:
            commit(
                [
                    *self._accounts.new_account_changes(account),
                    Change(address_book.address_item(claim.resident_id, claim.address), condition=_free()),
                    Change(_claim_item(claim)),
                ]
            )

        return _ran(write)
