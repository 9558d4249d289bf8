"""Cursor paging of GET /orders (for every role) and GET /messages: `limit`, `cursor`, `next_cursor`; every item of
the list exactly once, newest first, across the partitions a list merges (a proxy's own orders and her residents';
the desk's compounds and its company's orders elsewhere; the district's statuses)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from orders.store import proxy_links


def _seed(world, count: int, *, resident_id: str | None = None, start_minutes: int = 0, **fields) -> list[str]:
    """`count` orders written straight to the table (one placed through the API is the model), a minute apart."""
    from orders.store import orders

    model = orders.get(world.order()["order_id"])
    base = datetime(2031, 3, 1, tzinfo=UTC) + timedelta(minutes=start_minutes)
    made = []
    for i in range(count):
        at = (base + timedelta(minutes=i)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        made.append(
            model.model_copy(
                update={
                    "order_id": f"ord_page{world.n}_{start_minutes + i:04d}",
                    "created_at": at,
                    "updated_at": at,
                    "resident_id": resident_id or model.resident_id,
                    **fields,
                }
            )
        )
    orders.import_history(made)
    return [o.order_id for o in made] + [model.order_id]


def _all_pages(call, path: str, limit: int) -> tuple[list[dict], int]:
    seen, cursor, pages = [], None, 0
    while True:
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        answer = call("GET", f"{path}{'&' if '?' in path else '?'}{query}")
        assert answer.status == 200, answer.body
        assert len(answer.body["orders"]) <= limit
        seen += answer.body["orders"]
        pages += 1
        cursor = answer.body["next_cursor"]
        if cursor is None:
            return seen, pages
        assert pages < 100


def _newest_first(found: list[dict]) -> bool:
    keys = [(o["created_at"], o["order_id"]) for o in found]
    return keys == sorted(keys, reverse=True)


def test_a_proxy_pages_through_her_own_orders_and_those_of_the_resident_she_acts_for(world):
    from identity.domain.records import User
    from identity.store import accounts
    from orders.domain.records import Proxy

    # Given a daughter with 7 orders of her own who acts for her mother, who has 6 (and each one placed through the API)
    daughter = f"res_page_daughter{world.n}"
    accounts.put_user(User(user_id=daughter, role="resident", name="女儿", phone=f"+8613900{world.n:05d}"))
    proxy_links.put(Proxy(resident_id=world.resident_id, proxy_id=daughter, relation="子女", relation_en="child"))
    mothers = _seed(world, 6)
    daughters = _seed(world, 7, resident_id=daughter, start_minutes=30)

    # When she pages 4 at a time
    found, pages = _all_pages(lambda m, p: world.api.call(daughter, "resident", m, p), "/orders", limit=4)

    # Then she sees every order of both, once each, newest first, over four pages
    ids = [o["order_id"] for o in found]
    assert sorted(ids) == sorted(set(mothers + daughters)) and len(ids) == len(set(ids))
    assert _newest_first(found) and pages == 4
    # And her mother, paging alone, sees only her own (the two placed through the API are hers)
    own, _ = _all_pages(world.as_resident, "/orders", limit=5)
    assert sorted(o["order_id"] for o in own) == sorted({*mothers, daughters[-1]})


def test_the_desk_and_the_supervisor_page_through_merged_lists_without_a_silent_cut(world):
    # Given more orders in the desk's compound than the old cut of 50
    placed = _seed(world, 55, company_id=world.company_id)
    # When the desk pages through them 20 at a time, then one status of the district 25 at a time
    desk, pages = _all_pages(world.as_dispatcher, "/orders", limit=20)
    ids = [o["order_id"] for o in desk]
    assert set(placed) <= set(ids) and len(ids) == len(set(ids)) and _newest_first(desk) and pages >= 3
    status = world.as_supervisor("GET", f"/orders/{placed[0]}").body["status"]
    district, _ = _all_pages(world.as_supervisor, f"/orders?status={status}", limit=25)
    assert {o["order_id"] for o in district} >= set(placed[:-1])  # the seeded ones share the model's status
    assert len(district) == len({o["order_id"] for o in district}) and _newest_first(district)


def test_the_first_page_is_what_the_list_was_and_a_bad_limit_or_cursor_is_refused(world):
    _seed(world, 3)
    whole = world.as_resident("GET", "/orders")
    assert whole.status == 200 and len(whole.body["orders"]) == 4 and whole.body["next_cursor"] is None
    for limit in ("0", "101", "lots"):
        assert world.as_resident("GET", f"/orders?limit={limit}").status == 422
    forged = base64.urlsafe_b64encode(json.dumps({"list": "orders", "before": "' OR 1=1"}).encode()).decode()
    other_list = base64.urlsafe_b64encode(
        json.dumps({"list": "messages", "before": "2031-03-01T00:00:00.000Z#ord_x"}).encode()
    ).decode()
    for cursor in ("not-a-cursor", "e30", forged.rstrip("="), other_list.rstrip("=")):
        answer = world.as_resident("GET", f"/orders?cursor={cursor}")
        assert answer.status == 400 and answer.body["error"]["code"] == "invalid_cursor", (cursor, answer.body)


@pytest.mark.parametrize("limit", [1, 2])
def test_a_technician_pages_through_his_orders(world, limit):
    tech = world.add_technician()
    placed = _seed(world, 3, technician_id=tech, company_id=world.company_id)[:-1]
    from orders.store import orders

    for order_id in placed:  # on the technician's index, as an assignment writes it
        order = orders.get(order_id)
        orders.import_history([order])
        from orders.store.orders import OrderItem

        OrderItem(*orders.order_key(order_id)).update(
            actions=[OrderItem.gsi2pk.set(f"TECH#{tech}"), OrderItem.gsi2sk.set(orders.position(order))]
        )
    found, pages = _all_pages(lambda m, p: world.as_technician(tech, m, p), "/orders", limit=limit)
    assert sorted(o["order_id"] for o in found) == sorted(placed) and _newest_first(found)


def test_a_resident_pages_through_her_messages_each_once_newest_first(world):
    from notify.store import messages
    from notify.store.messages import Message

    # Given 23 messages in her outbox, some written in the same millisecond
    for i in range(23):
        at = f"2031-04-01T08:{i // 2:02d}:00.000Z"
        messages.put(
            Message(
                message_id=f"evt_page{world.n}_{i:02d}.{world.resident_id}.push",
                recipient_id=world.resident_id,
                channel="push",
                kind="order.offered",
                text_zh=f"第 {i} 条",
                text_en=f"Message {i}",
                created_at=at,
            )
        )
    seen, cursor, pages = [], None, 0
    while True:
        answer = world.as_resident("GET", "/messages?limit=5" + (f"&cursor={cursor}" if cursor else ""))
        assert answer.status == 200, answer.body
        seen += answer.body["messages"]
        pages += 1
        cursor = answer.body["next_cursor"]
        if cursor is None:
            break
    mine = [m["message_id"] for m in seen if m["message_id"].startswith(f"evt_page{world.n}_")]
    assert sorted(mine) == sorted(f"evt_page{world.n}_{i:02d}.{world.resident_id}.push" for i in range(23))
    assert len(seen) == len({m["message_id"] for m in seen}) and pages >= 5
    keys = [(m["created_at"], m["message_id"]) for m in seen]
    assert keys == sorted(keys, reverse=True)
    # A cursor of the order list is no cursor of the messages
    from shared import paging

    orders_cursor = paging.encode("orders", "2031-04-01T08:00:00.000Z#ord_x")
    refused = world.as_resident("GET", f"/messages?cursor={orders_cursor}")
    assert refused.status == 400 and refused.body["error"]["code"] == "invalid_cursor"
