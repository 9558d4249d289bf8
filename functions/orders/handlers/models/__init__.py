"""API input and output shapes of the orders domain: an order (placing, working, cancelling it) and its views, the
caller's profile, the workflow history. Those of prices and bills, photos and acting for a resident are in this
package's `billing`, `photos` and `proxies`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, StrictBool

from matching.domain.records import MatchReason
from orders.domain.credentials import Credentials
from orders.domain.lifecycle import Category, OrderType
from orders.domain.records import BillLine, Dispute, Doorstep, Quote, Slot
from orders.handlers.models.fields import ISSUED_ID, STRICT
from shared import paging
from shared.inputs import Text


class SlotIn(BaseModel):
    model_config = STRICT
    start: str = Field(max_length=40, description="ISO 8601 start, e.g. 2026-11-25T09:00:00+08:00")
    end: str = Field(max_length=40)


class CreateOrderIn(BaseModel):
    model_config = STRICT
    type: OrderType
    category: Category
    description: Text = Field(min_length=1, max_length=500)
    address_id: str = Field(min_length=1, max_length=64)
    slot: SlotIn | None = None
    place: Text | None = Field(
        default=None, min_length=1, max_length=200, description="Public-area reports: where in the compound (e.g. 3号楼楼道)."
    )
    photo_ref: str | None = Field(
        default=None,
        pattern=ISSUED_ID,
        description="Optional photo of the fault: a `fault` photo id from POST /photos, uploaded.",
    )
    on_behalf_of: str | None = Field(
        default=None,
        pattern=ISSUED_ID,
        description="The resident the order is for, when the caller acts for them (GET /me `acting_for`); the address "
        "must be one of that resident's. Omitted: the caller's own order.",
    )
    channel: Literal["app", "phone"] = Field(
        default="app",
        description="How the order came in: the resident's app, or a phone call to the property service desk (a dispatcher "
        "placing it `on_behalf_of` a verified resident of its compounds; she is told by SMS).",
    )


class ProgressIn(BaseModel):
    model_config = STRICT
    status: Literal["en_route", "on_site"]


class ReworkIn(BaseModel):
    model_config = STRICT
    description: str = Field(min_length=1, max_length=500, description="What is wrong again, in the resident's words")


class DoorstepIn(BaseModel):
    model_config = STRICT
    match: StrictBool = Field(description="Did the code the technician said at the door match the resident's order code?")


class DispatchIn(BaseModel):
    model_config = STRICT
    technician_id: str = Field(min_length=1, max_length=64)


class CancelIn(BaseModel):
    model_config = STRICT
    reason: Text | None = Field(default=None, max_length=200)


class UnfoundedIn(BaseModel):
    model_config = STRICT
    reason: Text = Field(min_length=1, max_length=200, description="What was found: why the report is unfounded.")


class StatusText(BaseModel):
    zh: str
    en: str


class TechnicianView(BaseModel):
    technician_id: str
    name: str
    company_id: str | None
    company_name: str | None
    photo_ref: str | None = Field(default=None, description="The technician's profile photo (GET /orders/{id}/photos/{ref}).")
    credentials: Credentials | None = Field(
        default=None, description="Today's vetting and certificate status, for the resident to check at the door."
    )


class MatchView(BaseModel):
    round: int | None
    search_radius_m: int | None
    reason: MatchReason | None = Field(description="Why this technician was offered the order: each score term and the total.")


class TimelineView(BaseModel):
    status: str
    at: str = Field(description="ISO 8601 in UTC with milliseconds and the offset `Z`, like every instant of the API")
    actor: str | None = Field(
        default=None, description="Who did it: a user id, or `workflow` (the platform). Staff only; residents see names."
    )
    actor_name: str = Field(description="Who did it, by name (邻里平台 for the platform's own steps)")
    actor_role: str | None = Field(default=None, description="resident, technician, dispatcher, supervisor, or platform")
    note: str | None = None


class OrderView(BaseModel):
    order_id: str
    type: str
    category: str
    description: str
    status: str
    status_text: StatusText
    resident_id: str | None = Field(
        default=None, description="Residents and supervisors: whose order it is (the resident, also when a proxy placed it)."
    )
    placed_by: str | None = Field(default=None, description="Residents and supervisors: who placed it (a proxy or the resident).")
    placed_by_name: str | None = Field(default=None, description="When a proxy (or the service desk) placed it: their name.")
    placed_via: str | None = Field(default=None, description="`phone`: placed by the property service desk for a caller.")
    address_label: str
    place: str | None
    photo_ref: str | None = Field(default=None, description="The resident's photo of the fault (GET /orders/{id}/photos/{ref}).")
    slot: Slot | None
    quote: Quote
    order_code: str | None = Field(
        description="Shown to the resident, to check the technician at the door, and to the assigned technician once on "
        "his way (the code he says at the door)."
    )
    resident_phone: str | None = Field(
        default=None,
        description="The resident's phone number: shown only to the order's technician while the work is under way "
        "(assigned, en route, on site, awaiting approval), never before or after.",
    )
    technician: TechnicianView | None
    escalation_reason: str | None
    cancel_reason: str | None
    bill: list[BillLine]
    bill_total: float | None
    extra_lines: list[BillLine] = Field(description="Lines beyond the quote, each with its reason, photo and decision.")
    extra_total: float | None
    approval_outcome: str | None
    completed_at: str | None
    work_note: str | None = Field(default=None, description="The technician's words on what was done.")
    doorstep: Doorstep | None = Field(default=None, description="The resident's latest door-step check: match or mismatch.")
    paused_reason: str | None = Field(
        default=None, description="`doorstep_mismatch`: paused, the technician may not go on until it is lifted."
    )
    rework_of: str | None = Field(default=None, description="A re-work under warranty: the original order.")
    reworked_by: str | None = Field(default=None, description="The original: its re-work order.")
    completion_photos: list[str] = Field(default_factory=list, description="Photos of the finished work.")
    dispute: Dispute | None
    rating_stars: int | None
    me_too_count: int = Field(default=0, description="Public-area reports: neighbours who reported the same problem.")
    match: MatchView | None = Field(default=None, description="Supervisors only: the matching round and its reason.")
    timeline: list[TimelineView]
    created_at: str
    updated_at: str


class OrderList(BaseModel):
    orders: list[OrderView]
    next_cursor: paging.NextCursor = None


class AddressView(BaseModel):
    address_id: str
    compound_id: str
    label: str
    label_en: str
    status: str = Field(default="verified", description="pending | verified | rejected: only a verified one takes orders")
    status_reason: str | None = None


class ActingForView(BaseModel):
    resident_id: str
    name: str
    relation: str
    relation_en: str
    addresses: list[AddressView] = Field(description="Where an order for this resident may be placed.")


class MeView(BaseModel):
    user_id: str
    role: str
    name: str
    company_id: str | None = None
    addresses: list[AddressView] | None = None
    acting_for: list[ActingForView] | None = Field(
        default=None, description="Residents: the residents the caller acts for (linked with their consent)."
    )
    skills: list[str] | None = None
    on_duty: bool | None = None


class HistoryEvent(BaseModel):
    id: int
    previous_event_id: int | None
    timestamp: str
    type: str
    state: str | None
    details: dict


class HistoryView(BaseModel):
    order_id: str
    execution_arn: str
    execution_status: str
    source: Literal["live", "archive"] = Field(
        default="live",
        description="live: read from Step Functions; archive: from the history archive, once Step Functions no longer "
        "keeps the execution (90 days after its end)",
    )
    events: list[HistoryEvent]
