"""The credit formula on hand-computed cases (docs/supervision.md has the same worked example)."""

from __future__ import annotations

import pytest

from orders.domain.records import Dispute, Order, TimelineEntry
from supervision.domain import credit
from supervision.domain.credit import CreditParams
from supervision.domain.settings import SupervisionSettings
from supervision.store.credit import CreditEvent

P = CreditParams()  # the defaults: prior 4★ worth 10 ratings, 90 % deadlines worth 10 checks, 10 orders


def _events(orders: int, stars: list[int], checks: int, met: int, complaints: int, company: str = "co") -> list[CreditEvent]:
    found = []
    for i in range(orders):
        order_id = f"o{i}"
        if i < len(stars):
            found.append(
                CreditEvent(
                    event_id=f"{order_id}:rating", company_id=company, order_id=order_id, kind="rating", value=stars[i], at="t"
                )
            )
    for i in range(checks):
        kind = credit.RESPONSE if i % 2 == 0 else credit.ARRIVAL
        found.append(
            CreditEvent(
                event_id=f"o{i // 2}:{kind}",
                company_id=company,
                order_id=f"o{i // 2}",
                kind=kind,
                value=1.0 if i < met else 0.0,
                at="t",
            )
        )
    for i in range(complaints):
        found.append(
            CreditEvent(event_id=f"o{i}:dispute_lost", company_id=company, order_id=f"o{i}", kind="dispute_lost", value=1, at="t")
        )
    return found


def test_three_perfect_orders_score_below_three_hundred_good_ones():
    # Given company A: 3 orders, all 5 stars, 6 deadlines met; company B: 300 orders averaging 4.8 stars,
    # 570 of 600 deadlines met, 3 disputes lost
    a = credit.score(_events(3, [5, 5, 5], 6, 6, 0), P)
    b = credit.score(_events(300, [5] * 240 + [4] * 60, 600, 570, 3), P)

    # Then (by hand): A = 100·(0.6·(55/13 − 1)/4 + 0.4·15/16) = 85.96;
    #                B = 100·(0.6·(1480/310 − 1)/4 + 0.4·579/610 − 3/310) = 93.61
    assert a.bayesian_rating == pytest.approx(55 / 13, abs=1e-4)
    assert a.deadline_rate == pytest.approx(0.9375)
    assert a.score == 86.0
    assert b.bayesian_rating == pytest.approx(1480 / 310, abs=1e-4)
    assert b.complaint_rate == pytest.approx(3 / 310, abs=1e-4)
    assert b.score == 93.6
    assert b.score > a.score


def test_no_events_is_the_prior():
    # 100·(0.6·(4 − 1)/4 + 0.4·0.9) = 81
    assert credit.score([], P).score == 81.0


def test_many_bad_ratings_missed_deadlines_and_lost_disputes_fall_below_the_threshold():
    # 20 orders at 1 star, 20 of 40 deadlines met, 2 disputes lost: 100·(0.6·0.25 + 0.4·29/50 − 2/30) = 31.53
    result = credit.score(_events(20, [1] * 20, 40, 20, 2), P)
    assert result.score == 31.5
    assert result.score < SupervisionSettings().credit_suspend_threshold


def test_the_score_is_clamped_to_0_100():
    assert credit.score(_events(50, [1] * 50, 100, 0, 50), P).score == 0.0


def _order(**changes) -> Order:
    base = dict(
        order_id="o1",
        order_type="emergency",
        category="electrical",
        description="d",
        status="closed",
        resident_id="r",
        compound_id="cp",
        address_id="a1",
        address_label="x",
        lat=0,
        lng=0,
        quote={"low": 0, "high": 0, "cap": 0, "free_service": True, "note_zh": "", "note_en": ""},
        order_code="1",
        technician_id="t1",
        company_id="co",
        rating_stars=4,
        completed_at="2026-11-01T01:00:00.000Z",
        created_at="2026-11-01T00:00:00.000Z",
        updated_at="2026-11-01T01:00:00.000Z",
        timeline=[
            TimelineEntry(status="submitted", at="2026-11-01T00:00:00.000Z", actor="r"),
            TimelineEntry(status="assigned", at="2026-11-01T00:20:00.000Z", actor="t1"),
            TimelineEntry(status="on_site", at="2026-11-01T00:50:00.000Z", actor="t1"),
            TimelineEntry(status="completed", at="2026-11-01T01:00:00.000Z", actor="t1"),
        ],
    )
    return Order(**(base | changes))


