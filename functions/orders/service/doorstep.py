"""Use case: the resident's door-step check of the technician (`POST /orders/{id}/doorstep`)."""

from __future__ import annotations

from orders.domain import doorstep as rules
from orders.domain.records import Doorstep, Order
from orders.store.doorstep import DoorstepStore, DynamoDoorstepStore
from shared.errors import Conflict, InvalidStatus


class OrderPaused(Conflict):
    code = "order_paused"
    message_zh = "居民核对订单码时发现对不上，订单已暂停；请联系贵公司调度或监管人员"
    message_en = "The resident's door-step check did not match: the order is paused. Contact your dispatcher or a supervisor."


def ensure_not_paused(order: Order) -> None:
    """The technician may not go on with a paused order (progress, bill)."""
    if order.paused_reason:
        raise OrderPaused()


def check(order: Order, *, by: str, match: bool, at: str, store: DoorstepStore | None = None) -> Order:
    """Record what the resident saw at the door; a mismatch pauses the order (the event tells the company and the
    supervisors), a match lifts a pause."""
    if order.status not in rules.CHECKED_WHILE:
        raise InvalidStatus(
            "师傅出发后才能核对订单码", "The door-step check is for when the technician is on the way or at the door."
        )
    record = Doorstep(result=rules.result_of(match), at=at, by=by)
    store = store or DynamoDoorstepStore()
    updated = store.record(order, record, rules.paused_reason_after(match), rules.timeline_note(match, by, order.resident_id))
    if updated is None:
        raise InvalidStatus("订单状态已变化，请刷新后再核对", "The order has moved on; refresh and check again.")
    return updated
