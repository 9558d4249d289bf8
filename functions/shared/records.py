"""Domain records: what the data layer hands to logic and handlers (never a PynamoDB model)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

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


class Company(BaseModel):
    company_id: str
    name: str
    name_en: str = ""
    status: str = "admitted"


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


class Channel(StrEnum):
    SMS = "sms"
    WECHAT = "wechat"  # a WeChat-style subscription message
    PUSH = "push"  # web push to the app; the app's inbox (GET /messages) always has it
    PHONE_CALL = "phone_call"  # the company's back office calls (elderly residents may prefer it)


class NotificationPreferences(BaseModel):
    channels: list[Channel] = Field(default_factory=lambda: [Channel.SMS], min_length=1)
    language: Literal["zh", "en"] = "zh"


class CallTask(BaseModel):
    task_id: str
    company_id: str
    resident_id: str
    resident_name: str
    phone: str
    order_id: str
    text_zh: str
    text_en: str
    created_at: str


class Message(BaseModel):
    message_id: str
    recipient_id: str
    channel: str
    order_id: str | None = None
    kind: str
    text_zh: str
    text_en: str
    created_at: str


class Webhook(BaseModel):
    company_id: str
    url: str
    events: list[str]
    enabled: bool = True
    updated_at: str


class WebhookSecret(BaseModel):
    secret_id: str
    secret: str
    created_at: str
    expires_at: str | None = None  # set when a newer secret replaces it: both sign until then


class DeliveryAttempt(BaseModel):
    at: str
    status_code: int | None = None
    error: str | None = None
    duration_ms: float


class WebhookDelivery(BaseModel):
    delivery_id: str  # the event id: receivers de-duplicate by it
    company_id: str
    event_type: str
    order_id: str
    status: Literal["retrying", "delivered", "failed"]
    attempts: list[DeliveryAttempt] = Field(default_factory=list)
    next_attempt_at: str | None = None
    payload: str  # the exact JSON body sent, for the company to read and replay
    updated_at: str
