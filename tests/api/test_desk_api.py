"""The property service desk (a dispatcher of the compound's contracted company) through the gateway: it sees every
order in its compounds, whoever's technician has it, with filters; no order of another company's compound."""

from __future__ import annotations

from orders.domain.steps import Step
from tests.conftest import make_world, wait_for


def _status(order_id: str) -> str:
    from orders.store import orders

    return orders.get(order_id).status


def test_the_desk_sees_every_order_in_its_compounds_with_filters(world, api):
    # Given in its compound an escalated emergency (nobody on duty), a booking-free emergency of another company's
    # technician, and a public-area report
    escalated = world.order()["order_id"]
    wait_for(lambda: _status(escalated) == "escalated", what="the escalation")
    report = world.order("public_area", "plumbing", place="2号楼楼道")["order_id"]
    elsewhere = make_world(api)
    foreign = elsewhere.order()["order_id"]
    # When its dispatcher lists the orders
    listed = world.as_dispatcher("GET", "/orders")
    assert listed.status == 200, listed.body
    ids = [o["order_id"] for o in listed.body["orders"]]
    # Then it sees every order of its compound (the escalated one has no company yet), none of another compound
    assert {escalated, report} <= set(ids) and foreign not in ids
    assert ids.index(report) < ids.index(escalated), "newest first"
    # With filters: status, type, compound
    only = lambda query: [o["order_id"] for o in world.as_dispatcher("GET", f"/orders?{query}").body["orders"]]  # noqa: E731
    assert escalated in only("status=escalated") and report not in only("status=escalated")
    assert only("type=public_area") == [report] and escalated in only("type=emergency")
    assert set(only(f"compound_id={world.compound_id}")) >= {escalated, report}
    other = world.as_dispatcher("GET", f"/orders?compound_id={elsewhere.compound_id}")
    assert other.status == 403 and other.body["error"]["code"] == "forbidden"
    assert world.as_dispatcher("GET", "/orders?type=teleport").status == 422
    # And it may open such an order (never its door code), but not another compound's
    opened = world.as_dispatcher("GET", f"/orders/{escalated}")
    assert opened.status == 200 and opened.body["order_code"] is None and opened.body["escalation_reason"] == "no_candidates"
    assert world.as_dispatcher("GET", f"/orders/{foreign}").status == 403
    assert elsewhere.as_dispatcher("GET", f"/orders/{escalated}").status == 403


def _offer(world, tech: str, order_id: str) -> str | None:
    return next(
        (o["offer_id"] for o in world.as_technician(tech, "GET", "/offers").body["offers"] if o["order_id"] == order_id), None
    )


def _completion_wait(order_id: str):
    from orders.store import callbacks

    return wait_for(lambda: callbacks.wait(order_id, Step.COMPLETION), what="the workflow's completion wait")


def test_the_desk_dispatches_its_own_technician_to_an_escalated_order_of_its_compound(world, api):
    escalated = world.order()["order_id"]
    wait_for(lambda: _status(escalated) == "escalated", what="the escalation")
    own = world.add_technician(on_duty=False)
    elsewhere = make_world(api)
    assert elsewhere.as_dispatcher("POST", f"/orders/{escalated}/dispatch", {"technician_id": own}).status == 403
    done = world.as_dispatcher("POST", f"/orders/{escalated}/dispatch", {"technician_id": own})
    assert done.status == 200 and done.body["status"] == "assigned" and done.body["technician"]["technician_id"] == own
    _completion_wait(escalated)


def test_the_desk_takes_over_an_order_still_being_offered_withdrawing_the_open_offer(world):
    offered_to = world.add_technician()  # on duty: offered the order
    own = world.add_technician(on_duty=False)  # the desk's choice
    order_id = world.order()["order_id"]
    offer_id = wait_for(lambda: _offer(world, offered_to, order_id), what="the offer")
    # When the desk dispatches its own technician while the offer is open
    taken = world.as_dispatcher("POST", f"/orders/{order_id}/dispatch", {"technician_id": own})
    assert taken.status == 200, taken.body
    assert taken.body["status"] == "assigned" and taken.body["technician"]["technician_id"] == own
    # Then the open offer is withdrawn, a late accept is refused, and the workflow waits for his completion
    assert _offer(world, offered_to, order_id) is None
    late = world.as_technician(offered_to, "POST", f"/offers/{offer_id}/accept")
    assert late.status == 409, late.body
    _completion_wait(order_id)
    assert _status(order_id) == "assigned"
    assert "taken over by the service desk" in world.as_supervisor("GET", f"/orders/{order_id}").body["timeline"][-1]["note"]


