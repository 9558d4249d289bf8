"""What an order records and shows, through the gateway: an empty bill still says what was done; a resident's
timeline names people, never internal ids; every instant in one format (ISO 8601, UTC, milliseconds, `Z`)."""

from __future__ import annotations

import re

from orders.store import proxy_links
from tests.conftest import wait_for
from tests.prices_flow import make_paid, order_on_site, with_extra_lamp

ONE_FORMAT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_an_empty_bill_needs_a_note_of_what_was_done(world):
    order_id, tech = order_on_site(world)
    # When the technician completes with no lines and no note (or only spaces)
    for body in ({"lines": []}, {"lines": [], "note": "   "}):
        refused = world.as_technician(tech, "POST", f"/orders/{order_id}/completion", body)
        # Then it is refused with a clear code, and nothing changed
        assert refused.status == 400 and refused.body["error"]["code"] == "work_note_required", refused.body
        assert "做了什么" in refused.body["error"]["message"] and "what was done" in refused.body["error"]["message_en"]
    assert world.as_resident("GET", f"/orders/{order_id}").body["status"] == "on_site"
    # When he says what he did
    done = world.as_technician(
        tech, "POST", f"/orders/{order_id}/completion", {"lines": [], "note": " 检查线路，接头松了，已拧紧 "}
    )
    # Then the order is completed and the resident reads his words
    assert done.status == 200 and done.body["status"] == "completed", done.body
    assert world.as_resident("GET", f"/orders/{order_id}").body["work_note"] == "检查线路，接头松了，已拧紧"


def test_a_residents_timeline_names_people_and_staff_see_the_ids_too(world):
    from identity.domain.records import User
    from identity.store import accounts
    from orders.domain.records import Proxy

    # Given the resident's son approves an extra line for her
    son = f"{world.resident_id}_son"
    accounts.put_user(User(user_id=son, role="resident", name="测试家属"))
    proxy_links.put(Proxy(resident_id=world.resident_id, proxy_id=son, relation="儿子", relation_en="son"))
    make_paid(world)
    order_id, tech = order_on_site(world)
    with_extra_lamp(world, tech, order_id)
    assert world.api.call(son, "resident", "POST", f"/orders/{order_id}/approval", {"decision": "approve"}).status == 200
    # Then the resident's timeline names everyone and holds no internal id
    mine = world.as_resident("GET", f"/orders/{order_id}").body
    shown = repr(mine["timeline"])
    for user_id in (world.resident_id, son, tech):
        assert user_id not in shown, f"{user_id} in the resident's timeline"
    by_status = {e["status"]: e for e in mine["timeline"]}
    assert by_status["submitted"]["actor_name"] == f"测试居民{world.n}" and by_status["submitted"]["actor"] is None
    assert by_status["assigned"]["actor_name"] == "测试师傅1" and by_status["assigned"]["actor_role"] == "technician"
    assert by_status["completed"]["actor_name"] == "测试家属"
    assert f"on behalf of 测试居民{world.n}" in by_status["completed"]["note"]
    assert by_status["matching"]["actor_name"] == "邻里平台" and by_status["matching"]["actor_role"] == "platform"
    # And a supervisor sees the ids beside the names
    theirs = world.as_supervisor("GET", f"/orders/{order_id}").body["timeline"]
    assert {e["actor"] for e in theirs} >= {world.resident_id, tech, son, "workflow"}


def _stored(order_id: str):
    from orders.store import orders

    return orders.get(order_id)


def test_every_instant_of_an_order_is_in_one_format(world):
    # Given an order that went through the workflow's own status writes (matching, offered) and people's
    order_id, tech = order_on_site(world)
    escalated_id = world.order(category="locks")["order_id"]  # nobody with that skill: escalated by the workflow
    wait_for(lambda: _stored(escalated_id).status == "escalated", what="the escalation")
    for oid, reader in ((order_id, world.as_resident), (escalated_id, world.as_supervisor)):
        order = reader("GET", f"/orders/{oid}").body
        instants = [order["created_at"], order["updated_at"]] + [e["at"] for e in order["timeline"]]
        assert all(ONE_FORMAT.match(at) for at in instants), instants
        # also as stored: the workflow's writes ($$.State.EnteredTime) use the same format
        stored = _stored(oid)
        assert all(ONE_FORMAT.match(e.at) for e in stored.timeline), [e.at for e in stored.timeline]


def test_a_closed_order_whose_audit_chain_has_no_entries_is_not_valid(world):
    from orders.store.orders import OrderItem, order_key

    # Given an order that has ended (cancelled) and an audit chain with no entries (a fresh order id's chain, as if
    # every entry was lost): its events are written by a queue consumer, so the chain of a new order may be empty
    order_id = world.order()["order_id"]
    assert world.as_resident("POST", f"/orders/{order_id}/cancel", {}).status == 200
    ghost = f"{order_id}x"  # the same order stored under an id whose chain was never written
    stored = OrderItem.get(*order_key(order_id))
    OrderItem(*order_key(ghost), **{k: v for k, v in stored.attribute_values.items() if k not in ("pk", "sk")}).save()
    OrderItem(*order_key(ghost)).update(actions=[OrderItem.order_id.set(ghost)])
    audit = world.as_supervisor("GET", f"/orders/{ghost}/audit")
    assert audit.status == 200 and audit.body["entries"] == []
    assert audit.body["verification"]["valid"] is False and "no entries" in audit.body["verification"]["problems"][0]
