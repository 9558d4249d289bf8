"""The ranking score: five terms, each normalised to 0..1, weighted and summed (docs/matching.md).

    travel    = max(0, 1 - eta_min / travel_cap_minutes),  eta_min = distance_m * detour / speed
    credit    = company credit score / 100                  (neutral 50 until the credit record computes it)
    rating    = (stars - 1) / 4                              (0.5 while the technician has no rating)
    workload  = 1 - active_orders / workload_cap
    fairness  = min(hours since last order, fairness_cap_hours) / fairness_cap_hours  (1 if never)

    score = Σ weight_i * term_i   (weights from settings, LINLI_WEIGHT_*)

Ties go to the shorter distance, then the technician id, so the ranking is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from identity.domain.records import User
from matching.domain.eligibility import TechLoad
from matching.domain.geo import distance_m
from matching.domain.records import ScoreTerm
from matching.domain.settings import MatchingSettings
from orders.domain.records import Order
from supervision.domain.records import Company

NEUTRAL_RATING_TERM = 0.5


@dataclass(frozen=True)
class ScoreParams:
    weight_travel: float = 0.50
    weight_credit: float = 0.15
    weight_rating: float = 0.15
    weight_workload: float = 0.10
    weight_fairness: float = 0.10
    speed_m_per_min: float = 250
    detour_factor: float = 1.3
    travel_cap_minutes: float = 10
    fairness_cap_hours: float = 72
    workload_cap: int = 3

    @classmethod
    def from_settings(cls, s: MatchingSettings) -> ScoreParams:
        return cls(
            weight_travel=s.weight_travel,
            weight_credit=s.weight_credit,
            weight_rating=s.weight_rating,
            weight_workload=s.weight_workload,
            weight_fairness=s.weight_fairness,
            speed_m_per_min=s.travel_speed_m_per_min,
            detour_factor=s.travel_detour_factor,
            travel_cap_minutes=s.travel_cap_minutes,
            fairness_cap_hours=s.fairness_cap_hours,
            workload_cap=s.workload_cap,
        )


@dataclass(frozen=True)
class Scored:
    technician_id: str
    distance_m: float
    total: float
    terms: dict[str, ScoreTerm]


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def _term(value: float | None, unit: str, term: float, weight: float) -> ScoreTerm:
    term = round(_clamp(term), 4)
    return ScoreTerm(
        value=None if value is None else round(value, 2), unit=unit, term=term, weight=weight, points=round(term * weight, 4)
    )


def _parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def eta_minutes(distance: float, p: ScoreParams) -> float:
    return distance * p.detour_factor / p.speed_m_per_min


def score(distance: float, company: Company, tech: User, load: TechLoad, now: datetime, p: ScoreParams) -> tuple[float, dict]:
    eta = eta_minutes(distance, p)
    idle_hours = None if load.last_order_at is None else max(0.0, (now - _parse(load.last_order_at)).total_seconds() / 3600)
    terms = {
        "travel": _term(eta, "min", 1 - eta / p.travel_cap_minutes, p.weight_travel),
        "credit": _term(company.credit_score, "/100", company.credit_score / 100, p.weight_credit),
        "rating": _term(
            tech.rating, "stars", NEUTRAL_RATING_TERM if tech.rating is None else (tech.rating - 1) / 4, p.weight_rating
        ),
        "workload": _term(load.active_orders, "orders", 1 - load.active_orders / p.workload_cap, p.weight_workload),
        "fairness": _term(
            idle_hours, "h idle", 1.0 if idle_hours is None else idle_hours / p.fairness_cap_hours, p.weight_fairness
        ),
    }
    return round(sum(t.points for t in terms.values()), 4), terms


def rank(
    techs: list[User], order: Order, companies: dict[str, Company], loads: dict[str, TechLoad], now: datetime, p: ScoreParams
) -> list[Scored]:
    """Score every (already eligible) technician; best first."""
    scored = []
    for tech in techs:
        d = distance_m(order.lat, order.lng, tech.lat, tech.lng)
        total, terms = score(d, companies[tech.company_id], tech, loads.get(tech.user_id, TechLoad()), now, p)
        scored.append(Scored(tech.user_id, round(d, 1), total, terms))
    return sorted(scored, key=lambda s: (-s.total, s.distance_m, s.technician_id))
