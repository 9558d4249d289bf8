"""The rating store's contract, run against the in-memory fake and the DynamoDB store (moto's table, through the
session sandbox): a rating is stored with its order's move to `rated` or not at all, and an order is rated once."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from ratings.domain.rating import rating_of
from ratings.store.ports import NotRatable
from tests.contract.order_stores import store_with_orders
from tests.unit.matching_fixtures import order as an_order

_numbers = itertools.count(int(time.time()) % 10_000_000)
AT = "2026-12-04T08:00:00.000Z"


def _order(status: str):
    return an_order(order_id=f"ordrate{next(_numbers)}", status=status, resident_id="res_rater", technician_id="tec_1")


@pytest.fixture(params=["memory", "dynamodb"])
def store_with(request):
    """A function that stores the given orders and answers the store to use with them."""

    def memory():
        from ratings.store.memory import MemoryRatingStore

        return MemoryRatingStore()

    def real():
        from ratings.service.wiring import store

        return store()

    return store_with_orders(request, memory, real)


def test_a_rating_is_stored_with_its_order_moving_to_rated(store_with):
    order = _order("completed")
    store = store_with(order)
    rating = rating_of(order, "res_rater", 4, "  师傅很细心 ", at=AT)
    store.record(rating, "4★")
    assert store.rating(order.order_id) == rating and rating.comment == "师傅很细心"
    rated = store.order(order.order_id)
    assert (rated.status, rated.rating_stars) == ("rated", 4)
    assert (rated.timeline[-1].status, rated.timeline[-1].note, rated.timeline[-1].actor) == ("rated", "4★", "res_rater")


@pytest.mark.parametrize("status", ["matching", "in_progress", "cancelled"])
def test_an_order_not_completed_is_not_rated_and_nothing_is_written(store_with, status):
    order = _order(status)
    store = store_with(order)
    with pytest.raises(NotRatable):
        store.record(rating_of(order, "res_rater", 5, "", at=AT), "5★")
    assert store.rating(order.order_id) is None
    assert store.order(order.order_id).status == status


def test_two_ratings_at_once_record_one(store_with):
    order = _order("completed")
    store = store_with(order)
    outcomes: list[str] = []

    def rate(stars: int) -> None:
        try:
            store.record(rating_of(order, "res_rater", stars, "", at=AT), f"{stars}★")
            outcomes.append(f"rated {stars}")
        except NotRatable:
            outcomes.append("refused")

    threads = [threading.Thread(target=rate, args=(stars,)) for stars in (5, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("refused") == 1
    winner = next(int(o.split()[1]) for o in outcomes if o.startswith("rated"))
    assert store.rating(order.order_id).stars == winner == store.order(order.order_id).rating_stars
