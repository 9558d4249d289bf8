"""The matching engine on the real ASL in moto: rounds, radius widening, escalation, grab mode and
booked slots. Each test builds its own isolated world (see tests/conftest.py)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from tests.conftest import reload_settings, wait_for


def _slot(days: int = 1, hour_utc: int = 2) -> dict:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour_utc, minute=0, second=0, microsecond=0)
    return {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}


def _offers_of(world, tech_id: str, order_id: str) -> list[dict]:
    return [o for o in world.as_technician(tech_id, "GET", "/offers").body["offers"] if o["order_id"] == order_id]


def test_a_technician_two_km_away_is_offered_only_after_the_one_km_round(world, observe):
    # Given an electrician 500 m away and another 2 km away
    near = world.add_technician(metres_east=500)
    far = world.add_technician(metres_east=2000)
    order_id = world.order()["order_id"]
    # When the order is matched, only the near one is offered it (the 1 km round)
    first = observe.wait_offer(world, near, order_id)
    assert _offers_of(world, far, order_id) == []
    stored = observe.order(order_id)
    assert stored.search_radius_m == 1000 and stored.match_round == 1
    # And when he declines, nobody is left within 1 km, so the radius widens to 3 km and the far one is offered
    assert world.as_technician(near, "POST", f"/offers/{first}/decline").status == 200
    observe.wait_offer(world, far, order_id)
    stored = observe.order(order_id)
    assert stored.search_radius_m == 3000 and stored.match_round == 2
    assert stored.match_reason.technician_id == far and stored.match_reason.radius_m == 3000


def test_everyone_declining_escalates_and_nobody_is_asked_twice(world, observe):
    techs = [world.add_technician(metres_east=200 * k) for k in (1, 2)]
    order_id = world.order()["order_id"]
    for tech in techs:
        offer_id = observe.wait_offer(world, tech, order_id)
        assert world.as_technician(tech, "POST", f"/offers/{offer_id}/decline").status == 200
    escalated = observe.wait_status(order_id, "escalated")
    assert escalated.escalation_reason == "no_candidates"
    assert sorted(escalated.excluded_technicians) == sorted(techs)
    from matching.store import offers

    assert sorted(o.technician_id for o in offers.for_order(order_id)) == sorted(techs)  # one offer each, no repeats


def test_ineligible_technicians_are_skipped(world, observe):
    from identity.domain.records import Certificate

    # Given nearby electricians who may not work (expired certificate, suspended), and a qualified one further away
    world.add_technician(metres_east=100, certificates=[Certificate(kind="electrician_low_voltage", expires_on="2020-01-01")])
    world.add_technician(metres_east=150, status="suspended")
    world.add_technician(metres_east=200, skills=["plumbing"])
    ok = world.add_technician(metres_east=800)
    order_id = world.order()["order_id"]
    # Then the qualified one is offered the order, and the reason says how many were eligible
    observe.wait_offer(world, ok, order_id)
    reason = observe.order(order_id).match_reason
    assert reason.technician_id == ok and reason.eligible == 1 and reason.considered >= 3


def test_supervisors_see_why_this_technician_was_chosen(world, observe):
    tech = world.add_technician()
    order_id = world.order()["order_id"]
    observe.wait_offer(world, tech, order_id)
    seen = world.as_supervisor("GET", f"/orders/{order_id}").body
    assert seen["match"]["reason"]["technician_id"] == tech and seen["match"]["search_radius_m"] == 1000
    terms = seen["match"]["reason"]["terms"]
    assert set(terms) == {"travel", "credit", "rating", "workload", "fairness"}
    assert abs(sum(t["points"] for t in terms.values()) - seen["match"]["reason"]["total"]) < 1e-3
    assert world.as_resident("GET", f"/orders/{order_id}").body["match"] is None


def test_grab_mode_many_accept_at_once_exactly_one_is_assigned(world, observe):
    # Given a booking offered in grab mode to the top three technicians at once
    techs = [world.add_technician(metres_east=100 * k, on_duty=False) for k in (1, 2, 3)]
    order_id = world.order("booking", slot=_slot())["order_id"]
    offer_ids = {t: observe.wait_offer(world, t, order_id) for t in techs}
    assert len(set(offer_ids.values())) == 3
    assert all(o["mode"] == "grab" for t in techs for o in _offers_of(world, t, order_id))
    # When all three accept at the same moment
    barrier, results = threading.Barrier(3), {}

    def accept(tech: str) -> None:
        barrier.wait()
        results[tech] = world.as_technician(tech, "POST", f"/offers/{offer_ids[tech]}/accept")

    threads = [threading.Thread(target=accept, args=(t,)) for t in techs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # Then exactly one wins, the others get 409, and their offers are withdrawn
    winners = [t for t, r in results.items() if r.status == 200]
    assert len(winners) == 1, {t: (r.status, r.body) for t, r in results.items()}
    assert all(r.status == 409 for t, r in results.items() if t not in winners)
    assigned = observe.wait_status(order_id, "assigned")
    assert assigned.technician_id == winners[0] and assigned.match_reason.technician_id == winners[0]
    from matching.store import offers, slots

    statuses = {o.technician_id: o.status for o in offers.for_order(order_id)}
    assert statuses == {t: ("accepted" if t == winners[0] else "withdrawn") for t in techs}
    # And the winner's slot is held for this order
    hours = slots.hour_blocks(assigned.slot.start, assigned.slot.end)
    assert set(slots.held_hours(winners[0], hours[0], hours[-1]).values()) == {order_id}
    wait_for(lambda: observe.states_entered(order_id)[-1] == "AwaitCompletion", what="the completion wait")


def test_grab_mode_a_decline_keeps_the_round_open_for_the_others(world, observe):
    a, b = (world.add_technician(metres_east=100 * k, on_duty=False) for k in (1, 2))
    order_id = world.order("booking", slot=_slot())["order_id"]
    offer_a, offer_b = observe.wait_offer(world, a, order_id), observe.wait_offer(world, b, order_id)
    # When one declines, the other may still accept in the same round
    assert world.as_technician(a, "POST", f"/offers/{offer_a}/decline").status == 200
    assert observe.order(order_id).status == "offered"
    assert world.as_technician(b, "POST", f"/offers/{offer_b}/accept").status == 200
    assert observe.wait_status(order_id, "assigned").technician_id == b
    assert observe.states_entered(order_id).count("OfferToTechnician") == 1


def test_grab_round_timing_out_expires_every_offer_and_escalates(world, observe, timeouts):
    timeouts(offer=1)
    techs = [world.add_technician(metres_east=100 * k, on_duty=False) for k in (1, 2)]
    order_id = world.order("booking", slot=_slot())["order_id"]
    escalated = observe.wait_status(order_id, "escalated")
    from matching.store import offers

    assert {o.technician_id: o.status for o in offers.for_order(order_id)} == dict.fromkeys(techs, "expired")
    assert escalated.escalation_reason == "no_candidates" and sorted(escalated.excluded_technicians) == sorted(techs)


def test_two_bookings_never_hold_the_same_technicians_slot_and_cancelling_frees_it(world, observe):
    only = world.add_technician(on_duty=False)
    slot = _slot(days=2)
    first = world.order("booking", slot=slot)["order_id"]
    offer_id = observe.wait_offer(world, only, first)
    assert world.as_technician(only, "POST", f"/offers/{offer_id}/accept").status == 200
    observe.wait_status(first, "assigned")
    # When a second booking asks for the same slot, the only technician is busy: nobody is offered it
    second = world.order("booking", slot=slot)["order_id"]
    assert observe.wait_status(second, "escalated").escalation_reason == "no_candidates"
    # And when the first booking is cancelled, the slot is free again
    assert world.as_resident("POST", f"/orders/{first}/cancel").status == 200
    from matching.store import slots

    hours = slots.hour_blocks(slot["start"], slot["end"])
    assert slots.held_hours(only, hours[0], hours[-1]) == {}
    third = world.order("booking", slot=slot)["order_id"]
    observe.wait_offer(world, only, third)


def test_a_booking_cancelled_by_the_workflow_frees_its_technicians_hours(world, observe, timeouts):
    from matching.store import slots

    # Given a booking accepted by its technician (his hours held) who never completes it
    timeouts(completion=1, escalation=1)
    tech = world.add_technician(on_duty=False)
    slot = _slot(days=3)
    order_id = world.order("booking", slot=slot)["order_id"]
    offer_id = observe.wait_offer(world, tech, order_id)
    assert world.as_technician(tech, "POST", f"/offers/{offer_id}/accept").status == 200
    hours = slots.hour_blocks(slot["start"], slot["end"])
    assert set(slots.held_hours(tech, hours[0], hours[-1]).values()) == {order_id}
    # When its completion is overdue, it is escalated, and nobody dispatches it before the escalation runs out
    cancelled = observe.wait_status(order_id, "cancelled")
    assert cancelled.cancel_reason == "no_technician_available" and cancelled.escalation_reason == "completion_overdue"
    # Then the cancelled booking holds none of his hours (freed by the event consumer, not by an API call)
    wait_for(lambda: slots.held_hours(tech, hours[0], hours[-1]) == {}, what="the cancelled booking's hours to be freed")


def test_the_spatial_index_follows_location_and_duty(world, observe):
    from identity.store import accounts

    # Given a technician off duty 30 km away
    tech = world.add_technician(on_duty=False, metres_east=30_000)

    def near_on_duty() -> list[str]:
        return [t.user_id for t in accounts.technicians_near(world.lat, world.lng, 1000, on_duty_only=True).technicians]

    assert tech not in near_on_duty()
    # When he reports for duty at the compound
    moved = world.as_technician(
        tech, "PUT", "/technicians/me/availability", {"on_duty": True, "lat": world.lat, "lng": world.lng}
    )
    assert moved.status == 200 and moved.body["on_duty"] is True
    # Then he is in the index there, and an emergency is offered to him
    assert near_on_duty() == [tech]
    order_id = world.order()["order_id"]
    observe.wait_offer(world, tech, order_id)
    # And off duty he leaves the on-duty index (but stays findable for bookings)
    world.as_technician(tech, "PUT", "/technicians/me/availability", {"on_duty": False, "lat": world.lat, "lng": world.lng})
    assert near_on_duty() == []
    assert [t.user_id for t in accounts.technicians_near(world.lat, world.lng, 1000, on_duty_only=False).technicians] == [tech]


def test_manual_dispatch_of_a_booking_holds_the_slot_too(world, observe):
    from matching.store import slots

    # Given a booking nobody could take (no technician yet), escalated to the supervisors
    slot = _slot(days=3)
    order_id = world.order("booking", slot=slot)["order_id"]
    observe.wait_status(order_id, "escalated")
    wait_for(lambda: "AwaitManualDispatch" in observe.states_entered(order_id), what="the manual-dispatch wait")
    # And a technician who already holds another booking in that slot
    busy = world.add_technician(on_duty=False)
    hours = slots.hour_blocks(slot["start"], slot["end"])
    slots.reserve(busy, "ord_other", hours, at=slot["start"])
    # When the supervisor dispatches him, it is refused; a free one is dispatched and his hours are held
    refused = world.as_supervisor("POST", f"/orders/{order_id}/dispatch", {"technician_id": busy})
    assert refused.status == 409 and refused.body["error"]["code"] == "slot_taken"
    free = world.add_technician(on_duty=False)
    assert world.as_supervisor("POST", f"/orders/{order_id}/dispatch", {"technician_id": free}).status == 200
    assert set(slots.held_hours(free, hours[0], hours[-1]).values()) == {order_id}


def test_the_radius_widens_after_the_configured_number_of_refusals(world, observe, monkeypatch):

    # Given widening after a single refusal, and two electricians within 1 km
    monkeypatch.setenv("LINLI_REFUSALS_BEFORE_WIDENING", "1")
    reload_settings()
    try:
        first, second = world.add_technician(metres_east=300), world.add_technician(metres_east=600)
        order_id = world.order()["order_id"]
        offer_id = observe.wait_offer(world, first, order_id)
        assert observe.order(order_id).search_radius_m == 1000
        # When the first declines, the next round searches 3 km (still finding the nearer one first)
        assert world.as_technician(first, "POST", f"/offers/{offer_id}/decline").status == 200
        observe.wait_offer(world, second, order_id)
        stored = observe.order(order_id)
        assert stored.search_radius_m == 3000 and stored.match_round == 2
    finally:
        monkeypatch.delenv("LINLI_REFUSALS_BEFORE_WIDENING")
        reload_settings()
