"""The order's changes that other domains' transactions carry (published by orders.service.changes): each an update
of the order item under the condition that makes it right, for the other domain's use case to commit with its own."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from matching.domain.records import MatchReason
from orders.domain.lifecycle import OrderStatus
from orders.domain.records import Order
from orders.store.orders import (
    OrderItem,
    applied_last,
    assignment_actions,
    exclude_technician_action,
    get,
    order_key,
    status_actions,
    status_condition,
)
from shared.dal.base import Change, condition_failed, ensure_bound


def _in_round(round_id: str):
    """The order is being offered in this round (no accept, decline or new round came between)."""
    return (OrderItem.status == OrderStatus.OFFERED) & (OrderItem.current_offer_id == round_id)


def offered_change(order_id: str, round_id: str, technician_ids: list[str], reason: MatchReason | None, *, at: str) -> Change:
    """Matching → offered in a new round of offers to these technicians (each open: `offers_open`)."""
    actions = status_actions(OrderStatus.OFFERED, "workflow", at, ",".join(technician_ids)) + [
        OrderItem.current_offer_id.set(round_id),
        OrderItem.offers_open.set(len(technician_ids)),
    ]
    if reason is not None:
        actions += [
            OrderItem.match_round.set(reason.round),
            OrderItem.search_radius_m.set(reason.radius_m),
            OrderItem.match_reason.set(reason.model_dump()),
        ]
    return Change(OrderItem(*order_key(order_id)), actions, status_condition([OrderStatus.MATCHING]))


def accepted_change(
    order: Order, round_id: str, technician_id: str, company_id: str, reason: MatchReason | None, *, at: str
) -> Change:
    """Offered in this round → assigned to the technician who accepted (his company), the round closed."""
    actions = (
        status_actions(OrderStatus.ASSIGNED, technician_id, at)
        + assignment_actions(order, technician_id, company_id)
        + [OrderItem.offers_open.set(0)]
        + ([OrderItem.match_reason.set(reason.model_dump())] if reason else [])
    )
    return Change(OrderItem(*order_key(order.order_id)), actions, _in_round(round_id))


def refused_change(order_id: str, round_id: str, technician_id: str) -> Change:
    """One offer of this round declined or expired: one fewer open, and the technician is never asked again."""
    actions = [OrderItem.offers_open.add(-1), exclude_technician_action(technician_id)]
    return Change(OrderItem(*order_key(order_id)), actions, _in_round(round_id))


def rated_change(order_id: str, resident_id: str, stars: int, *, at: str, note: str) -> Change:
    """Completed → rated with these stars."""
    actions = status_actions(OrderStatus.RATED, resident_id, at, note) + [OrderItem.rating_stars.set(stars)]
    return Change(OrderItem(*order_key(order_id)), actions, OrderItem.status == OrderStatus.COMPLETED)


def round_ended(order_id: str, round_id: str, *, actor: str, at: str, note: str) -> bool:
    """Offered → matching once no offer of the round is open; True for the one caller that did it (a lost answer to
    our own write is told from another caller's by the timeline)."""
    ensure_bound()
    try:
        OrderItem(*order_key(order_id)).update(
            actions=status_actions(OrderStatus.MATCHING, actor, at, note),
            condition=_in_round(round_id) & (OrderItem.offers_open <= 0),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        order = get(order_id)
        return order is not None and applied_last(order, OrderStatus.MATCHING, actor=actor, at=at, note=note)
    return True
