"""Re-work under warranty through the gateway: `POST /orders/{id}/rework {"description"}` within 30 days of
completion gives a new, free order linked to the first (`rework_of`), offered first to the same technician, then
matched as usual; it counts against the company's credit as re-work, and /stats counts it; a new order at the same
address for the same category is not re-work."""

from __future__ import annotations

from datetime import timedelta

from shared.clock import iso, now
from tests.conftest import AUDIT_LAG_SECONDS, wait_for


def _offer(world, tech: str, order_id: str) -> str | None:
    return next(
        (o["offer_id"] for o in world.as_technician(tech, "GET", "/offers").body["offers"] if o["order_id"] == order_id), None
    )


def _finished(world, tech: str) -> str:
    """An electrical order the technician accepted, fixed and billed (free compound): completed."""
    order_id = world.order()["order_id"]
    assert (
        world.as_technician(
            tech, "POST", f"/offers/{wait_for(lambda: _offer(world, tech, order_id), what='the offer')}/accept"
        ).status
        == 200
    )
    assert world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": "on_site"}).status == 200
    done = world.as_technician(tech, "POST", f"/orders/{order_id}/completion", {"lines": [{"item_id": "elec_wire_reconnect"}]})
    assert done.status == 200 and done.body["status"] == "completed", done.body
    return order_id


def _credit_kinds(world, order_id: str) -> list[str]:
    events = world.as_supervisor("GET", f"/credit/companies/{world.company_id}").body["events"]
    return [e["kind"] for e in events if e["order_id"] == order_id]


def test_a_rework_is_free_linked_offered_first_to_the_same_technician_and_counts_as_rework(world):
    original_tech = world.add_technician(metres_east=300)
    original = _finished(world, original_tech)
    nearer = world.add_technician(metres_east=10)  # nearer: the usual matching would ask him first
    # When the resident asks for re-work within 30 days
    asked = world.as_resident("POST", f"/orders/{original}/rework", {"description": "灯又不亮了"})
    # Then a new order, free, linked to the first
    assert asked.status == 201, asked.body
    rework = asked.body
    assert rework["rework_of"] == original and rework["order_id"] != original and rework["type"] == "emergency"
    assert rework["quote"]["free_service"] is True and (rework["quote"]["low"], rework["quote"]["high"]) == (0, 0)
    assert rework["category"] == "electrical" and rework["description"] == "灯又不亮了"
    assert world.as_resident("GET", f"/orders/{original}").body["reworked_by"] == rework["order_id"]
    # Only once
    again = world.as_resident("POST", f"/orders/{original}/rework", {"description": "还是不亮"})
    assert again.status == 409 and again.body["error"]["code"] == "rework_exists"
    # Offered first to the technician who did the original repair, though another is nearer
    first = wait_for(lambda: _offer(world, original_tech, rework["order_id"]), what="the offer to the original technician")
    assert _offer(world, nearer, rework["order_id"]) is None
    # Then matched as usual: when he declines, the nearer one is asked
    assert world.as_technician(original_tech, "POST", f"/offers/{first}/decline").status == 200
    wait_for(lambda: _offer(world, nearer, rework["order_id"]), what="the usual matching after him")
    # And it counts against the company's credit, on the original order, as re-work
    wait_for(lambda: "rework" in _credit_kinds(world, original), what="the re-work credit event", timeout=AUDIT_LAG_SECONDS)
    # And /stats counts it
    stats = world.as_supervisor("GET", f"/stats?compound_id={world.compound_id}").body
    assert stats["orders"]["reworks"] == 1


def test_the_same_problem_ordered_again_without_asking_for_rework_is_no_rework(world):
    tech = world.add_technician()
    first = _finished(world, tech)
    # When the resident simply orders the same repair at the same address again
    second = world.order()["order_id"]
    wait_for(lambda: _offer(world, tech, second), what="the new order's offer")
    # Then nothing counts as re-work and /stats counts none
    assert "rework" not in _credit_kinds(world, first)
    assert world.as_supervisor("GET", f"/stats?compound_id={world.compound_id}").body["orders"]["reworks"] == 0


def test_rework_is_refused_before_completion_after_30_days_to_strangers_and_for_public_area_reports(world):
    from orders.store.orders import OrderItem, order_key

    tech = world.add_technician(skills=("electrical", "plumbing"))
    open_order = world.order()["order_id"]
    early = world.as_resident("POST", f"/orders/{open_order}/rework", {"description": "x"})
    assert early.status == 409 and early.body["error"]["code"] == "invalid_status"
    assert world.as_resident("POST", f"/orders/{open_order}/cancel", {}).status == 200
    done = _finished(world, tech)
    assert world.api.call("res_li", "resident", "POST", f"/orders/{done}/rework", {"description": "x"}).status == 403
    assert world.as_technician(tech, "POST", f"/orders/{done}/rework", {"description": "x"}).status == 403
    assert world.as_resident("POST", f"/orders/{done}/rework", {}).status == 422
    # 31 days after completion: no longer under warranty
    OrderItem(*order_key(done)).update(actions=[OrderItem.completed_at.set(iso(now() - timedelta(days=31)))])
    late = world.as_resident("POST", f"/orders/{done}/rework", {"description": "又坏了"})
    assert late.status == 409 and late.body["error"]["code"] == "rework_window_closed" and "30" in late.body["error"]["message"]
    report = world.order("public_area", "plumbing", place="1号楼楼道")["order_id"]
    assert world.as_dispatcher("POST", f"/orders/{report}/dispatch", {"technician_id": tech}).status == 200
    assert world.as_technician(tech, "POST", f"/orders/{report}/progress", {"status": "on_site"}).status == 200
    fixed = world.as_technician(tech, "POST", f"/orders/{report}/completion", {"lines": [], "note": "已疏通"})
    assert fixed.status == 200
    refused = world.as_resident("POST", f"/orders/{report}/rework", {"description": "又堵了"})
    assert refused.status == 400 and refused.body["error"]["code"] == "validation_error"
