"""Statistics over a set of orders (pure). Definitions in docs/supervision.md."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import datetime

from pydantic import BaseModel, Field

from orders.domain.records import Order
from shared.clock import beijing_day
from supervision.domain.credit import FINISHED, first_at


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


class DayCount(BaseModel):
    day: str = Field(description="Beijing date")
    by_type: dict[str, int]


class Bucket(BaseModel):
    up_to_minutes: float | None = Field(description="upper bound (inclusive); None: longer than the last bound")
    count: int


class CompanyFigures(BaseModel):
    company_id: str
    orders: int
    ratings: int
    average_rating: float | None
    median_acceptance_minutes: float | None


# Time to acceptance in minutes, for the histogram: the emergency response deadline is 15.
ACCEPTANCE_BOUNDS = (2, 5, 10, 15, 30, 60, 120)


class OrderStats(BaseModel):
    orders: int
    by_type: dict[str, int]
    by_status: dict[str, int]
    time_to_acceptance: Durations
    time_to_arrival: Durations
    completion_rate: float | None  # finished / (finished + cancelled), orders still open left out
    average_rating: float | None
    ratings: int
    complaints: int  # orders with a dispute: of the bill or a complaint about the service
    complaints_upheld: int
    reworks: int = Field(description="re-works under warranty asked for in the period (orders with `rework_of`)")
    me_too: int
    by_day: list[DayCount] = Field(description="orders created each Beijing day (days without orders left out)")
    acceptance_histogram: list[Bucket]
    by_company: list[CompanyFigures] = Field(description="the orders handled by each company (its id)")


def _durations(values: list[float]) -> Durations:
    return Durations(count=len(values), median_minutes=percentile(values, 50), p90_minutes=percentile(values, 90))


def _histogram(minutes: list[float]) -> list[Bucket]:
    counts = [0] * (len(ACCEPTANCE_BOUNDS) + 1)
    for m in minutes:
        counts[next((i for i, bound in enumerate(ACCEPTANCE_BOUNDS) if m <= bound), len(ACCEPTANCE_BOUNDS))] += 1
    return [Bucket(up_to_minutes=b, count=c) for b, c in zip((*ACCEPTANCE_BOUNDS, None), counts, strict=True)]


def _by_day(orders: list[Order]) -> list[DayCount]:
    days: dict[str, Counter[str]] = defaultdict(Counter)
    for o in orders:
        days[beijing_day(o.created_at)][o.order_type] += 1
    return [DayCount(day=d, by_type=dict(sorted(days[d].items()))) for d in sorted(days)]


def _by_company(orders: list[Order], acceptance: dict[str, float]) -> list[CompanyFigures]:
    grouped: dict[str, list[Order]] = defaultdict(list)
    for o in orders:
        if o.company_id:
            grouped[o.company_id].append(o)
    found = []
    for company_id in sorted(grouped):
        mine = grouped[company_id]
        stars = [o.rating_stars for o in mine if o.rating_stars is not None]
        found.append(
            CompanyFigures(
                company_id=company_id,
                orders=len(mine),
                ratings=len(stars),
                average_rating=round(sum(stars) / len(stars), 2) if stars else None,
                median_acceptance_minutes=percentile([acceptance[o.order_id] for o in mine if o.order_id in acceptance], 50),
            )
        )
    return found


def order_stats(orders: list[Order]) -> OrderStats:
    accepted: dict[str, float] = {}
    arrival = []
    for o in orders:
        assigned = first_at(o, "assigned")
        if assigned:
            accepted[o.order_id] = _minutes(o.created_at, assigned)
        on_site = first_at(o, "on_site")
        if on_site:
            arrival.append(_minutes(o.created_at, on_site))
    finished = sum(1 for o in orders if o.status in FINISHED)
    ended = finished + sum(1 for o in orders if o.status == "cancelled")
    stars = [o.rating_stars for o in orders if o.rating_stars is not None]
    disputes = [o.dispute for o in orders if o.dispute]
    acceptance = list(accepted.values())
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
        reworks=sum(1 for o in orders if o.rework_of),
        me_too=sum(o.me_too_count for o in orders),
        by_day=_by_day(orders),
        acceptance_histogram=_histogram(acceptance),
        by_company=_by_company(orders, accepted),
    )
