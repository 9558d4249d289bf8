"""When an escalated order is alerted a second time (pure: no AWS, no I/O).

An order is escalated when the workflow writes the status `escalated` (with a timeline entry at that instant).
If it is still escalated `after_seconds` later (nobody dispatched it, nobody cancelled it), the company's
dispatchers and the supervisors are alerted again, once per escalation: an order escalated a second time (after a
dispatch that came to nothing) is a new escalation with its own second alert.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from orders.domain.lifecycle import OrderStatus
from orders.domain.records import Order
from shared.clock import parse
from shared.events import DomainEvent, EventType, OrderSnapshot


def escalated_at(order: Order) -> str | None:
    """When the order's current escalation began: its latest `escalated` timeline entry."""
    if order.status != OrderStatus.ESCALATED:
        return None
    return next((entry.at for entry in reversed(order.timeline) if entry.status == OrderStatus.ESCALATED), order.updated_at)


def due(order: Order, now: datetime, after_seconds: int) -> bool:
    """Still escalated, `after_seconds` or more after its escalation."""
    began = escalated_at(order)
    return began is not None and parse(began) + timedelta(seconds=after_seconds) <= now


def realert_event(order: Order, *, escalated: str, at: str, company_id: str | None) -> DomainEvent:
    """The second alert's event; its id is stable per order and escalation, so a rerun publishes nothing new."""
    compact = "".join(c for c in escalated if c.isalnum())
    return DomainEvent(
        event_id=f"evt_realert_{order.order_id}_{compact}",
        type=EventType.ORDER_ESCALATION_UNANSWERED,
        occurred_at=at,
        company_id=company_id,
        order=OrderSnapshot.of(order.model_dump()),
        escalated_at=escalated,
    )
