"""What the rating use case needs from storage (the DynamoDB store and the in-memory fake both pass
tests/contract/test_rating_store.py)."""

from __future__ import annotations

from typing import Protocol

from orders.domain.records import Order
from ratings.domain.rating import Rating
from shared.errors import InvalidStatus


class NotRatable(InvalidStatus):
    """The order is rated already, or not completed."""

    message_zh = "该订单已评价或当前不能评价"
    message_en = "This order is already rated or cannot be rated now."


class RatingStore(Protocol):
    def order(self, order_id: str) -> Order | None: ...

    def rating(self, order_id: str) -> Rating | None: ...

    def record(self, rating: Rating, note: str) -> None:
        """Stores the rating and moves its order from `completed` to `rated` (with `note` on its timeline), both or
        neither; raises NotRatable when the order is not `completed` (rated already, or not done)."""
        ...
