"""The public credit record (pure): what anyone may read about an admitted company, and the formula, published.

Only what a company's service shows, never a person: its credit score with the three parts it is made of (as points
out of 100), the formula with the parameters in force, and over the last 90 days the orders it served, their average
rating and the complaints a supervisor upheld against it (service complaints and bill disputes).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from shared.clock import parse
from supervision.domain import credit as formula
from supervision.domain.records import Company
from supervision.store.credit import CreditEvent

WINDOW_DAYS = 90
SERVED_KINDS = frozenset({formula.RATING, formula.RESPONSE, formula.ARRIVAL})  # what every served order leaves
UPHELD_KINDS = frozenset({formula.COMPLAINT_UPHELD, formula.DISPUTE_LOST})


class ScorePart(BaseModel):
    points: float = Field(description="What this part adds to the score (out of 100; complaints subtract)")
    weight: float
    value: float = Field(description="The part's own measure: R in stars, D and Q as shares")
    count: int = Field(description="How many ratings, deadline checks or complaints it counts")


class ScoreParts(BaseModel):
    rating: ScorePart = Field(description="R: the Bayesian average of the ratings (stars)")
    deadlines: ScorePart = Field(description="D: the smoothed share of deadlines met")
    complaints: ScorePart = Field(description="Q: complaints (upheld complaints, lost bill disputes, re-work) per order")


class RecentRecord(BaseModel):
    days: int = WINDOW_DAYS
    orders_served: int
    average_rating: float | None = Field(description="The plain average of the ratings given (stars), None without any")
    ratings: int
    upheld_complaints: int


class PublicCompany(BaseModel):
    company_id: str
    name: str
    name_en: str
    credit_score: float
    parts: ScoreParts
    last_90_days: RecentRecord


class Formula(BaseModel):
    text_zh: str
    text_en: str
    parameters: dict[str, float]


def published_formula(p: formula.CreditParams) -> Formula:
    return Formula(
        text_zh=(
            "信用分 = 100 × (评价权重 × (R − 1) / 4 + 时限权重 × D − 投诉权重 × Q)，限定在 0–100 之间。"
            f"R = 评价的贝叶斯平均（先验 {p.prior_stars:g} 星，相当于 {p.prior_weight:g} 条评价）；"
            f"D = 按时率（先验 {p.prior_deadline_rate:g}，相当于 {p.deadline_prior_weight:g} 次检查）；"
            f"Q = 投诉数（成立的投诉、败诉的账单争议、返修）/（订单数 + {p.complaint_prior_orders:g}）。"
        ),
        text_en=(
            "score = 100 × (w_rating × (R − 1) / 4 + w_deadlines × D − w_complaints × Q), kept within 0–100. "
            f"R = Bayesian average of the ratings (prior {p.prior_stars:g} stars worth {p.prior_weight:g} ratings); "
            f"D = share of deadlines met (prior {p.prior_deadline_rate:g} worth {p.deadline_prior_weight:g} checks); "
            f"Q = complaints (upheld complaints, lost bill disputes, re-work) / (orders + {p.complaint_prior_orders:g})."
        ),
        parameters={
            "weight_rating": p.weight_rating,
            "weight_deadlines": p.weight_deadlines,
            "weight_complaints": p.weight_complaints,
            "prior_stars": p.prior_stars,
            "prior_weight": p.prior_weight,
            "prior_deadline_rate": p.prior_deadline_rate,
            "deadline_prior_weight": p.deadline_prior_weight,
            "complaint_prior_orders": p.complaint_prior_orders,
        },
    )


def parts_of(breakdown: formula.Score, p: formula.CreditParams) -> ScoreParts:
    return ScoreParts(
        rating=ScorePart(
            points=round(100 * p.weight_rating * (breakdown.bayesian_rating - 1) / 4, 1),
            weight=p.weight_rating,
            value=round(breakdown.bayesian_rating, 2),
            count=breakdown.ratings,
        ),
        deadlines=ScorePart(
            points=round(100 * p.weight_deadlines * breakdown.deadline_rate, 1),
            weight=p.weight_deadlines,
            value=round(breakdown.deadline_rate, 4),
            count=breakdown.deadline_checks,
        ),
        complaints=ScorePart(
            points=round(-100 * p.weight_complaints * breakdown.complaint_rate, 1),
            weight=p.weight_complaints,
            value=round(breakdown.complaint_rate, 4),
            count=breakdown.complaints,
        ),
    )


def recent(events: list[CreditEvent], now: datetime, days: int = WINDOW_DAYS) -> RecentRecord:
    since = now - timedelta(days=days)
    window = [e for e in events if since <= parse(e.at) <= now]
    stars = [e.value for e in window if e.kind == formula.RATING]
    return RecentRecord(
        days=days,
        orders_served=len({e.order_id for e in window if e.kind in SERVED_KINDS}),
        average_rating=round(sum(stars) / len(stars), 2) if stars else None,
        ratings=len(stars),
        upheld_complaints=sum(1 for e in window if e.kind in UPHELD_KINDS),
    )


def public_company(company: Company, events: list[CreditEvent], p: formula.CreditParams, now: datetime) -> PublicCompany:
    breakdown = formula.score(events, p)
    return PublicCompany(
        company_id=company.company_id,
        name=company.name,
        name_en=company.name_en,
        credit_score=company.credit_score,
        parts=parts_of(breakdown, p),
        last_90_days=recent(events, now),
    )
