"""The ranking score: each term, the weights, and the reason that is stored with the order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from matching.domain.eligibility import TechLoad
from matching.domain.scoring import ScoreParams, rank, score
from shared.clock import iso
from supervision.domain.records import Company
from tests.unit.matching_fixtures import COMPANIES, NOW, order, tech

P = ScoreParams()
NEUTRAL = Company(company_id="co", name="x")


def test_the_terms_and_total_follow_the_documented_formula():
    # Given a technician 1 km away (1.3 km by road at 250 m/min = 5.2 min), credit 80, 4.5 stars,
    # one active order and a last order 36 hours ago
    t = tech("t", rating=4.5)
    load = TechLoad(active_orders=1, last_order_at=iso(NOW - timedelta(hours=36)))
    total, terms = score(1000, Company(company_id="co", name="x", credit_score=80), t, load, NOW, P)
    # Then each term is its normalised value and the total is the weighted sum
    assert terms["travel"].value == pytest.approx(5.2) and terms["travel"].term == pytest.approx(1 - 5.2 / 10, abs=1e-4)
    assert terms["credit"].term == 0.8
    assert terms["rating"].term == pytest.approx(0.875)
    assert terms["workload"].term == pytest.approx(2 / 3, abs=1e-4)
    assert terms["fairness"].term == 0.5
    expected = 0.5 * (1 - 5.2 / 10) + 0.15 * 0.8 + 0.15 * 0.875 + 0.10 * (2 / 3) + 0.10 * 0.5
    assert total == pytest.approx(expected, abs=1e-3)
    assert total == pytest.approx(sum(term.points for term in terms.values()), abs=1e-6)


def test_unknowns_are_neutral_and_never_having_had_an_order_is_fairest():
    _, terms = score(0, NEUTRAL, tech("new"), TechLoad(), NOW, P)
    assert terms["credit"].term == 0.5 and terms["rating"].term == 0.5
    assert terms["fairness"].term == 1.0 and terms["fairness"].value is None
    assert terms["travel"].term == 1.0 and terms["workload"].term == 1.0


def test_far_beyond_the_travel_cap_scores_zero_not_negative():
    _, terms = score(50_000, NEUTRAL, tech("t"), TechLoad(), NOW, P)
    assert terms["travel"].term == 0.0


def test_nearer_ranks_first_when_all_else_is_equal():
    ranked = rank([tech("far", 900), tech("near", 100)], order(), COMPANIES, {}, NOW, P)
    assert [s.technician_id for s in ranked] == ["near", "far"]
    assert 80 < ranked[0].distance_m < 120


def test_fairness_and_workload_can_outweigh_a_few_hundred_metres():
    # Given the nearest technician is busy and just had an order, and another idle one is 400 m further
    loads = {"busy": TechLoad(active_orders=2, last_order_at=iso(NOW - timedelta(minutes=30)))}
    ranked = rank([tech("busy", 100), tech("idle", 500)], order(), COMPANIES, loads, NOW, P)
    # Then the idle one ranks first
    assert [s.technician_id for s in ranked] == ["idle", "busy"]


def test_weights_come_from_settings(monkeypatch):
    from matching.domain.settings import MatchingSettings

    monkeypatch.setenv("LINLI_WEIGHT_TRAVEL", "1")
    monkeypatch.setenv("LINLI_WEIGHT_FAIRNESS", "0")
    params = ScoreParams.from_settings(MatchingSettings())
    assert params.weight_travel == 1 and params.weight_fairness == 0
    _, terms = score(0, NEUTRAL, tech("t"), TechLoad(), NOW, params)
    assert terms["travel"].points == 1 and terms["fairness"].points == 0


def test_ties_are_broken_by_distance_then_id():
    ranked = rank([tech("b", 100), tech("a", 100)], order(), COMPANIES, {}, NOW, P)
    assert [s.technician_id for s in ranked] == ["a", "b"]
