"""The identity store's contract, run against the in-memory fake and the DynamoDB store (moto's table, through the
session sandbox): the same answers, and every rule that must hold under parallel requests is a condition of the
write itself (threads race on the DynamoDB store)."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from identity.domain import codes, sessions
from identity.domain.codes import CodePolicy
from identity.domain.records import User
from identity.domain.sessions import FamilyStatus, RevokedBecause

_numbers = itertools.count(int(time.time()) % 10_000_000)


def _phone() -> str:
    return f"137{next(_numbers) % 100_000_000:08d}"


def _user_id() -> str:
    return f"store_u{next(_numbers)}"


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    if request.param == "memory":
        from identity.store.memory import MemoryStore

        return MemoryStore()
    request.getfixturevalue("sandbox")
    from identity.store.dynamodb import DynamoStore

    return DynamoStore()


def test_a_code_is_kept_and_replaced_only_after_the_cooldown(store):
    phone, policy = _phone(), CodePolicy()
    assert store.get_code(phone) is None
    first = codes.issue(phone, "111111", now=1000, policy=policy)
    assert store.put_code(first, unless_sent_after=1000 - 60)
    assert store.get_code(phone) == first
    second = codes.issue(phone, "222222", now=1030, policy=policy, deliverable=False)
    assert not store.put_code(second, unless_sent_after=1030 - 60), "within the cooldown"
    third = codes.issue(phone, "333333", now=1060, policy=policy, deliverable=False, bind_to="res_1")
    assert store.put_code(third, unless_sent_after=1060 - 60)
    assert store.get_code(phone) == third and store.get_code(phone).deliverable is False
    assert store.get_code(phone).bind_to == "res_1"


def test_wrong_tries_are_counted_up_to_the_limit_on_that_code_only(store):
    phone, policy = _phone(), CodePolicy()
    code = codes.issue(phone, "111111", now=1000, policy=policy)
    store.put_code(code, unless_sent_after=0)
    assert not store.count_wrong_try(phone, "another code's hash", max_attempts=5)
    assert [store.count_wrong_try(phone, code.code_hash, max_attempts=5) for _ in range(6)] == [True] * 5 + [False]
    assert store.get_code(phone).attempts == 5


def test_a_code_is_spent_once(store):
    phone = _phone()
    code = codes.issue(phone, "111111", now=1000, policy=CodePolicy())
    store.put_code(code, unless_sent_after=0)
    assert not store.spend_code(phone, "another code's hash")
    assert store.spend_code(phone, code.code_hash)
    assert not store.spend_code(phone, code.code_hash)
    assert store.get_code(phone) is None


def test_the_daily_cap_counts_per_number_and_day(store):
    phone = _phone()
    assert [store.take_daily(phone, "2026-12-04", limit=3, now=0) for _ in range(4)] == [True, True, True, False]
    assert store.take_daily(phone, "2026-12-05", limit=3, now=0)
    assert store.take_daily(_phone(), "2026-12-04", limit=3, now=0)


def test_parallel_wrong_tries_never_pass_the_limit(store):
    phone = _phone()
    code = codes.issue(phone, "111111", now=1000, policy=CodePolicy())
    store.put_code(code, unless_sent_after=0)
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(store.count_wrong_try(phone, code.code_hash, max_attempts=5)))
        for _ in range(12)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 5 and store.get_code(phone).attempts == 5


def test_a_refresh_token_rotates_once_and_its_family_revokes(store):
    user = _user_id()
    token, family, first = sessions.start(user, now=1000, lifetime=3600)
    store.start_family(family, first)
    assert store.get_refresh(first.token_hash) == first
    assert store.get_family(user, family.family_id) == family
    _, second = sessions.successor(first, now=2000, lifetime=3600)
    _, rival = sessions.successor(first, now=2000, lifetime=3600)
    assert store.rotate(first, second)
    assert not store.rotate(first, rival), "a spent token rotates no more"
    assert store.get_refresh(rival.token_hash) is None, "nothing of a refused rotation is written"
    assert store.get_refresh(first.token_hash).used and not store.get_refresh(second.token_hash).used
    assert store.get_family(user, family.family_id).expires_at == second.expires_at
    assert [f.family_id for f in store.active_families(user)] == [family.family_id]
    store.revoke_family(user, family.family_id, RevokedBecause.REUSE, now=2500)
    store.revoke_family(user, family.family_id, RevokedBecause.LOGOUT, now=2600)  # once revoked, it stays as it was
    gone = store.get_family(user, family.family_id)
    assert (gone.status, gone.revoked_because, gone.revoked_at) == (FamilyStatus.REVOKED, RevokedBecause.REUSE, 2500)
    _, third = sessions.successor(second, now=3000, lifetime=3600)
    assert not store.rotate(second, third), "a revoked family rotates no more"
    assert store.active_families(user) == []
    assert token not in repr(store.get_refresh(first.token_hash))


def test_parallel_rotations_of_one_token_give_one_successor(store):
    user = _user_id()
    _, family, first = sessions.start(user, now=1000, lifetime=3600)
    store.start_family(family, first)
    results: list[bool] = []
    successors = [sessions.successor(first, now=2000, lifetime=3600)[1] for _ in range(8)]
    threads = [threading.Thread(target=lambda s=s: results.append(store.rotate(first, s))) for s in successors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    assert sum(store.get_refresh(s.token_hash) is not None for s in successors) == 1


def test_an_openid_links_once_and_a_new_resident_comes_with_its_link(store):
    openid, user = f"o_{_user_id()}", _user_id()
    assert store.account_of_openid(openid) is None
    assert store.link_openid(openid, user, unionid="u1", now=1)
    assert not store.link_openid(openid, "someone_else", unionid=None, now=2)
    assert store.account_of_openid(openid) == user
    fresh, resident = f"o_{_user_id()}", User(user_id=_user_id(), role="resident", name="微信用户")
    assert store.create_resident(resident, fresh, unionid=None, now=3)
    assert store.account_of_openid(fresh) == resident.user_id
    other = User(user_id=_user_id(), role="resident", name="微信用户")
    assert not store.create_resident(other, fresh, unionid=None, now=4), "the openid is linked already"
    assert store.account_of_openid(fresh) == resident.user_id


def test_a_created_resident_is_an_account(store, request):
    if not hasattr(store, "accounts"):
        from identity.store import accounts

        lookup = accounts.get_user
    else:
        lookup = store.accounts.get
    resident = User(user_id=_user_id(), role="resident", name="微信用户")
    store.create_resident(resident, f"o_{resident.user_id}", unionid=None, now=1)
    assert lookup(resident.user_id) == resident
