"""A property company, as the housing authority admits it and its credit record scores it."""

from __future__ import annotations

from pydantic import BaseModel, Field

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
