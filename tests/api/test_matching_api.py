"""GET /slots and PUT /technicians/me/availability through the gateway (the events API Gateway sends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def _slots(world, category: str = "electrical", address_id: str | None = None):
    return world.as_resident("GET", f"/slots?category={category}&address_id={address_id or world.address_id}")


def test_slots_are_offered_only_where_a_qualified_technician_nearby_is_free(world):
    # Given no electrician nearby, there is no slot
    assert _slots(world).status == 200 and _slots(world).body["slots"] == []
    # When one is added (bookings do not need him on duty now), slots appear: 2 hours, in the future, in working hours
    tech = world.add_technician(on_duty=False)
    slots = _slots(world).body["slots"]
    assert slots and all(s["technicians"] == 1 for s in slots)
    first = slots[0]
    start, end = (datetime.fromisoformat(first[k].replace("Z", "+00:00")) for k in ("start", "end"))
    assert end - start == timedelta(hours=2) and start > datetime.now(UTC)
    assert 8 <= (start + timedelta(hours=8)).hour < 20
    # And once his slot is booked, that slot is no longer offered
    from matching.domain.booking_hours import hour_blocks
    from matching.store import slots as held

    held.reserve(tech, "ord_elsewhere", hour_blocks(first["start"], first["end"]), at=first["start"])
    assert first["start"] not in [s["start"] for s in _slots(world).body["slots"]]
    # And a plumber does not make electrical slots available
    assert _slots(world, "plumbing").body["slots"] == []


def test_slots_refuse_bad_input_clearly(world):
    bad_category = _slots(world, "magic")
    assert bad_category.status in (400, 422) and bad_category.body["error"]["code"] == "validation_error"
    assert bad_category.body["error"]["message"] and bad_category.body["error"]["message_en"]
    unknown = _slots(world, address_id="addr_not_mine")
    assert unknown.status == 400 and unknown.body["error"]["code"] == "validation_error"
    tech = world.add_technician()
    assert world.as_technician(tech, "GET", f"/slots?category=electrical&address_id={world.address_id}").status == 403


def test_availability_outside_the_service_area_is_refused(world):
    tech = world.add_technician()
    far = world.as_technician(tech, "PUT", "/technicians/me/availability", {"on_duty": True, "lat": 31.2, "lng": 121.5})
    assert far.status in (400, 422) and far.body["error"]["code"] == "validation_error"
