"""Rounds: radius widening after refusals or when nobody is left, batch sizes, and one whole selection
through the engine with in-memory readers (no AWS)."""

from __future__ import annotations

from datetime import timedelta

from matching.domain import rounds
from matching.domain.eligibility import TechLoad
from matching.domain.engine import select
from matching.domain.geo import distance_m
from matching.domain.records import MatchReason
from matching.domain.scoring import ScoreParams
from matching.store.offers import Offer
from shared.clock import iso
from tests.unit.matching_fixtures import COMPANIES, NOW, criteria, order, tech

RADII = [1000, 3000, 5000]


def past(n: int, status: str, radius: int, *, start: int = 1) -> list[Offer]:
    made = []
    for k in range(start, start + n):
        reason = MatchReason(
            technician_id=f"t{k}", round=k, radius_m=radius, mode="single", rank=1, total=0.5, terms={}, considered=1, eligible=1
        )
        made.append(
            Offer(
                offer_id=f"o-{k}-1",
                order_id="o",
                technician_id=f"t{k}",
                status=status,
                created_at=iso(NOW + timedelta(seconds=k)),
                expires_at=iso(NOW + timedelta(seconds=k + 60)),
                batch_id=f"o-{k}",
                match_reason=reason,
            )
        )
    return made


def test_the_first_round_starts_at_the_smallest_radius():
    assert rounds.plan([], RADII, 3) == rounds.RoundPlan(round=1, radius_index=0)


def test_the_radius_widens_after_the_configured_refusals_at_it():
    assert rounds.plan(past(2, "declined", 1000), RADII, 3).radius_index == 0
    assert rounds.plan(past(3, "expired", 1000), RADII, 3) == rounds.RoundPlan(round=4, radius_index=1)
    # refusals at the previous radius do not count towards the next one
    mixed = past(3, "declined", 1000) + past(1, "declined", 3000, start=4)
    assert rounds.plan(mixed, RADII, 3) == rounds.RoundPlan(round=5, radius_index=1)


def test_past_the_last_radius_there_is_nothing_left():
    assert rounds.plan(past(3, "declined", 5000), RADII, 3).radius_index == len(RADII)


def test_grab_mode_is_per_order_type():
    assert rounds.batch_size("booking", ["booking"], 3) == 3
    assert rounds.batch_size("emergency", ["booking"], 3) == 1
    assert rounds.offer_id(rounds.batch_id("ord_x", 2), 3) == "ord_x-2-3"


def _select(techs, *, start_index=0, size=1, o=None, loads=None):
    o = o or order()
    reads = []

    def read_nearby(radius):
        reads.append(radius)
        return [t for t in techs if distance_m(o.lat, o.lng, t.lat, t.lng) <= radius + 2000]  # cells over-cover

    outcome = select(
        o,
        radii=RADII,
        start_index=start_index,
        size=size,
        criteria_for=lambda radius: criteria(o, radius_m=radius),
        read_nearby=read_nearby,
        read_companies=lambda ids: {i: COMPANIES[i] for i in ids if i in COMPANIES},
        read_load=lambda t: (loads or {}).get(t.user_id, TechLoad()),
        params=ScoreParams(),
        now=NOW,
    )
    return outcome, reads


def test_a_technician_two_km_away_is_only_found_once_the_one_km_round_has_nobody():
    # Given the only electrician is 2 km away
    outcome, reads = _select([tech("two_km", 2000)])
    # Then the 1 km round finds nobody and the 3 km round finds him
    assert reads == [1000, 3000]
    assert [s.technician_id for s in outcome.chosen] == ["two_km"] and outcome.radius_m == 3000


def test_nobody_within_the_last_radius_means_no_candidate():
    outcome, reads = _select([tech("far", 6000)])  # read (cells over-cover) only in the 5 km round
    assert outcome.chosen == [] and reads == RADII
    assert outcome.rejections == {"out_of_radius": 1}


def test_grab_mode_takes_the_top_n_and_the_reason_explains_each():
    techs = [tech(f"t{k}", 100 * k) for k in range(1, 6)]
    outcome, _ = _select(techs, size=3, o=order(order_type="booking"))
    assert [s.technician_id for s in outcome.chosen] == ["t1", "t2", "t3"]
    reason = outcome.reason(outcome.chosen[0], round_number=1, mode="grab", rank_number=1)
    assert (
        reason.eligible == 5
        and reason.radius_m == 1000
        and set(reason.terms)
        == {
            "travel",
            "credit",
            "rating",
            "workload",
            "fairness",
        }
    )


def test_technicians_at_the_workload_cap_are_skipped():
    outcome, _ = _select([tech("full", 100), tech("free", 300)], loads={"full": TechLoad(active_orders=3)})
    assert [s.technician_id for s in outcome.chosen] == ["free"]
    assert outcome.rejections == {"workload_cap": 1}
