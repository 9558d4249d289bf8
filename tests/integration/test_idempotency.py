"""Write calls with an Idempotency-Key: the same request ten times has one effect, sequentially or at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from orders.store import orders

BODY = {"type": "emergency", "category": "plumbing", "description": "厨房水管漏水", "address_id": None}


def _place(world, key: str, **changes):
    body = {**BODY, "address_id": world.address_id, **changes}
    return world.api.call(world.resident_id, "resident", "POST", "/orders", body, headers={"Idempotency-Key": key})


def _order_count(world) -> int:
    return len(world.as_resident("GET", "/orders").body["orders"])


def test_the_same_order_sent_ten_times_is_placed_once(world):
    results = [_place(world, "retry-of-order-1") for _ in range(10)]
    assert {r.status for r in results} == {201}
    assert len({r.body["order_id"] for r in results}) == 1
    assert _order_count(world) == 1
    assert "idempotent-replayed" not in results[0].headers and all(r.headers.get("idempotent-replayed") for r in results[1:])


def test_ten_identical_requests_at_once_still_place_one_order(world):
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: _place(world, "burst-1"), range(10)))
    # Each either did the work, replayed it, or was told the same request is still running (409): never twice.
    assert {r.status for r in results} <= {201, 409} and sum(r.status == 201 for r in results) >= 1
    assert len({r.body["order_id"] for r in results if r.status == 201}) == 1
    assert _order_count(world) == 1


def test_a_key_reused_for_another_request_is_refused_and_changes_nothing(world):
    first = _place(world, "k-1")
    other = _place(world, "k-1", description="另一件事")
    assert other.status == 422 and other.body["error"]["code"] == "idempotency_key_reused"
    assert _order_count(world) == 1 and orders.get(first.body["order_id"]).description == BODY["description"]


def test_keys_belong_to_their_caller_and_route(world):
    # Another resident using the same key string places their own order.
    from addresses.domain.records import Address
    from addresses.store import address_book
    from identity.domain.records import User
    from identity.store import accounts

    accounts.put_user(User(user_id=f"{world.resident_id}_neighbour", role="resident", name="邻居"))
    address_book.put_address(
        f"{world.resident_id}_neighbour",
        Address(
            **{
                **address_book.get_address(world.resident_id, world.address_id).model_dump(),
                "address_id": f"{world.address_id}_n",
            }
        ),
    )
    mine = _place(world, "shared-key")
    theirs = world.api.call(
        f"{world.resident_id}_neighbour", "resident", "POST", "/orders",
        {**BODY, "address_id": f"{world.address_id}_n"}, headers={"Idempotency-Key": "shared-key"},
    )  # fmt: skip
    assert mine.status == theirs.status == 201 and mine.body["order_id"] != theirs.body["order_id"]


def test_bad_keys_and_reads_are_not_remembered(world):
    assert _place(world, "x" * 256).status == 400
    assert _order_count(world) == 0
    listed = world.api.call(world.resident_id, "resident", "GET", "/orders", headers={"Idempotency-Key": "read-1"})
    assert listed.status == 200 and "idempotent-replayed" not in listed.headers


def test_a_refused_request_is_remembered_too_but_a_server_error_is_not(world, settings_env):
    refused = [_place(world, "bad-1", category="rocket_science") for _ in range(2)]
    assert [r.status for r in refused] == [422, 422] and refused[1].headers.get("idempotent-replayed")
    # A failure of ours (the workflow cannot start: 503) may be retried with the same key and then succeed.
    from shared.settings import get_settings

    working = get_settings().state_machine_arn
    settings_env(state_machine_arn=working.replace(":stateMachine:", ":stateMachine:gone-"))
    failed = _place(world, "retry-after-outage")
    assert failed.status == 503 and _order_count(world) == 0
    settings_env(state_machine_arn=working)
    retried = _place(world, "retry-after-outage")
    assert retried.status == 201 and "idempotent-replayed" not in retried.headers
