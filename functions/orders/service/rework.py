"""Use case: a re-work under warranty (`POST /orders/{id}/rework`).

The original is claimed first with a conditional write (`reworked_by`, once), then the new order is stored and its
workflow started; if either fails, the claim is released and nothing half-written is left.
"""

from __future__ import annotations

from datetime import datetime

from addresses.service import address_book
from compounds.service import compound_records
from orders.domain import rework as rules
from orders.domain import rules as order_rules
from orders.domain.records import Order
from orders.domain.settings import order_settings
from orders.store import orders
from shared import ids, workflow
from shared.errors import ServiceUnavailable, ValidationFailed
from shared.observability import logger


def ask(original: Order, *, by: str, description: str, now: datetime) -> Order:
    settings = order_settings()
    rules.ensure_eligible(original, now, settings.rework_days)
    address = address_book.get_address(original.resident_id, original.address_id or "")
    compound = compound_records.get_compound(original.compound_id)
    if address is None or compound is None:
        raise ValidationFailed("原订单的地址已不在，请重新下单", "The original order's address is gone; place a new order.")
    order = order_rules.new_order(
        order_id=ids.new_id("ord"),
        order_code=ids.order_code(),
        resident_id=original.resident_id,
        placed_by=by,
        order_type=rules.rework_type(original),
        category=original.category,
        description=description,
        address=address,
        compound=compound,
        quote=rules.rework_quote(original),
        slot=None,
        place=None,
        now=now,
    ).model_copy(update={"rework_of": original.order_id})
    if not orders.claim_rework(original.order_id, order.order_id):
        raise rules.ReworkExists()
    try:
        orders.create(order, workflow.execution_arn_for(order.order_id))
    except Exception:
        orders.release_rework(original.order_id, order.order_id)
        raise
    try:
        workflow.start(order.order_id, order_rules.execution_input(order, settings))
    except Exception as exc:
        logger.exception("could not start the re-work's workflow", extra={"order_id": order.order_id})
        orders.delete(order.order_id)
        orders.release_rework(original.order_id, order.order_id)
        raise ServiceUnavailable() from exc
    return order
