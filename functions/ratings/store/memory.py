"""The rating store in memory, for the use case's tests: the same contract as the DynamoDB store
(tests/contract/test_rating_store.py), one lock standing in for the transaction."""

from __future__ import annotations

import threading

from orders.domain.lifecycle import OrderStatus
from orders.domain.records import Order, TimelineEntry
from ratings.domain.rating import Rating
from ratings.store.ports import NotRatable


class MemoryRatingStore:
    def __init__(self, orders: list[Order] | None = None) -> None:
        self.orders = {order.order_id: order for order in orders or []}
        self.ratings: dict[str, Rating] = {}
        self._lock = threading.Lock()

    def order(self, order_id: str) -> Order | None:
        return self.orders.get(order_id)

    def rating(self, order_id: str) -> Rating | None:
        return self.ratings.get(order_id)

    def record(self, rating: Rating, note: str) -> None:
        with self._lock:
            order = self.orders.get(rating.order_id)
            if order is None or order.status != OrderStatus.COMPLETED or rating.order_id in self.ratings:
                raise NotRatable()
            entry = TimelineEntry(status=OrderStatus.RATED, at=rating.created_at, actor=rating.resident_id, note=note)
            self.orders[order.order_id] = order.model_copy(
                update={"status": OrderStatus.RATED, "rating_stars": rating.stars, "timeline": [*order.timeline, entry]}
            )
            self.ratings[rating.order_id] = rating
