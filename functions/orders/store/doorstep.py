"""The door-step check on the order item: one conditional write (the status must still be en route or on site).

`DoorstepStore` is the port; `DynamoDoorstepStore` writes the order item (its `doorstep` record, `paused_reason`, a
timeline entry, `version + 1`); `MemoryDoorstepStore` is the in-memory fake with the same answers
(tests/integration/test_doorstep_store.py runs both).
"""

from __future__ import annotations

from typing import Protocol

from pynamodb.exceptions import UpdateError

from orders.domain.doorstep import CHECKED_WHILE
from orders.domain.records import Doorstep, Order, TimelineEntry
from orders.store import orders
from orders.store.orders import OrderItem, TimelineMap
from shared.dal.base import condition_failed, ensure_bound


class DoorstepStore(Protocol):
    def record(self, order: Order, check: Doorstep, paused_reason: str | None, note: str) -> Order | None:
        """The order after the check, or None if its status moved on since it was read (nothing written)."""
        ...


class DynamoDoorstepStore:
    def record(self, order: Order, check: Doorstep, paused_reason: str | None, note: str) -> Order | None:
        ensure_bound()
        entry = TimelineMap(status=order.status, at=check.at, actor=check.by, note=note)
        actions = [
            OrderItem.doorstep.set(check.model_dump()),
            OrderItem.updated_at.set(check.at),
            OrderItem.timeline.set((OrderItem.timeline | []).append([entry])),
            OrderItem.version.add(1),
            OrderItem.paused_reason.set(paused_reason) if paused_reason else OrderItem.paused_reason.remove(),
        ]
        try:
            OrderItem(*orders.order_key(order.order_id)).update(
                actions=actions, condition=OrderItem.status.is_in(*CHECKED_WHILE) & (OrderItem.status == order.status)
            )
        except UpdateError as exc:
            if condition_failed(exc):
                return None
            raise
        return orders.get(order.order_id)


class MemoryDoorstepStore:
    def __init__(self, *known: Order) -> None:
        self.orders = {o.order_id: o for o in known}

    def record(self, order: Order, check: Doorstep, paused_reason: str | None, note: str) -> Order | None:
        stored = self.orders.get(order.order_id)
        if stored is None or stored.status not in CHECKED_WHILE or stored.status != order.status:
            return None
        order = stored
        entry = TimelineEntry(status=order.status, at=check.at, actor=check.by, note=note)
        updated = order.model_copy(
            update={
                "doorstep": check,
                "paused_reason": paused_reason,
                "updated_at": check.at,
                "timeline": [*order.timeline, entry],
                "version": order.version + 1,
            }
        )
        self.orders[order.order_id] = updated
        return updated
