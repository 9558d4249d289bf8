"""Ratings on the single table: one item per order (`ORDER#<id>` / `RATING`), written in one transaction with the
order's move to `rated`."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from orders.domain.records import Order
from ratings.domain.rating import Rating
from ratings.store.ports import NotRatable
from shared.dal import orders
from shared.dal.base import condition_failed, ensure_bound, transaction
from shared.dal.tables import OrderItem, item_of
from shared.lifecycle import OrderStatus

RatingItem = item_of(Rating, "RatingItem")


def _key(order_id: str) -> tuple[str, str]:
    return f"ORDER#{order_id}", "RATING"


class DynamoRatingStore:
    def order(self, order_id: str) -> Order | None:
        return orders.get(order_id)

    def rating(self, order_id: str) -> Rating | None:
        ensure_bound()
        try:
            item = RatingItem.get(*_key(order_id), consistent_read=True)
        except RatingItem.DoesNotExist:
            return None
        return Rating(**{k: getattr(item, k) for k in Rating.model_fields} | {"stars": int(item.stars)})

    def record(self, rating: Rating, note: str) -> None:
        ensure_bound()
        item = RatingItem(*_key(rating.order_id), **rating.model_dump())
        try:
            with transaction() as tx:
                tx.save(item, condition=RatingItem.pk.does_not_exist())
                tx.update(
                    OrderItem(*orders.order_key(rating.order_id)),
                    actions=orders.status_actions(OrderStatus.RATED, rating.resident_id, rating.created_at, note)
                    + [OrderItem.rating_stars.set(rating.stars)],
                    condition=OrderItem.status == OrderStatus.COMPLETED,
                )
        except TransactWriteError as exc:
            if condition_failed(exc):
                raise NotRatable() from exc
            raise
