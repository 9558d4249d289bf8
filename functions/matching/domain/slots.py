"""Booking slots: the grid offered to residents, the day of service, and which slots are free.

The technician-hours a booking holds are `matching.domain.booking_hours.hour_blocks` (one reservation item per hour).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from matching.domain.booking_hours import BEIJING, hour_blocks, parse
from orders.domain.lifecycle import OrderType
from orders.domain.records import Order, Slot
from shared.clock import iso


def service_date(order: Order, now: datetime) -> date:
    """The day the work is done (Beijing time): the slot's day for a booking, today otherwise."""
    moment = parse(order.slot.start) if order.order_type == OrderType.BOOKING and order.slot else now
    return moment.astimezone(BEIJING).date()


def slot_grid(now: datetime, *, days: int, slot_hours: int, day_start: int, day_end: int) -> list[Slot]:
    """Slots of `slot_hours` within working hours (Beijing time) over the next `days` days, all in the future."""
    local = now.astimezone(BEIJING)
    slots = []
    for d in range(days + 1):
        day = (local + timedelta(days=d)).replace(hour=0, minute=0, second=0, microsecond=0)
        for hour in range(day_start, day_end - slot_hours + 1, slot_hours):
            start = day.replace(hour=hour)
            if start <= local or start > local + timedelta(days=days):
                continue
            slots.append(Slot(start=iso(start), end=iso(start + timedelta(hours=slot_hours))))
    return slots


def free_counts(grid: list[Slot], held: dict[str, set[str]], qualified_on: Callable[[str, date], bool]) -> list[int]:
    """For each slot, how many of the technicians (`held`: technician → hours already booked) are
    qualified on the slot's day and hold none of its hours."""
    counts = []
    for slot in grid:
        hours, day = set(hour_blocks(slot.start, slot.end)), parse(slot.start).astimezone(BEIJING).date()
        counts.append(sum(1 for tech, busy in held.items() if qualified_on(tech, day) and not hours & busy))
    return counts
