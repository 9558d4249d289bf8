"""Domain records: what the data layer hands to logic and handlers (never a PynamoDB model)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Address(BaseModel):
    address_id: str
    compound_id: str
    label: str
    label_en: str = ""
    lat: float
    lng: float


class Compound(BaseModel):
    compound_id: str
    name: str
    name_en: str = ""
    lat: float
    lng: float
    contracted_company_id: str
    free_service: bool = True


NEUTRAL_CREDIT_SCORE = 50.0


class Company(BaseModel):
    company_id: str
    name: str
    name_en: str = ""
    status: str = "admitted"  # admitted | suspended (vetting)
    # 0–100; neutral until the credit record (issue 5) computes it from ratings, SLA and complaints.
    credit_score: float = NEUTRAL_CREDIT_SCORE


class Certificate(BaseModel):
    """A qualification a technician holds, e.g. the low-voltage electrician's operating certificate."""

    kind: str
    number: str = ""
    expires_on: str  # ISO date, valid through that day (Beijing time)


class User(BaseModel):
    user_id: str
    role: str
    name: str
    phone: str = ""
    status: str = "active"
    company_id: str | None = None
    # technicians only
    skills: list[str] = Field(default_factory=list)
    on_duty: bool = False
    lat: float | None = None
    lng: float | None = None
    certificates: list[Certificate] = Field(default_factory=list)
    rating: float | None = None  # average stars, 1–5; None until rated


class TimelineEntry(BaseModel):
    status: str
    at: str
    actor: str
    note: str | None = None


class Slot(BaseModel):
    start: str
    end: str


class Quote(BaseModel):
    currency: str = "CNY"
    low: float
    high: float
    cap: float
    free_service: bool
    note_zh: str
    note_en: str


class BillItem(BaseModel):
    description: str
    quantity: float = 1
    unit_price: float = 0


class ScoreTerm(BaseModel):
    """One term of a match score: the raw value, its normalised 0–1 term, the weight and the points."""

    value: float | None
    unit: str
    term: float
    weight: float
    points: float


class MatchReason(BaseModel):
    """Why this technician was offered the order: every score term and the total (shown to supervisors)."""

    technician_id: str
    round: int
    radius_m: int
    mode: str  # single | grab
    rank: int
    total: float
    terms: dict[str, ScoreTerm]
    considered: int  # technicians read from the spatial index
    eligible: int  # of which passed every hard filter


class Order(BaseModel):
    order_id: str
    order_type: str
    category: str
    description: str
    status: str
    resident_id: str
    compound_id: str
    address_id: str | None = None
    address_label: str
    place: str | None = None
    lat: float
    lng: float
    slot: Slot | None = None
    quote: Quote
    order_code: str
    technician_id: str | None = None
    company_id: str | None = None
    current_offer_id: str | None = None
    excluded_technicians: list[str] = Field(default_factory=list)
    escalation_reason: str | None = None
    cancel_reason: str | None = None
    match_round: int | None = None
    search_radius_m: int | None = None
    match_reason: MatchReason | None = None
    bill: list[BillItem] = Field(default_factory=list)
    bill_total: float | None = None
    rating_stars: int | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)
    created_at: str
    updated_at: str
    version: int = 1


class Offer(BaseModel):
    offer_id: str
    order_id: str
    technician_id: str
    status: str
    created_at: str
    expires_at: str
    distance_m: float | None = None
    answered_at: str | None = None
    batch_id: str = ""  # the round's offers share it (grab mode: up to N at once, one task token)
    match_reason: MatchReason | None = None


class Message(BaseModel):
    message_id: str
    recipient_id: str
    channel: str
    order_id: str | None = None
    kind: str
    text_zh: str
    text_en: str
    created_at: str
