"""Domain records: what the data layer hands to logic and handlers (never a PynamoDB model)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


class Address(BaseModel):
    address_id: str
    compound_id: str
    label: str
    label_en: str = ""
    lat: float
    lng: float
    # A resident's claim (docs/data-model.md#addresses): pending until the compound's property company verifies
    # it (or a household code does); only a verified address takes orders, quotes and slots.
    status: str = "verified"  # pending | verified | rejected
    building: str = ""
    unit: str = ""
    room: str = ""
    claimed_at: str | None = None
    status_reason: str | None = None  # the property company's reason for a refusal
    registered_by: str | None = None  # the property desk that registered the resident on her behalf


class Contract(BaseModel):
    """The company contracted for a compound's public areas and dispatch, from one day through another (Beijing
    days, inclusive; `ends_on` None: open-ended)."""

    company_id: str
    starts_on: str
    ends_on: str | None = None

    def covers(self, day: date) -> bool:
        return self.starts_on <= day.isoformat() and (self.ends_on is None or day.isoformat() <= self.ends_on)


class FreePeriod(BaseModel):
    """A period in which repairs in a compound are free to its residents, and who pays for them."""

    starts_on: str
    ends_on: str
    funded_by: str

    def covers(self, day: date) -> bool:
        return self.starts_on <= day.isoformat() <= self.ends_on


class Compound(BaseModel):
    compound_id: str
    name: str
    name_en: str = ""
    district: str = ""
    street: str = ""
    lat: float  # GCJ-02, as every stored position
    lng: float
    # The company of the current contract (what readers of "the compound's contracted company" use); the
    # contract's days are in `contract`.
    contracted_company_id: str | None = None
    contract: Contract | None = None
    free_period: FreePeriod | None = None  # None: charged normally
    terms_version: int = 0  # one more with every change of the contract or the free period
    household_count: int = 0

    def company_on(self, day: date) -> str | None:
        """The contracted company on that Beijing day (a compound without dated contract: its company)."""
        if self.contract is None:
            return self.contracted_company_id
        return self.contract.company_id if self.contract.covers(day) else None

    def free_period_on(self, day: date) -> FreePeriod | None:
        """The free-service period covering that Beijing day, if any (else the compound is charged normally)."""
        return self.free_period if self.free_period and self.free_period.covers(day) else None


NEUTRAL_CREDIT_SCORE = 50.0


class Company(BaseModel):
    company_id: str
    name: str
    name_en: str = ""
    status: str = "admitted"  # pending | admitted | rejected | suspended (vetting, docs/supervision.md)
    # 0–100; neutral until the credit record computes it from ratings, SLA and complaints.
    credit_score: float = NEUTRAL_CREDIT_SCORE
    licence_number: str | None = None  # business licence (统一社会信用代码), from the application
    documents: list[str] = Field(default_factory=list)  # document ids of the qualification documents
    applied_at: str | None = None
    status_reason: str | None = None  # the supervisor's reason for the last rejection or suspension
    status_changed_at: str | None = None


class Certificate(BaseModel):
    """A qualification a technician holds, e.g. the low-voltage electrician's operating certificate."""

    kind: str
    number: str = ""
    expires_on: str  # ISO date, valid through that day (Beijing time)
    issuer: str = ""
    document_id: str | None = None  # the scanned certificate (S3, via a pre-signed upload)


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
    # Skills whose certificate expired (the daily expiry job moves them here from `skills`).
    suspended_skills: list[str] = Field(default_factory=list)
    id_number_masked: str | None = None  # identity card number, only the first 6 and last 4 digits kept
    status_reason: str | None = None
    registered_at: str | None = None
    photo_ref: str | None = None  # technicians: the profile photo residents see on their order (a photo id)
    wechat_openid: str | None = None  # residents who sign in with WeChat: the mini program's openid


class TimelineEntry(BaseModel):
    status: str
    at: str
    actor: str
    note: str | None = None
    via: str | None = None  # the API key id, when a company's system did it for the actor


class Slot(BaseModel):
    start: str
    end: str


class QuoteItem(BaseModel):
    item_id: str
    name: str
    name_en: str = ""
    typical_price: float
    cap: float


class Quote(BaseModel):
    currency: str = "CNY"
    low: float
    high: float
    cap: float
    free_service: bool
    # Which rule applies: with free_service, who funds the repair and the free-service period that covers the
    # order's (Beijing) date.
    funded_by: str | None = None
    free_period: dict | None = None  # {"from", "to"}: ISO dates
    note_zh: str
    note_en: str
    # The catalogue version the quote was made with; the bill is checked against the same version.
    catalogue_version: int | None = None
    items: list[QuoteItem] = Field(default_factory=list)
    # The quote's upper value at catalogue prices (before a free compound's waiver): a bill whose
    # lines go beyond it needs the resident's consent, even where the resident pays nothing.
    list_high: float = 0