def test_a_finished_order_gives_its_rating_and_deadlines_with_stable_ids():
    # Given an emergency accepted after 20 minutes (limit 15) and on site 30 minutes later (limit 60)
    found = {e.kind: e for e in credit.finished_order_events(_order(), SupervisionSettings())}
    assert found["rating"].value == 4 and found["rating"].event_id == "o1:rating"
    assert found["response_deadline"].value == 0.0
    assert found["arrival_deadline"].value == 1.0
    assert all(e.company_id == "co" and e.technician_id == "t1" for e in found.values())


@pytest.mark.parametrize(
    ("kind", "outcome", "expected"),
    [
        ("bill", "upheld", "dispute_lost"),
        ("service", "upheld", "complaint_upheld"),
        ("service", "rejected", None),
        ("bill", "rejected", None),
    ],
)
def test_an_upheld_bill_dispute_or_service_complaint_costs_the_company_one_complaint(kind, outcome, expected):
    opened = {"order_id": "o1", "resident_id": "r", "opened_by": "r", "opened_at": "t", "reason": "态度差"}
    dispute = Dispute(**opened, kind=kind, status="resolved", outcome=outcome)
    found = {e.kind for e in credit.finished_order_events(_order(dispute=dispute), SupervisionSettings())}
    assert found & credit.COMPLAINT_KINDS == ({expected} if expected else set())


def test_only_a_real_rework_counts_against_the_original_order_not_the_same_address_and_category():
    original = _order(order_id="o0", completed_at="2026-10-20T00:00:00.000Z")
    rework = _order(order_id="o2", created_at="2026-11-10T00:00:00.000Z").model_copy(update={"rework_of": "o0"})
    found = credit.rework_event(rework, original)
    assert (found.order_id, found.kind, found.event_id, found.company_id) == ("o0", "rework", "o0:rework", original.company_id)
    # the same category at the same address a few days later, without asking for re-work, is a new order, not re-work
    assert credit.rework_event(_order(order_id="o3", created_at="2026-10-25T00:00:00.000Z"), original) is None
    assert not hasattr(credit, "rework_events"), "the address-and-category guess is gone"


def test_only_a_public_area_reports_missed_deadline_is_a_credit_event():
    report = _order(order_type="public_area", status="escalated")
    assert credit.escalation_event(report, "company_dispatch_timeout", "t").kind == "ack_deadline_missed"
    assert credit.escalation_event(report, "completion_overdue", "t").kind == "resolve_deadline_missed"
    assert credit.escalation_event(_order(status="escalated"), "no_candidates", "t") is None


def test_the_score_history_has_one_point_per_beijing_day_ending_at_the_current_score():
    def rating(order_id: str, stars: int, at: str) -> CreditEvent:
        return CreditEvent(event_id=f"{order_id}:rating", company_id="co", order_id=order_id, kind="rating", value=stars, at=at)

    # Given ratings on two Beijing days (16:30 UTC is already the next day in Beijing)
    events = [
        rating("o1", 5, "2026-11-01T02:00:00.000Z"),
        rating("o2", 1, "2026-11-01T16:30:00.000Z"),
        rating("o3", 1, "2026-11-02T03:00:00.000Z"),
    ]
    history = credit.score_history(events, P)
    # Then each day's point scores every event up to that day's end, and the last is today's score
    assert [(p.day, p.events) for p in history] == [("2026-11-01", 1), ("2026-11-02", 3)]
    assert history[0].score == credit.score(events[:1], P).score
    assert history[-1].score == credit.score(events, P).score < history[0].score
    assert credit.score_history([], P) == []
