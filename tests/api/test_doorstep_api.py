"""The door-step check through the gateway: the technician sees the code he will say once on his way; the resident
confirms (`POST /orders/{id}/doorstep {"match": …}`); a mismatch pauses the order and alerts the company and the
supervisors at once."""

from __future__ import annotations

from tests.conftest import wait_for

KIND = "order.doorstep_mismatch"


def _assigned(world) -> tuple[str, str]:
    tech = world.add_technician()
    order_id = world.order()["order_id"]

    def offer():
        return next(
            (o["offer_id"] for o in world.as_technician(tech, "GET", "/offers").body["offers"] if o["order_id"] == order_id), None
        )

    assert world.as_technician(tech, "POST", f"/offers/{wait_for(offer, what='the offer')}/accept").status == 200
    return order_id, tech


def _alerts(world, user_id: str, role: str, order_id: str) -> list[dict]:
    return [
        m
        for m in world.api.call(user_id, role, "GET", "/messages").body["messages"]
        if m["kind"] == KIND and m["order_id"] == order_id
    ]


def test_the_technician_sees_the_code_he_will_say_once_on_his_way(world):
    order_id, tech = _assigned(world)
    code = world.as_resident("GET", f"/orders/{order_id}").body["order_code"]
    # Assigned, not yet on his way: no code for him, and the resident cannot check yet
    assert world.as_technician(tech, "GET", f"/orders/{order_id}").body["order_code"] is None
    early = world.as_resident("POST", f"/orders/{order_id}/doorstep", {"match": True})
    assert early.status == 409 and early.body["error"]["code"] == "invalid_status"
    # On his way: his app shows the same code as hers (in his job list too)
    assert world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": "en_route"}).status == 200
    assert world.as_technician(tech, "GET", f"/orders/{order_id}").body["order_code"] == code
    listed = world.as_technician(tech, "GET", "/orders").body["orders"]
    assert next(o for o in listed if o["order_id"] == order_id)["order_code"] == code
    # The company's dispatcher never sees it
    assert world.as_dispatcher("GET", f"/orders/{order_id}").body["order_code"] is None


def test_only_the_resident_checks_and_with_a_yes_or_no(world):
    order_id, tech = _assigned(world)
    assert world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": "on_site"}).status == 200
    assert world.as_technician(tech, "POST", f"/orders/{order_id}/doorstep", {"match": True}).status == 403
    assert world.as_supervisor("POST", f"/orders/{order_id}/doorstep", {"match": True}).status == 403
    assert world.api.call("res_li", "resident", "POST", f"/orders/{order_id}/doorstep", {"match": True}).status == 403
    for bad in ({}, {"match": "yes"}, {"match": True, "extra": 1}):
        assert world.as_resident("POST", f"/orders/{order_id}/doorstep", bad).status == 422, bad
    # A match is recorded, and the technician goes on
    matched = world.as_resident("POST", f"/orders/{order_id}/doorstep", {"match": True})
    assert matched.status == 200 and matched.body["doorstep"]["result"] == "match" and matched.body["paused_reason"] is None
    done = world.as_technician(tech, "POST", f"/orders/{order_id}/completion", {"lines": [], "note": "已修好"})
    assert done.status == 200, done.body


def test_a_mismatch_pauses_the_order_and_alerts_the_company_and_the_supervisors_at_once(world):
    order_id, tech = _assigned(world)
    assert world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": "en_route"}).status == 200
    # When the resident says the code did not match
    checked = world.as_resident("POST", f"/orders/{order_id}/doorstep", {"match": False})
    # Then the order is paused, and says so
    assert checked.status == 200 and checked.body["paused_reason"] == "doorstep_mismatch"
    assert checked.body["doorstep"]["result"] == "mismatch" and checked.body["status"] == "en_route"
    # The technician can neither go on nor bill
    for path, body in (("progress", {"status": "on_site"}), ("completion", {"lines": [], "note": "已修好"})):
        refused = world.as_technician(tech, "POST", f"/orders/{order_id}/{path}", body)
        assert refused.status == 409 and refused.body["error"]["code"] == "order_paused", refused.body
    # The company's dispatcher and the supervisor are alerted
    [to_company] = wait_for(lambda: _alerts(world, world.dispatcher_id, "dispatcher", order_id), what="the company's alert")
    assert "对不上" in to_company["text_zh"] and "测试师傅1" in to_company["text_zh"] and "did not match" in to_company["text_en"]
    wait_for(lambda: _alerts(world, world.supervisor_id, "supervisor", order_id), what="the supervisors' alert")
    # And the resident's timeline records the check by name
    notes = [e["note"] for e in world.as_resident("GET", f"/orders/{order_id}").body["timeline"] if e["note"]]
    assert any("did not match" in n for n in notes)
    # When the right technician is at the door after all, her match lifts the pause
    lifted = world.as_resident("POST", f"/orders/{order_id}/doorstep", {"match": True})
    assert lifted.status == 200 and lifted.body["paused_reason"] is None
    assert world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": "on_site"}).status == 200
    assert len(_alerts(world, world.dispatcher_id, "dispatcher", order_id)) == 1, "a match alerts nobody"
