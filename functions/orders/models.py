"""API input and output shapes of the orders domain."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.lifecycle import Category, OrderType
from shared.records import BillItem, MatchReason, Quote, Slot, TimelineEntry

_STRICT = ConfigDict(extra="forbid")


class SlotIn(BaseModel):
    model_config = _STRICT
    start: str = Field(description="ISO 8601 start, e.g. 2026-11-25T09:00:00+08:00")
    end: str


class CreateOrderIn(BaseModel):
    model_config = _STRICT
    type: OrderType
    category: Category
    description: str = Field(min_length=1, max_length=500)
    address_id: str = Field(min_length=1, max_length=64)
    slot: SlotIn | None = None
    place: str | None = Field(
        default=None, min_length=1, max_length=200, description="Public-area reports: where in the compound (e.g. 3号楼楼道)."
    )


class ProgressIn(BaseModel):
    model_config = _STRICT
    status: Literal["en_route", "on_site"]


class BillItemIn(BaseModel):
    model_config = _STRICT
    description: str = Field(min_length=1, max_length=200)
    quantity: float = Field(default=1, gt=0, le=100)
    unit_price: float = Field(default=0, ge=0, le=10000)


class CompletionIn(BaseModel):
    model_config = _STRICT
    items: list[BillItemIn] = Field(default_factory=list, max_length=50)


class DispatchIn(BaseModel):
    model_config = _STRICT
    technician_id: str = Field(min_length=1, max_length=64)


class CancelIn(BaseModel):
    model_config = _STRICT
    reason: str | None = Field(default=None, max_length=200)


class StatusText(BaseModel):
    zh: str
    en: str


class TechnicianView(BaseModel):
    technician_id: str
    name: str
    company_id: str | None
    company_name: str | None


class MatchView(BaseModel):
    round: int | None
    search_radius_m: int | None
    reason: MatchReason | None = Field(description="Why this technician was offered the order: each score term and the total.")


class OrderView(BaseModel):
    order_id: str
    type: str
    category: str
    description: str
    status: str
    status_text: StatusText
    address_label: str
    place: str | None
    slot: Slot | None
    quote: Quote
    order_code: str | None = Field(description="Shown to the resident, to check the technician at the door.")
    technician: TechnicianView | None
    escalation_reason: str | None
    cancel_reason: str | None
    bill: list[BillItem]
    bill_total: float | None
    rating_stars: int | None
    match: MatchView | None = Field(default=None, description="Supervisors only: the matching round and its reason.")
    timeline: list[TimelineEntry]
    created_at: str
    updated_at: str


class OrderList(BaseModel):
    orders: list[OrderView]


class AddressView(BaseModel):
    address_id: str
    compound_id: str
    label: str
    label_en: str


class MeView(BaseModel):
    user_id: str
    role: str
    name: str
    company_id: str | None = None
    addresses: list[AddressView] | None = None
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
    events: list[HistoryEvent]
