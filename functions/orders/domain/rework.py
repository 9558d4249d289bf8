"""Re-work under warranty (pure): within `OrderSettings.rework_days` of completion, the resident (or her proxy) asks for
the same repair again; a new order linked to the first (`rework_of`), free, offered first to the same technician.

One re-work per order; a public-area report is reported again, not re-worked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from orders.domain.lifecycle import OrderStatus, OrderType
from orders.domain.records import Order, Quote
from shared.clock import parse
from shared.errors import Conflict, InvalidStatus, ValidationFailed

DONE = frozenset({OrderStatus.COMPLETED, OrderStatus.RATED, OrderStatus.CLOSED})


class ReworkWindowClosed(Conflict):
    code = "rework_window_closed"


class ReworkExists(Conflict):
    code = "rework_exists"
    message_zh = "这张订单已经申请过返修"
    message_en = "A re-work of this order was asked for already."


def ensure_eligible(original: Order, now: datetime, days: int) -> None:
    if original.order_type == OrderType.PUBLIC_AREA:
        raise ValidationFailed("公区报事请重新报事，不走返修", "A public-area report is reported again, not re-worked.")
    if original.status not in DONE or not original.completed_at:
        raise InvalidStatus("维修完成后才能申请返修", "Re-work is for a finished repair.")
    if original.reworked_by:
        raise ReworkExists()
    if now - parse(original.completed_at) > timedelta(days=days):
        raise ReworkWindowClosed(
            f"完工已超过 {days} 天，不在保修期内，请重新下单",
            f"More than {days} days since the repair: no longer under warranty; place a new order.",
        )


def rework_quote(original: Order) -> Quote:
    """Free: the company owes the repair. The original's items and market value are kept, so that work beyond them
    still needs the resident's consent (it costs her nothing)."""
    return original.quote.model_copy(
        update={
            "low": 0,
            "high": 0,
            "cap": 0,
            "free_service": True,
            "note_zh": f"保修返修（原订单 {original.order_id}），免费",
            "note_en": f"Re-work under warranty (order {original.order_id}): free.",
        }
    )


def rework_type(original: Order) -> str:
    """A repair that did not hold is fixed now: matched at once, like an emergency (a booking's slot has passed)."""
    return OrderType.EMERGENCY
