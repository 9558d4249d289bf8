"""The rating use case on the in-memory store: who may rate, what is stored, and when the workflow hears of it."""

from __future__ import annotations

import pytest

from orders.domain.steps import Step
from ratings.service.rate import rate_order
from ratings.store.memory import MemoryRatingStore
from ratings.store.ports import NotRatable
from shared.errors import Forbidden, NotFound
from tests.unit.matching_fixtures import order as an_order

AT = "2026-12-04T08:00:00.000Z"


@pytest.fixture
def resumed():
    return []


def _rate(store, resumed, **given):
    arguments = dict(resident_id="res_wang", order_id="ord_1", stars=5, comment="", at=AT) | given
    return rate_order(store, lambda *call: resumed.append(call), **arguments)


def test_the_resident_rates_her_completed_order_and_the_workflow_resumes_with_the_stars(resumed):
    store = MemoryRatingStore([an_order(status="completed", resident_id="res_wang", technician_id="tec_li", company_id="co")])
    rating = _rate(store, resumed, stars=4, comment=" 很好 ")
    assert (rating.stars, rating.comment, rating.technician_id, rating.company_id) == (4, "很好", "tec_li", "co")
    assert store.order("ord_1").status == "rated" and store.order("ord_1").timeline[-1].note == "4★"
    assert resumed == [("ord_1", Step.RATING, {"stars": 4})]


def test_another_resident_may_not_rate_it(resumed):
    store = MemoryRatingStore([an_order(status="completed", resident_id="res_wang")])
    with pytest.raises(Forbidden):
        _rate(store, resumed, resident_id="res_lili")
    assert store.rating("ord_1") is None and resumed == []


def test_an_unknown_order_is_not_found(resumed):
    with pytest.raises(NotFound):
        _rate(MemoryRatingStore(), resumed)


def test_a_second_rating_is_refused_and_the_workflow_hears_only_the_first(resumed):
    store = MemoryRatingStore([an_order(status="completed", resident_id="res_wang")])
    _rate(store, resumed, stars=5)
    with pytest.raises(NotRatable) as refused:
        _rate(store, resumed, stars=1)
    assert refused.value.code == "invalid_status" and refused.value.status == 409
    assert store.rating("ord_1").stars == 5 and len(resumed) == 1
