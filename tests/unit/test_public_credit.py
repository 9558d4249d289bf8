"""The public credit record (pure): the score's parts add up to it, the last 90 days, the formula in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.clock import iso
from supervision.domain import credit as formula
from supervision.domain.public_credit import public_company, published_formula, recent
from supervision.domain.records import Company
from supervision.store.credit import CreditEvent

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
P = formula.CreditParams()


def _event(order: str, kind: str, value: float, days_ago: float) -> CreditEvent:
    return CreditEvent(
        event_id=f"{order}:{kind}",
        company_id="co",
        order_id=order,
        kind=kind,
        value=value,
        at=iso(NOW - timedelta(days=days_ago)),
    )


EVENTS = [
    _event("o1", "rating", 5, 1),
    _event("o1", "response_deadline", 1, 1),
    _event("o2", "rating", 4, 89.9),
    _event("o2", "arrival_deadline", 0, 89.9),
    _event("o3", "complaint_upheld", 1, 30),
    _event("o3", "response_deadline", 1, 30),
    _event("o4", "rating", 1, 90.1),  # just outside the window
    _event("o4", "dispute_lost", 1, 90.1),
    _event("o5", "ack_deadline_missed", 0, 2),  # a missed deadline, not an order served
    _event("o6", "rework", 1, 3),  # re-work counts in the score, but is not an upheld complaint
]


def test_the_parts_add_up_to_the_score():
    breakdown = formula.score(EVENTS, P)
    shown = public_company(Company(company_id="co", name="通苑", credit_score=breakdown.score), EVENTS, P, NOW)
    parts = shown.parts
    assert abs(parts.rating.points + parts.deadlines.points + parts.complaints.points - breakdown.score) <= 0.2
    assert (parts.rating.count, parts.deadlines.count, parts.complaints.count) == (3, 4, 3)
    assert parts.complaints.points < 0 < parts.rating.points
    assert parts.rating.weight == P.weight_rating and parts.rating.value == round(breakdown.bayesian_rating, 2)


def test_the_last_90_days_count_orders_served_their_ratings_and_upheld_complaints_only():
    last = recent(EVENTS, NOW)
    assert (last.days, last.orders_served, last.ratings, last.average_rating, last.upheld_complaints) == (90, 3, 2, 4.5, 1)
    assert recent([], NOW).average_rating is None


def test_the_formula_is_published_with_the_parameters_in_force():
    published = published_formula(formula.CreditParams(prior_stars=3.5, weight_rating=0.7))
    assert "先验 3.5 星" in published.text_zh and "prior 3.5 stars" in published.text_en
    assert published.parameters["weight_rating"] == 0.7 and set(published.parameters) >= {"weight_deadlines", "weight_complaints"}
