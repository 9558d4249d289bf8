"""Technicians' booked hours: one item per hour a booking holds (pk TECH#<id>, sk SLOT#<hour>).

Each item is put with a condition that it does not exist, so two bookings can never hold the same
technician's hour, whatever the interleaving; cancelling deletes only the hours this order holds.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DeleteError, TransactWriteError

from matching.domain.booking_hours import hour_blocks
from matching.domain.errors import SlotTaken
from orders.domain.records import Order
from shared.dal.base import Change, commit, condition_failed, ensure_bound
from shared.dal.tables import TableItem


class SlotReservationItem(TableItem):
    """One hour of a technician's time held by a booking: pk TECH#<id>, sk SLOT#<yyyy-mm-ddThh>Z."""

    technician_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    hour = UnicodeAttribute()
    created_at = UnicodeAttribute()


PREFIX = "SLOT#"


def _key(technician_id: str, hour: str) -> tuple[str, str]:
    return f"TECH#{technician_id}", f"{PREFIX}{hour}"


def reservation(technician_id: str, order_id: str, hour: str, *, at: str) -> SlotReservationItem:
    return SlotReservationItem(
        *_key(technician_id, hour), technician_id=technician_id, order_id=order_id, hour=hour, created_at=at
    )


def not_held():
    return SlotReservationItem.pk.does_not_exist()


def hold_change(technician_id: str, order_id: str, hour: str, *, at: str) -> Change:
    """The technician's hour held for the order, if nobody holds it."""
    return Change(reservation(technician_id, order_id, hour, at=at), condition=not_held())


def reserve(technician_id: str, order_id: str, hours: list[str], *, at: str) -> None:
    """Hold every hour for the order, all or nothing; SlotTaken if any is held already."""
    ensure_bound()
    try:
        commit([hold_change(technician_id, order_id, hour, at=at) for hour in hours])
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise SlotTaken() from exc
        raise


def release(technician_id: str, order_id: str, hours: list[str]) -> int:
    """Free the hours this order holds (never another order's); returns how many were freed."""
    ensure_bound()
    freed = 0
    for hour in hours:
        item = SlotReservationItem(*_key(technician_id, hour))
        try:
            item.delete(condition=SlotReservationItem.order_id == order_id)
            freed += 1
        except DeleteError as exc:  # a missing hour, or one held by another order, is left alone
            if not condition_failed(exc):
                raise
    return freed


def release_for_order(order: Order) -> int:
    """A cancelled booking frees its technician's hours."""
    if not (order.technician_id and order.slot):
        return 0
    return release(order.technician_id, order.order_id, hour_blocks(order.slot.start, order.slot.end))


def held_hours(technician_id: str, first_hour: str, last_hour: str) -> dict[str, str]:
    """The technician's held hours in [first, last], hour → order id: one Query."""
    ensure_bound()
    items = SlotReservationItem.query(
        f"TECH#{technician_id}", SlotReservationItem.sk.between(f"{PREFIX}{first_hour}", f"{PREFIX}{last_hour}")
    )
    return {i.hour: i.order_id for i in items}
