"""The resident rates a completed order: the rating is stored with the order's move to `rated`, then the workflow's
wait for it ends."""

from __future__ import annotations

from collections.abc import Callable

from orders.domain.steps import Step
from ratings.domain.rating import Rating, rating_of, timeline_note
from ratings.store.ports import RatingStore
from shared.errors import NotFound

# The workflow's wait for a step ends with this output (orders.service.waits.resume_step in AWS).
ResumeStep = Callable[[str, Step, dict], object]


def rate_order(
    store: RatingStore, resume: ResumeStep, *, resident_id: str, order_id: str, stars: int, comment: str, at: str
) -> Rating:
    order = store.order(order_id)
    if order is None:
        raise NotFound("订单不存在", "The order does not exist.")
    rating = rating_of(order, resident_id, stars, comment, at=at)
    store.record(rating, timeline_note(rating))
    resume(order_id, Step.RATING, {"stars": rating.stars})
    return rating
