"""The credit record (pure): which credit events a finished order produces, and the score formula.

Score (0–100), documented with a worked example in docs/supervision.md:

    R = (C_r·m + Σ stars) / (C_r + n_ratings)              Bayesian average of ratings (prior m stars, weight C_r)
    D = (C_d·d₀ + deadlines met) / (C_d + deadline checks)  smoothed share of deadlines met (prior d₀, weight C_d)
    Q = complaints / (orders + C_q)                         complaints = lost disputes + upheld complaints + re-work
    score = 100 · clamp(w_r·(R − 1)/4 + w_d·D − w_q·Q, 0, 1), rounded to 0.1

With few orders the prior dominates, so three five-star orders do not outrank three hundred good ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel

from orders.domain.records import Order
from shared.clock import beijing_day
from supervision.domain.settings import SupervisionSettings
from supervision.store.credit import CreditEvent

RATING = "rating"
RESPONSE = "response_deadline"
ARRIVAL = "arrival_deadline"
ACK_MISSED = "ack_deadline_missed"
RESOLVE_MISSED = "resolve_deadline_missed"
DISPUTE_LOST = "dispute_lost"
COMPLAINT_UPHELD = "complaint_upheld"
REWORK = "rework"
DEADLINE_KINDS = frozenset({RESPONSE, ARRIVAL, ACK_MISSED, RESOLVE_MISSED})
COMPLAINT_KINDS = frozenset({DISPUTE_LOST, COMPLAINT_UPHELD, REWORK})
FINISHED = frozenset({"completed", "rated", "closed"})
# Escalation reasons of a public-area report that are the company's missed deadline.
MISSED_DEADLINES = {"company_dispatch_timeout": ACK_MISSED, "completion_overdue": RESOLVE_MISSED}


@dataclass(frozen=True)
class CreditParams:
    prior_stars: float = 4.0
    prior_weight: float = 10
    prior_deadline_rate: float = 0.9
    deadline_prior_weight: float = 10
    complaint_prior_orders: float = 10
    weight_rating: float = 0.6
    weight_deadlines: float = 0.4
    weight_complaints: float = 1.0

    @classmethod
    def from_settings(cls, s: SupervisionSettings) -> CreditParams:
        return cls(
            prior_stars=s.credit_prior_stars,
            prior_weight=s.credit_prior_weight,
            prior_deadline_rate=s.credit_prior_deadline_rate,
            deadline_prior_weight=s.credit_deadline_prior_weight,
            complaint_prior_orders=s.credit_complaint_prior_orders,
            weight_rating=s.credit_weight_rating,
            weight_deadlines=s.credit_weight_deadlines,
            weight_complaints=s.credit_weight_complaints,
        )


class Score(BaseModel):
    """The score and every term it is made of (shown to supervisors and to the company)."""

    score: float
    ratings: int
    rating_average: float | None  # the plain average, for display
    bayesian_rating: float
    deadline_checks: int
    deadlines_met: int
    deadline_rate: float
    complaints: int
    orders: int
    complaint_rate: float


def score(events: list[CreditEvent], p: CreditParams) -> Score:
    stars = [e.value for e in events if e.kind == RATING]
    deadlines = [e.value for e in events if e.kind in DEADLINE_KINDS]
    complaints = sum(1 for e in events if e.kind in COMPLAINT_KINDS)
    orders = len({e.order_id for e in events})
    r = (p.prior_weight * p.prior_stars + sum(stars)) / (p.prior_weight + len(stars))
    d = (p.deadline_prior_weight * p.prior_deadline_rate + sum(deadlines)) / (p.deadline_prior_weight + len(deadlines))
    q = complaints / (orders + p.complaint_prior_orders)
    raw = p.weight_rating * (r - 1) / 4 + p.weight_deadlines * d - p.weight_complaints * q
    return Score(
        score=round(100 * min(1.0, max(0.0, raw)), 1),
        ratings=len(stars),
        rating_average=round(sum(stars) / len(stars), 2) if stars else None,
        bayesian_rating=round(r, 4),
        deadline_checks=len(deadlines),
        deadlines_met=int(sum(deadlines)),
        deadline_rate=round(d, 4),
        complaints=complaints,
        orders=orders,
        complaint_rate=round(q, 4),
    )


class ScorePoint(BaseModel):
    day: str  # Beijing date
    score: float  # the formula's score over every event up to the end of that day
    events: int


def score_history(events: list[CreditEvent], p: CreditParams) -> list[ScorePoint]:
    """How the score grew: its value at the end of each Beijing day that brought a credit event."""
    by_day: dict[str, list[CreditEvent]] = defaultdict(list)
    for e in events:
        by_day[beijing_day(e.at)].append(e)
    running: list[CreditEvent] = []
    points = []
    for day in sorted(by_day):
        running += by_day[day]
        points.append(ScorePoint(day=day, score=score(running, p).score, events=len(running)))
    return points


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


def first_at(order: Order, *statuses: str) -> str | None:
    return next((t.at for t in order.timeline if t.status in statuses), None)


def _event(order: Order, kind: str, value: float, at: str, note: str | None = None, company_id: str | None = None) -> CreditEvent:
    return CreditEvent(
        event_id=f"{order.order_id}:{kind}",
        company_id=company_id or order.company_id or "",
        technician_id=order.technician_id,
        order_id=order.order_id,
        kind=kind,
        value=value,
        at=at,
        note=note,
    )


def finished_order_events(order: Order, s: SupervisionSettings) -> list[CreditEvent]:
    """Rating, response and arrival deadlines, and a lost bill dispute or an upheld service complaint, of a finished
    order."""
    if order.status not in FINISHED or not order.company_id:
        return []
    done_at = order.completed_at or first_at(order, *FINISHED) or order.updated_at
    found: list[CreditEvent] = []
    if order.rating_stars is not None:
        found.append(_event(order, RATING, float(order.rating_stars), done_at, f"{order.rating_stars}★"))
    assigned_at = first_at(order, "assigned")
    response_limit = s.response_deadline_minutes.get(order.order_type)
    if assigned_at and response_limit is not None:
        took = (_parse(assigned_at) - _parse(order.created_at)).total_seconds() / 60
        found.append(_event(order, RESPONSE, 1.0 if took <= response_limit else 0.0, assigned_at, f"{took:.1f} min"))
    arrived_at = first_at(order, "on_site", "awaiting_approval", "completed")
    if assigned_at and arrived_at:
        if order.order_type == "booking" and order.slot:
            deadline = _parse(order.slot.end)
        elif order.order_type in s.arrival_deadline_minutes:
            deadline = _parse(assigned_at) + timedelta(minutes=s.arrival_deadline_minutes[order.order_type])
        else:
            deadline = None
        if deadline is not None:
            found.append(_event(order, ARRIVAL, 1.0 if _parse(arrived_at) <= deadline else 0.0, arrived_at))
    if order.dispute and order.dispute.status == "resolved" and order.dispute.outcome == "upheld":
        kind = COMPLAINT_UPHELD if order.dispute.kind == "service" else DISPUTE_LOST
        found.append(_event(order, kind, 1.0, order.dispute.resolved_at or done_at, order.dispute.reason[:100]))
    return found


def escalation_event(order: Order, reason: str | None, at: str) -> CreditEvent | None:
    """A public-area report whose company missed the acknowledgement or the resolution deadline."""
    kind = MISSED_DEADLINES.get(reason or "")
    if order.order_type != "public_area" or kind is None:
        return None
    return _event(order, kind, 0.0, at, reason)


def rework_event(rework: Order, original: Order | None) -> CreditEvent | None:
    """A re-work under warranty (`POST /orders/{id}/rework`): the original repair did not hold, and it counts against
    the company and technician who did it, once per original order."""
    if not rework.rework_of or original is None or original.order_id != rework.rework_of or not original.company_id:
        return None
    return _event(original, REWORK, 1.0, rework.created_at, f"re-work {rework.order_id}")
