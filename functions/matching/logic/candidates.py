"""Who may be offered an order, and in which order (simple: qualified and nearest first).

The full engine (rounds with a widening radius, credit, fairness, slots) is issue 3; this keeps the
same shape so it can grow there: hard filters, then a ranking that records its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.geo import distance_m
from shared.lifecycle import OrderType, Role
from shared.records import Order, User


@dataclass(frozen=True)
class Candidate:
    technician_id: str
    distance_m: float


def is_eligible(tech: User, order: Order, admitted_companies: set[str], radius_m: float) -> bool:
    if tech.role != Role.TECHNICIAN or tech.status != "active" or tech.company_id not in admitted_companies:
        return False
    if order.category not in tech.skills or tech.user_id in order.excluded_technicians:
        return False
    if order.order_type == OrderType.EMERGENCY and not tech.on_duty:
        return False
    if tech.lat is None or tech.lng is None:
        return False
    return distance_m(order.lat, order.lng, tech.lat, tech.lng) <= radius_m


def rank(technicians: list[User], order: Order, admitted_companies: set[str], radius_m: float) -> list[Candidate]:
    eligible = [t for t in technicians if is_eligible(t, order, admitted_companies, radius_m)]
    ranked = [Candidate(t.user_id, round(distance_m(order.lat, order.lng, t.lat, t.lng), 1)) for t in eligible]
    return sorted(ranked, key=lambda c: (c.distance_m, c.technician_id))
