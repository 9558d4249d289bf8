"""Rounds: which radius the next offer is searched in, how many technicians it goes to, and its ids.

A round is one batch of offers (one technician, or the top N in grab mode) sharing one task token.
The radius widens (1 km → 3 km → 5 km by default) after `refusals_before_widening` offers were declined
or let time out at the current radius, or at once when nobody eligible is left in it. Past the last
radius, or after `max_offer_rounds` rounds, the order is escalated to the supervisors.
"""

from __future__ import annotations

from dataclasses import dataclass

from matching.store.offers import Offer
from orders.domain.lifecycle import OfferStatus
from orders.domain.records import Order

REFUSED = frozenset({OfferStatus.DECLINED, OfferStatus.EXPIRED})


@dataclass(frozen=True)
class RoundPlan:
    round: int  # 1-based number of the round about to be offered
    radius_index: int  # where the search starts; the handler widens further if it finds nobody


def plan(past: list[Offer], radii: list[int], refusals_before_widening: int) -> RoundPlan:
    """Pure: from the order's past offers (any order), the next round's number and starting radius."""
    batches = sorted({o.batch_id or o.offer_id for o in past})
    if not past:
        return RoundPlan(round=1, radius_index=0)
    latest = max(past, key=lambda o: (o.created_at, o.offer_id))
    radius = latest.match_reason.radius_m if latest.match_reason else radii[0]
    index = next((i for i, r in enumerate(radii) if r >= radius), len(radii) - 1)
    refused_here = sum(
        1 for o in past if o.status in REFUSED and (o.match_reason.radius_m if o.match_reason else radii[0]) == radius
    )
    if refused_here >= refusals_before_widening:
        index += 1
    return RoundPlan(round=len(batches) + 1, radius_index=index)


def batch_size(order_type: str, grab_order_types: list[str], grab_size: int) -> int:
    return grab_size if order_type in grab_order_types else 1


def batch_id(order_id: str, round_number: int) -> str:
    """Deterministic, so a retried task writes the same offers instead of new ones."""
    return f"{order_id}-{round_number}"


def offer_id(batch: str, k: int) -> str:
    return f"{batch}-{k}"


def preferred_technician(order: Order, past: list[Offer], original: Order | None) -> str | None:
    """A re-work's first round goes to the technician who did the original repair (nobody asked yet)."""
    if not order.rework_of or past or original is None or original.order_id != order.rework_of:
        return None
    return original.technician_id
