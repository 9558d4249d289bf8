"""The order and what it holds (its booked slot, quote, bill, doorstep check, dispute, timeline), and the proxy
link that lets someone act for a resident."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from matching.domain.records import MatchReason


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
