"""API shapes of the matching domain."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from matching.service.availability import SlotView
from shared import paging


class OfferView(BaseModel):
    offer_id: str
    order_id: str
    status: str
    created_at: str
    expires_at: str
    order_type: str
    category: str
    description: str
    address_label: str
    place: str | None = None
    mode: str = Field(default="single", description="single: offered to you alone; grab: to a few at once, first to accept wins")


class OfferList(BaseModel):
    offers: list[OfferView]
    next_cursor: paging.NextCursor = None


class AvailabilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on_duty: bool
    # The service area: Beijing municipality's bounding box.
    lat: float = Field(ge=39.4, le=41.1)
    lng: float = Field(ge=115.4, le=117.6)


class AvailabilityView(BaseModel):
    technician_id: str
    on_duty: bool
    lat: float
    lng: float


class SlotList(BaseModel):
    category: str
    address_id: str
    slots: list[SlotView]