def test_a_takeover_and_an_accept_at_the_same_moment_assign_the_order_exactly_once(world):
    from concurrent.futures import ThreadPoolExecutor

    offered_to = world.add_technician()
    own = world.add_technician(on_duty=False)
    for _ in range(3):
        order_id = world.order()["order_id"]
        offer_id = wait_for(lambda oid=order_id: _offer(world, offered_to, oid), what="the offer")
        with ThreadPoolExecutor(2) as pool:
            accept = pool.submit(world.as_technician, offered_to, "POST", f"/offers/{offer_id}/accept")
            takeover = pool.submit(world.as_dispatcher, "POST", f"/orders/{order_id}/dispatch", {"technician_id": own})
            answers = {"accept": accept.result().status, "takeover": takeover.result().status}
        assert sorted(answers.values()) == [200, 409], answers
        winner = offered_to if answers["accept"] == 200 else own
        from orders.store import orders

        assert orders.get(order_id).technician_id == winner
        _completion_wait(order_id)
        assert orders.get(order_id).status == "assigned" and orders.get(order_id).technician_id == winner
        # free the technicians' workload for the next round
        assert world.as_supervisor("POST", f"/orders/{order_id}/cancel", {"reason": "test"}).status == 200


def test_the_desk_places_an_order_for_a_caller_who_is_told_by_sms(world, api):
    from identity.store import accounts

    resident = accounts.get_user(world.resident_id)
    accounts.put_user(resident.model_copy(update={"phone": "13812345678"}))  # a verified resident: her number is known
    body = {"type": "emergency", "category": "electrical", "description": "电话报修：客厅灯不亮", "address_id": world.address_id}
    # Without saying it is a caller's order, or for whom, the desk cannot order
    assert world.as_dispatcher("POST", "/orders", body).status == 403
    assert world.as_dispatcher("POST", "/orders", {**body, "on_behalf_of": world.resident_id}).status == 403
    # For a caller of another company's compound, neither
    elsewhere = make_world(api)
    accounts.put_user(accounts.get_user(elsewhere.resident_id).model_copy(update={"phone": "13812345679"}))
    foreign = {**body, "address_id": elsewhere.address_id, "on_behalf_of": elsewhere.resident_id, "channel": "phone"}
    assert world.as_dispatcher("POST", "/orders", foreign).status == 403
    # When the desk places it on the phone for her
    placed = world.as_dispatcher("POST", "/orders", {**body, "on_behalf_of": world.resident_id, "channel": "phone"})
    assert placed.status == 201, placed.body
    order_id = placed.body["order_id"]
    # Then it is her order, recorded as placed by the desk, by phone
    mine = world.as_resident("GET", f"/orders/{order_id}").body
    assert (mine["resident_id"], mine["placed_by"], mine["placed_via"]) == (world.resident_id, world.dispatcher_id, "phone")
    assert mine["placed_by_name"] == f"调度{world.n}"
    # And she is told by SMS, whatever she chose, with the door code and who placed it
    told = wait_for(
        lambda: [
            m
            for m in world.as_resident("GET", "/messages").body["messages"]
            if m["order_id"] == order_id and m["kind"] == "desk.order_placed"
        ],
        what="the resident's SMS",
    )
    assert "sms" in {m["channel"] for m in told}
    assert f"测试物业{world.n}服务台" in told[0]["text_zh"] and mine["order_code"] in told[0]["text_zh"]


def test_the_desk_orders_only_for_a_verified_resident(world):
    body = {"type": "emergency", "category": "electrical", "description": "灯不亮", "address_id": world.address_id}
    unverified = world.as_dispatcher("POST", "/orders", {**body, "on_behalf_of": world.resident_id, "channel": "phone"})
    assert unverified.status == 400 and unverified.body["error"]["code"] == "validation_error"
