"""Steps the price tests share: a paying compound, an order brought to the technician's door, bills."""

from __future__ import annotations

from typing import Any

from tests.conftest import World, wait_for

# The demo catalogue's items the tests bill (see local/demo_catalogue.py)
WIRE = {"item_id": "elec_wire_reconnect", "parts": [{"part_id": "wire_connector", "quantity": 2}]}  # 30 + 2 × 1
LAMP = {"item_id": "elec_ceiling_lamp", "parts": [{"part_id": "led_ceiling_lamp", "quantity": 1}]}  # 60 + 120
WIRE_TOTAL, LAMP_TOTAL = 32, 180


def make_paid(world: World) -> None:
    """Charging has started in this world's compound (the pilot compounds are free)."""
    from compounds.store import compound_records

    compound = compound_records.get_compound(world.compound_id)
    compound_records.put_compound(compound.model_copy(update={"free_period": None}))


def status_of(order_id: str) -> str | None:
    from orders.store import orders

    order = orders.get(order_id)
    return order.status if order else None


def order_on_site(world: World, description: str = "客厅灯不亮了") -> tuple[str, str]:
    """An emergency order accepted by the world's technician, who is now at the door."""
    tech = world.technicians[0] if world.technicians else world.add_technician()
    order = world.order(description=description)
    order_id = order["order_id"]

    def offer_id() -> Any:
        offers = world.as_technician(tech, "GET", "/offers").body["offers"]
        return next((o["offer_id"] for o in offers if o["order_id"] == order_id), None)

    accepted = world.as_technician(tech, "POST", f"/offers/{wait_for(offer_id, what='the offer')}/accept")
    assert accepted.status == 200, accepted.body
    assert world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": "on_site"}).status == 200
    return order_id, tech


def bill(world: World, tech: str, order_id: str, *lines: dict):
    return world.as_technician(tech, "POST", f"/orders/{order_id}/completion", {"lines": list(lines)})


def with_extra_lamp(world: World, tech: str, order_id: str):
    """The wire the quote expected, plus a whole new lamp it did not (the classic 小病大修)."""
    extra = {**LAMP, "reason": "灯具内部烧毁，建议整灯更换", "photo_ref": world.photo(tech, "technician", "work")}
    result = bill(world, tech, order_id, WIRE, extra)
    assert result.status == 200, result.body
    assert result.body["status"] == "awaiting_approval"
    return result.body
