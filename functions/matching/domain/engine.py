"""One match, as a pure function of what was read: filter, rank, and explain the choice.

The handler (and the benchmark) supply a `read_nearby(radius_m)` and a `read_load(technician)`; this
module decides. Kept apart from the handler so it runs the same on the workflow's path and in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from identity.domain.records import User
from matching.domain.eligibility import Criteria, Rejection, TechLoad, prefilter, rejection
from matching.domain.records import MatchReason
from matching.domain.scoring import Scored, ScoreParams, rank
from orders.domain.records import Order
from supervision.domain.records import Company


@dataclass
class MatchOutcome:
    chosen: list[Scored]
    radius_m: int
    radius_index: int
    considered: int = 0  # technicians read from the index over all radii tried
    eligible: int = 0
    rejections: dict[str, int] = field(default_factory=dict)
    # Technicians whose records could not be judged (e.g. a certificate without a real date): left out of this
    # match, never the reason the match fails for everyone else; the handler reports them.
    skipped: list[str] = field(default_factory=list)

    def reason(self, scored: Scored, *, round_number: int, mode: str, rank_number: int) -> MatchReason:
        return MatchReason(
            technician_id=scored.technician_id,
            round=round_number,
            radius_m=self.radius_m,
            mode=mode,
            rank=rank_number,
            total=scored.total,
            terms=scored.terms,
            considered=self.considered,
            eligible=self.eligible,
        )


def select(
    order: Order,
    *,
    radii: list[int],
    start_index: int,
    size: int,
    criteria_for: Callable[[int], Criteria],
    read_nearby: Callable[[int], list[User]],
    read_companies: Callable[[set[str]], dict[str, Company]],
    read_load: Callable[[User], TechLoad],
    params: ScoreParams,
    now: datetime,
) -> MatchOutcome:
    """The best `size` eligible technicians in the first radius (from `start_index`) that has any."""
    outcome = MatchOutcome(chosen=[], radius_m=radii[-1], radius_index=len(radii))
    companies: dict[str, Company] = {}
    for index in range(start_index, len(radii)):
        radius = radii[index]
        nearby = read_nearby(radius)
        outcome.considered += len(nearby)
        wanted = {t.company_id for t in nearby if t.company_id} - set(companies)
        if wanted:
            companies |= read_companies(wanted)
        criteria = replace(criteria_for(radius), companies=companies)
        survivors, loads = [], {}
        for tech in nearby:
            try:
                why = prefilter(tech, criteria)
                if why is None:
                    loads[tech.user_id] = read_load(tech)
                    why = rejection(tech, loads[tech.user_id], criteria)
            except (TypeError, ValueError, KeyError, AttributeError):
                outcome.skipped.append(tech.user_id)
                why = Rejection.UNREADABLE_RECORD
            if why is None:
                survivors.append(tech)
            else:
                outcome.rejections[why] = outcome.rejections.get(why, 0) + 1
        if survivors:
            outcome.eligible = len(survivors)
            outcome.chosen = rank(survivors, order, companies, loads, now, params)[:size]
            outcome.radius_m, outcome.radius_index = radius, index
            return outcome
    return outcome
