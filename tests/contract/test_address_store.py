"""The address store's contract, run against the in-memory fake and the DynamoDB store (moto's table, through the
session sandbox): the same answers, and the rules that must hold under parallel requests (a claim decided once, a
household code spent once) are conditions of the writes themselves."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from addresses.domain import rules
from addresses.store.ports import Claim, HouseholdCode
from compounds.domain.records import Compound
from identity.domain.records import User
from local.demo_data import XIYINGQIAN

_numbers = itertools.count(int(time.time()) % 10_000_000)
COMPOUND = Compound(compound_id=XIYINGQIAN, name="西营前街", lat=39.9052, lng=116.6571, contracted_company_id="co_tongyuan")


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    if request.param == "memory":
        from addresses.store.memory import MemoryAddressStore

        return MemoryAddressStore(compounds=[COMPOUND])
    request.getfixturevalue("sandbox")
    from addresses.store.dynamodb import DynamoAddressStore
    from compounds.store import compound_records
    from identity.store import accounts

    return DynamoAddressStore(read_compound=compound_records.get_compound, accounts=accounts)


def _claim(status: str = rules.PENDING, room: str | None = None, resident: str | None = None) -> Claim:
    resident = resident or f"res_store{next(_numbers)}"
    address = rules.claimed(
        resident, COMPOUND, "5", "2", room or str(next(_numbers) % 1000), status=status, at="2026-12-04T08:00:00Z"
    )
    return Claim(resident_id=resident, company_id="co_tongyuan", address=address)


def test_a_claim_is_kept_once_and_a_refused_one_may_be_claimed_again(store):
    claim = _claim()
    assert store.compound(XIYINGQIAN).contracted_company_id == "co_tongyuan"
    assert store.add(claim)
    assert not store.add(claim), "the same resident and household twice"
    assert store.get(claim.address.address_id) == claim
    assert claim.address.address_id in {c.address.address_id for c in store.pending_for("co_tongyuan", limit=1000)}
    assert store.decide(claim, rules.REJECTED, "查无此住户")
    assert not store.decide(claim, rules.VERIFIED, None), "decided already"
    refused = store.get(claim.address.address_id).address
    assert (refused.status, refused.status_reason) == ("rejected", "查无此住户")
    assert claim.address.address_id not in {c.address.address_id for c in store.pending_for("co_tongyuan", limit=1000)}
    assert store.add(claim)


def test_a_decision_is_taken_once_under_parallel_requests(store):
    claim = _claim()
    store.add(claim)
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(store.decide(claim, rules.VERIFIED, None))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
    assert store.get(claim.address.address_id).address.status == "verified"


def test_a_household_code_is_spent_once(store):
    key = rules.code_key(f"TEST{next(_numbers)}")
    code = HouseholdCode(compound_id=XIYINGQIAN, building="5", unit="2", room="309", created_by="d", created_at="t")
    assert store.code(key) is None
    assert store.put_code(key, code)
    assert not store.put_code(key, code)
    claims = [_claim(rules.VERIFIED, room="309") for _ in range(3)]
    results: list[bool] = []
    threads = [threading.Thread(target=lambda c=c: results.append(store.add_with_code(c, key, "t2"))) for c in claims]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, True]
    spent = store.code(key)
    assert spent.used_by in {c.resident_id for c in claims} and spent.used_at == "t2"
    assert not store.add_with_code(_claim(rules.VERIFIED), rules.code_key("NOSUCHCODE"), "t3")


def test_a_resident_leaves_only_her_own_address(store):
    claim = _claim()
    store.add(claim)
    assert not store.remove("res_someone_else", claim.address.address_id)
    assert store.remove(claim.resident_id, claim.address.address_id)
    assert store.get(claim.address.address_id) is None
    assert not store.remove(claim.resident_id, claim.address.address_id)


def test_the_desk_registers_a_resident_with_her_address(store):
    n = next(_numbers)
    account = User(user_id=f"res_desk{n}", role="resident", name="赵奶奶", phone=f"136{n % 100_000_000:08d}")
    claim = _claim(rules.VERIFIED, resident=account.user_id)
    assert store.register_resident(account, claim)
    assert not store.register_resident(account, claim)
    assert store.account(account.user_id).phone == account.phone
    assert [u.user_id for u in store.accounts_with_phone(account.phone)] == [account.user_id]
    assert store.get(claim.address.address_id).address.status == "verified"
