"""A resident's address in a compound, and her claim to it."""

from __future__ import annotations

from pydantic import BaseModel


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
