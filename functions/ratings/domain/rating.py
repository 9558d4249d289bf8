"""A resident's rating of a completed order: who may give it and what it says."""

from __future__ import annotations

from pydantic import BaseModel

from orders.domain.records import Order
from shared.errors import Forbidden


class Rating(BaseModel):
    """A resident's rating of an order: one per order."""

    order_id: str
    stars: int
    comment: str = ""
    resident_id: str
    technician_id: str | None = None
    company_id: str | None = None
    created_at: str


def rating_of(order: Order, resident_id: str, stars: int, comment: str, *, at: str) -> Rating:
    """The rating `resident_id` gives `order`: only the order's own resident rates it. Whether it can be rated now
    (completed, not rated yet) is the store's condition, so two ratings at once record one."""
    if order.resident_id != resident_id:
        raise Forbidden("只能评价自己的订单", "You can only rate your own orders.")
    return Rating(
        order_id=order.order_id,
        stars=stars,
        comment=comment.strip(),
        resident_id=order.resident_id,
        technician_id=order.technician_id,
        company_id=order.company_id,
        created_at=at,
    )


def timeline_note(rating: Rating) -> str:
    """What the order's timeline says of the rating."""
    return f"{rating.stars}★"
