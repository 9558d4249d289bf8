"""Ratings: one per order, written together with the order's move to `rated`."""

from __future__ import annotations

from pydantic import BaseModel
from pynamodb.exceptions import TransactWriteError

from shared.dal import orders
from shared.dal.base import condition_failed, ensure_bound, transaction
from shared.dal.tables import OrderItem, item_of
from shared.errors import InvalidStatus
from shared.lifecycle import OrderStatus
from shared.records import Order


class Rating(BaseModel):
    """A resident's rating of an order: one per order."""

    order_id: str
    stars: int
    comment: str = ""
    resident_id: str
    technician_id: str | None = None
    company_id: str | None = None
    created_at: str


RatingItem = item_of(Rating, "RatingItem")


def get(order_id: str) -> Rating | None:
    ensure_bound()
    try:
        item = RatingItem.get(f"ORDER#{order_id}", "RATING", consistent_read=True)
    except RatingItem.DoesNotExist:
        return None
    return Rating(**{k: getattr(item, k) for k in Rating.model_fields} | {"stars": int(item.stars)})


def record(order: Order, stars: int, comment: str, *, at: str) -> None:
    ensure_bound()
    rating = RatingItem(
        f"ORDER#{order.order_id}",
        "RATING",
        order_id=order.order_id,
        stars=stars,
        comment=comment,
        resident_id=order.resident_id,
        technician_id=order.technician_id,
        company_id=order.company_id,
        created_at=at,
    )
    try:
        with transaction() as tx:
            tx.save(rating, condition=RatingItem.pk.does_not_exist())
            tx.update(
                OrderItem(*orders.order_key(order.order_id)),
                actions=orders.status_actions(OrderStatus.RATED, order.resident_id, at, f"{stars}★")
                + [OrderItem.rating_stars.set(stars)],
                condition=OrderItem.status == OrderStatus.COMPLETED,
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise InvalidStatus("该订单已评价或当前不能评价", "This order is already rated or cannot be rated now.") from exc
        raise
