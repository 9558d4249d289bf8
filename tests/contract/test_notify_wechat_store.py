"""The WeChat subscription store's contract, run against the in-memory fake and the DynamoDB store (moto's table,
through the session sandbox): the same answers, and spending a consent or taking the token lease holds under
parallel callers because it is a condition of the write itself (threads race on the DynamoDB store)."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from notify.store import CachedToken, WeChatDeadLetter

_ids = itertools.count(int(time.time() * 1000) % 10_000_000)


def _user() -> str:
    return f"store_res{next(_ids)}"


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    if request.param == "memory":
        from notify.store.memory import MemoryStore

        return MemoryStore()
    request.getfixturevalue("sandbox")
    from notify.store.dynamodb import DynamoStore

    return DynamoStore()


def _race(n: int, target) -> list:
    results: list = [None] * n
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = target(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_consents_add_up_per_template_and_are_spent_down_to_zero(store):
    user, other = _user(), _user()
    assert store.consents(user) == {}
    store.add_consents(user, ["t-acc", "t-done", "t-acc"], now="2026-12-04T00:00:00Z")
    store.add_consents(other, ["t-acc"], now="2026-12-04T00:00:00Z")
    assert store.consents(user) == {"t-acc": 2, "t-done": 1}
    assert [store.spend_consent(user, "t-acc") for _ in range(3)] == [True, True, False]
    assert not store.spend_consent(user, "t-never")
    assert store.consents(user) == {"t-acc": 0, "t-done": 1} and store.consents(other) == {"t-acc": 1}
    store.return_consent(user, "t-acc")
    store.clear_consents(user, "t-done")
    store.clear_consents(user, "t-never")
    assert store.consents(user) == {"t-acc": 1, "t-done": 0}


def test_parallel_spending_never_goes_below_zero(store):
    user = _user()
    store.add_consents(user, ["t"] * 1, now="")
    for _ in range(4):
        store.add_consents(user, ["t"], now="")
    spent = _race(10, lambda i: store.spend_consent(user, "t"))
    assert sorted(spent) == [False] * 5 + [True] * 5
    assert store.consents(user) == {"t": 0}


def test_one_caller_at_a_time_holds_the_lease(store):
    now = time.time()
    store.release_lease("nobody")  # no lease: nothing happens
    won = _race(8, lambda i: store.take_lease(f"owner{i}", now=now, seconds=30))
    assert won.count(True) == 1
    winner = f"owner{won.index(True)}"
    assert store.take_lease(winner, now=now + 1, seconds=30), "the holder may extend it"
    store.release_lease("owner-other")
    assert not store.take_lease("late", now=now + 2, seconds=30), "only the holder frees it"
    store.release_lease(winner)
    assert store.take_lease("late", now=now + 3, seconds=1)
    assert store.take_lease("after expiry", now=now + 5, seconds=1), "an expired lease is free"
    store.release_lease("after expiry")


def test_the_token_is_kept_for_everyone(store):
    token = CachedToken(token=f"tok{next(_ids)}", renew_at=2000.0, expires_at=2300.0)
    store.put_token(token)
    assert store.cached_token() == token


def test_dead_letters_are_kept_once_and_listed_newest_first(store):
    def letter(at: str, n: int, errcode: int | None = 47003) -> WeChatDeadLetter:
        return WeChatDeadLetter(
            message_id=f"evt_{n}.res.wechat", recipient_id="res", kind="repair_done", template_id="t-done",
            order_id=f"ord_{n}", errcode=errcode, errmsg="argument invalid!", fallback="sms", at=at,
        )  # fmt: skip

    n = next(_ids)
    older, newer = letter("2999-01-01T00:00:00Z", n, None), letter("2999-01-02T00:00:00Z", n + 1)
    store.add_dead_letter(older)
    store.add_dead_letter(newer)
    store.add_dead_letter(newer)  # a retried delivery
    assert store.dead_letters(limit=2) == [newer, older]
