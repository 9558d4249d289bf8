"""Statistics over a set of orders (pure). Definitions in docs/supervision.md."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime

from pydantic import BaseModel

from shared.records import Order
from supervision.logic.credit import FINISHED, first_at


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank percentile (p in 0..100): the smallest value with at least p% of values ≤ it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _minutes(start: str, end: str) -> float:
    def parse(value: str) -> datetime:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))

    return round((parse(end) - parse(start)).total_seconds() / 60, 1)


class Durations(BaseModel):
    count: int
    median_minutes: float | None
    p90_minutes: float | None


class OrderStats(BaseModel):
    orders: int
    by_type: dict[str, int]
    by_status: dict[str, int]
    time_to_acceptance: Durations
    time_to_arrival: Durations
    completion_rate: float | None  # finished / (finished + cancelled), orders still open left out
    average_rating: float | None
    ratings: int
    complaints: int  # orders with a bill dispute
    complaints_upheld: int
    me_too: int


def _durations(values: list[float]) -> Durations:
    return Durations(count=len(values), median_minutes=percentile(values, 50), p90_minutes=percentile(values, 90))


def order_stats(orders: list[Order]) -> OrderStats:
    acceptance, arrival = [], []
    for o in orders:
        assigned = first_at(o, "assigned")
        if assigned:
            acceptance.append(_minutes(o.created_at, assigned))
        on_site = first_at(o, "on_site")
        if on_site:
            arrival.append(_minutes(o.created_at, on_site))
    finished = sum(1 for o in orders if o.status in FINISHED)
    ended = finished + sum(1 for o in orders if o.status == "cancelled")
    stars = [o.rating_stars for o in orders if o.rating_stars is not None]
    disputes = [o.dispute for o in orders if o.dispute]
    return OrderStats(
        orders=len(orders),
        by_type=dict(sorted(Counter(o.order_type for o in orders).items())),
        by_status=dict(sorted(Counter(o.status for o in orders).items())),
        time_to_acceptance=_durations(acceptance),
        time_to_arrival=_durations(arrival),
        completion_rate=round(finished / ended, 4) if ended else None,
        average_rating=round(sum(stars) / len(stars), 2) if stars else None,
        ratings=len(stars),
        complaints=len(disputes),
        complaints_upheld=sum(1 for d in disputes if d.outcome == "upheld"),
        me_too=sum(o.me_too_count for o in orders),
    )