class BillPart(BaseModel):
    part_id: str
    name: str
    name_en: str = ""
    quantity: float
    unit_price: float


class BillLine(BaseModel):
    """One line of an itemised bill: a catalogue item with its labour and parts, never a bare total."""

    line_id: str
    item_id: str
    name: str
    name_en: str = ""
    labour: float
    parts: list[BillPart] = Field(default_factory=list)
    amount: float  # labour + parts, at the catalogue version's prices (a free compound still pays 0)
    cap: float
    reason: str | None = None  # the technician's explanation (required for lines beyond the quote)
    photo_ref: str | None = None  # a photo id (uploaded by the technician, POST /photos)
    beyond_quote: str | None = None  # not_in_quote | more_parts | over_quote_total (extra lines only)
    decision: str | None = None  # approved | rejected (extra lines, once the resident decided)


class Doorstep(BaseModel):
    """The resident's check of the technician at the door: did the code he said match hers?"""

    result: str  # match | mismatch
    at: str
    by: str  # the resident, or the proxy who checked for her


class Dispute(BaseModel):
    """A resident's objection to a finished order: to its bill, or a complaint about the service itself (the work
    or the technician's conduct). Supervisors resolve both; an upheld one costs the company credit."""

    order_id: str
    resident_id: str
    opened_by: str
    opened_at: str
    reason: str
    kind: str = "bill"  # bill | service
    status: str = "open"  # open | resolved
    outcome: str | None = None  # upheld | rejected
    refund: float | None = None
    resolution_note: str | None = None
    resolved_by: str | None = None
    resolved_at: str | None = None


class Proxy(BaseModel):
    """A family member or community worker allowed to act for a resident: place and follow their orders, approve
    extra charges. Linked with the resident's consent (a code sent to their phone); a revoked link is kept, with
    who ended it and when, and gives nothing."""

    resident_id: str
    proxy_id: str
    relation: str
    relation_en: str = ""
    status: Literal["active", "revoked"] = "active"
    linked_at: str | None = None  # None: seeded (demo data, before consent by code existed)
    consent: str | None = None  # how the resident consented: sms_code:<request id>
    revoked_at: str | None = None
    revoked_by: str | None = None  # the resident (revoked) or the proxy (withdrew)


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
    placed_by: str | None = None  # who placed it: the resident, or a proxy acting for them (None: stored before proxies existed)
    compound_id: str
    address_id: str | None = None
    address_label: str
    place: str | None = None
    photo_ref: str | None = None  # the resident's photo of the fault (a photo id)
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
    bill: list[BillLine] = Field(default_factory=list)  # the lines charged (while awaiting approval: the quoted ones)
    bill_total: float | None = None
    extra_lines: list[BillLine] = Field(default_factory=list)  # lines beyond the quote, for the resident's consent
    extra_total: float | None = None
    approval_outcome: str | None = None  # approved | rejected | partly_approved | timed_out | task_failed
    approval_by: str | None = None
    approval_at: str | None = None
    completed_at: str | None = None
    work_note: str | None = None  # the technician's words on what was done (required with an empty bill)
    doorstep: Doorstep | None = None  # the latest door-step check
    paused_reason: str | None = None  # doorstep_mismatch: the technician may not go on until it is lifted
    rework_of: str | None = None  # a re-work under warranty: the original order
    placed_via: str | None = None  # phone: placed by the property service desk for a caller
    reworked_by: str | None = None  # the original: its re-work order (one per order)
    completion_photos: list[str] = Field(default_factory=list)  # the technician's photos of the finished work
    dispute: Dispute | None = None
    rating_stars: int | None = None
    me_too_count: int = 0  # public-area reports: neighbours who reported the same problem again
    timeline: list[TimelineEntry] = Field(default_factory=list)
    created_at: str
    updated_at: str
    version: int = 1


class ApiKey(BaseModel):
    key_id: str  # lk_<company_id>.<random>: the key says whose it is, so it is found with one GetItem
    company_id: str
    label: str
    secret: str  # used to verify signatures; returned once, when the key is created
    created_at: str
    created_by: str
    revoked_at: str | None = None
    # What the key may do (shared.partner.SCOPES) and for whom: only staff who enrolled it themselves (its creator by
    # creating it); it stops working at `expires_at`. A key stored without these may do nothing.
    operations: list[str] = Field(default_factory=list)
    enrolled: list[str] = Field(default_factory=list)
    expires_at: str | None = None
