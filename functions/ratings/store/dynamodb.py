"""Ratings on the single table: one item per order (`ORDER#<id>` / `RATING`), written in one transaction with the
order's move to `rated` (a change the orders domain builds: the store is given how)."""

from __future__ import annotations

from collections.abc import Callable

from pynamodb.exceptions import TransactWriteError

from orders.domain.records import Order
from ratings.domain.rating import Rating
from ratings.store.ports import NotRatable
from shared.dal.base import Change, commit, condition_failed, ensure_bound
from shared.dal.tables import item_of

RatingItem = item_of(Rating, "RatingItem")

# The order completed → rated with these stars (orders.service.changes.rated_change).
OrderRated = Callable[..., Change]


def _key(order_id: str) -> tuple[str, str]:
    return f"ORDER#{order_id}", "RATING"


class DynamoRatingStore:
    def __init__(self, read_order: Callable[[str], Order | None], order_rated: OrderRated) -> None:
        self._read_order = read_order
        self._order_rated = order_rated

    def order(self, order_id: str) -> Order | None:
        return self._read_order(order_id)

    def rating(self, order_id: str) -> Rating | None:
        ensure_bound()
        try:
            item = RatingItem.get(*_key(order_id), consistent_read=True)
        except RatingItem.DoesNotExist:
            return None
        return Rating(**{k: getattr(item, k) for k in Rating.model_fields} | {"stars": int(item.stars)})

    def record(self, rating: Rating, note: str) -> None:
        ensure_bound()
        stored = Change(RatingItem(*_key(rating.order_id), **rating.model_dump()), condition=RatingItem.pk.does_not_exist())
        rated = self._order_rated(rating.order_id, rating.resident_id, rating.stars, at=rating.created_at, note=note)
        try:
            commit([stored, rated])
        except TransactWriteError as exc:
            if condition_failed(exc):
                raise NotRatable() from exc
            raise
