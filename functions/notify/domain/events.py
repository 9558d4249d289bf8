"""Which domain events a change of an order or an offer is (pure: stream images in, events out)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from shared.events import DomainEvent, EventType, OrderSnapshot

# An order entering one of these statuses is an event; other statuses (e.g. matching) are internal steps.
ORDER_EVENTS = {
    "submitted": EventType.ORDER_SUBMITTED,
    "offered": EventType.ORDER_OFFERED,
    "assigned": EventType.ORDER_ASSIGNED,
    "en_route": EventType.ORDER_EN_ROUTE,
    "on_site": EventType.ORDER_ON_SITE,
    "awaiting_approval": EventType.ORDER_APPROVAL_NEEDED,
    "completed": EventType.ORDER_COMPLETED,
    "rated": EventType.ORDER_RATED,
    "closed": EventType.ORDER_CLOSED,
    "cancelled": EventType.ORDER_CANCELLED,
    "escalated": EventType.ORDER_ESCALATED,
}
OFFER_CLOSED_EVENTS = {"withdrawn": EventType.OFFER_WITHDRAWN, "expired": EventType.OFFER_EXPIRED}


def snapshot(order: Mapping[str, Any]) -> OrderSnapshot:
    return OrderSnapshot.of(order)


def _json_field(image: Mapping[str, Any] | None, name: str) -> Mapping[str, Any] | None:
    raw = (image or {}).get(name)
    if isinstance(raw, str):  # a JSON attribute is a string in the stream image
        raw = json.loads(raw)
    return raw if isinstance(raw, Mapping) else None


def _dispute_status(image: Mapping[str, Any] | None) -> str | None:
    dispute = _json_field(image, "dispute")
    return dispute.get("status") if dispute else None


def _new_mismatch(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    """A door-step check that did not match, written by this change (not one seen before)."""
    check = _json_field(new, "doorstep")
    return bool(check and check.get("result") == "mismatch" and check != _json_field(old, "doorstep"))


def _order_event(kind: EventType, new: Mapping[str, Any], previous: str | None) -> DomainEvent:
    """The event of a change of the order, its id stable per order version."""
    return DomainEvent(
        event_id=f"evt_{new['order_id']}_v{int(new.get('version', 0))}",
        type=kind,
        occurred_at=str(new.get("updated_at") or new.get("created_at")),
        company_id=new.get("company_id"),
        order=snapshot(new),
        previous_status=previous,
    )


def order_events(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[DomainEvent]:
    status = new.get("status")
    previous = old.get("status") if old else None
    if old is None and status != "submitted":
        return []  # an order written in a later status is imported history (demo data), not a change
    if old is not None and _dispute_status(new) == "resolved" and _dispute_status(old) != "resolved":
        return [_order_event(EventType.ORDER_DISPUTE_RESOLVED, new, previous)]
    if old is not None and _new_mismatch(old, new):
        return [_order_event(EventType.ORDER_DOORSTEP_MISMATCH, new, previous)]
    if status == previous or status not in ORDER_EVENTS:
        return []
    return [_order_event(ORDER_EVENTS[status], new, previous)]


def offer_events(
    old: Mapping[str, Any] | None, new: Mapping[str, Any], *, order: OrderSnapshot, technician_company_id: str | None
) -> list[DomainEvent]:
    """A new offer, or an open offer withdrawn or expired (accept and decline show as order events)."""
    status, previous = new.get("status"), (old or {}).get("status")
    if old is None:
        kind, at = EventType.OFFER_CREATED, new.get("created_at")
    elif previous == "open" and status in OFFER_CLOSED_EVENTS:
        kind, at = OFFER_CLOSED_EVENTS[status], new.get("answered_at")
    else:
        return []
    return [
        DomainEvent(
            event_id=f"evt_{new['offer_id']}_{kind.value.split('.')[1]}",
            type=kind,
            occurred_at=str(at or new.get("created_at")),
            company_id=order.company_id or technician_company_id,
            order=order,
            offer_id=new["offer_id"],
            offer_technician_id=new["technician_id"],
            offer_expires_at=new.get("expires_at"),
        )
    ]
