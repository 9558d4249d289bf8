"""The kernel's one record: a company's API key, which the signed /partner calls are verified with."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
