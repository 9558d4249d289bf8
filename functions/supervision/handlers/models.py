"""API input and output shapes of the supervision domain."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from identity.domain.records import Certificate
from orders.domain.lifecycle import Category
from shared import paging
from shared.inputs import ID_PATTERN, OptionalText, Text
from supervision.domain.admission import Decision
from supervision.domain.audit import Verification
from supervision.domain.credit import Score, ScorePoint
from supervision.domain.records import Company
from supervision.domain.stats import OrderStats
from supervision.store.audit import AuditEntry
from supervision.store.credit import CreditEvent
from supervision.store.staff_records import Renewal

_STRICT = ConfigDict(extra="forbid")


class DocumentIn(BaseModel):
    model_config = _STRICT
    kind: Literal["business_licence", "qualification", "certificate", "identity"]
    filename: Text = Field(min_length=1, max_length=120, pattern=r"^[^/\\]+$")
    content_type: Literal["application/pdf", "image/jpeg", "image/png"]
    size: int = Field(ge=1, description="The file's exact length in bytes (signed into the upload URL; at most 10 MB)")


class UploadView(BaseModel):
    document_id: str
    method: str = "PUT"
    upload_url: str
    headers: dict[str, str]
    expires_in: int


class DownloadView(BaseModel):
    document_id: str
    filename: str
    kind: str
    download_url: str
    expires_in: int


class ApplicationIn(BaseModel):
    model_config = _STRICT
    name: Text = Field(min_length=2, max_length=100)
    name_en: OptionalText = Field(default="", max_length=100)
    licence_number: str = Field(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$", description="统一社会信用代码 (18 characters)")
    documents: list[Annotated[str, Field(pattern=ID_PATTERN)]] = Field(
        min_length=1, max_length=20, description="document ids of uploaded qualification documents"
    )


class CertificateIn(BaseModel):
    model_config = _STRICT
    kind: Text = Field(min_length=1, max_length=60)
    issuer: Text = Field(min_length=1, max_length=100)
    number: Text = Field(min_length=1, max_length=60)
    # The calendar and the bounds are checked with the other certificate rules (400 validation_error naming the day).
    expires_on: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="The last valid day, a real calendar date")
    document_id: str | None = Field(default=None, pattern=ID_PATTERN)


class RenewalIn(BaseModel):
    """A renewed certificate: its scan (document_id, uploaded through POST /documents) and real dates."""

    model_config = _STRICT
    kind: Text = Field(min_length=1, max_length=60)
    issuer: Text = Field(min_length=1, max_length=100)
    number: Text = Field(min_length=1, max_length=60)
    issued_on: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    expires_on: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    document_id: str = Field(pattern=ID_PATTERN)


class RenewalDecisionIn(BaseModel):
    model_config = _STRICT
    decision: Literal["approve", "reject"]
    reason: Text | None = Field(default=None, max_length=500)


class RenewalList(BaseModel):
    renewals: list[Renewal]
    next_cursor: paging.NextCursor = None


class TechnicianIn(BaseModel):
    model_config = _STRICT
    name: Text = Field(min_length=1, max_length=60)
    phone: str = Field(pattern=r"^1\d{10}$")
    id_number: str = Field(pattern=r"^\d{17}[\dXx]$", description="居民身份证号; only a masked form is stored")
    skills: list[Category] = Field(min_length=1, max_length=len(Category))
    certificates: list[CertificateIn] = Field(default_factory=list, max_length=10)

    @field_validator("skills")
    @classmethod
    def _distinct(cls, skills: list[Category]) -> list[Category]:
        return list(dict.fromkeys(skills))


class TechnicianView(BaseModel):
    user_id: str
    name: str
    company_id: str | None
    status: str
    status_reason: str | None = None
    skills: list[str]
    suspended_skills: list[str]
    certificates: list[Certificate]
    id_number_masked: str | None = None
    registered_at: str | None = None


class StaffView(BaseModel):
    company_id: str
    technicians: list[TechnicianView] = Field(description="every technician the company registered, with their vetting status")
    next_cursor: paging.NextCursor = None


class DocumentSummary(BaseModel):
    document_id: str
    kind: str
    filename: str


class AdmissionView(BaseModel):
    """The company's own admission record: `not_applied` until its first application."""

    company_id: str
    status: Literal["not_applied", "pending", "admitted", "rejected", "suspended"]
    name: str = ""
    name_en: str = ""
    licence_number: str | None = None
    documents: list[DocumentSummary] = Field(default_factory=list)
    applied_at: str | None = None
    status_reason: str | None = Field(default=None, description="the supervisor's reason for a rejection or suspension")
    status_changed_at: str | None = None


class DecisionIn(BaseModel):
    model_config = _STRICT
    decision: Decision
    reason: Text | None = Field(default=None, max_length=500)


class VettingView(BaseModel):
    companies: list[Company] = Field(default_factory=list)
    technicians: list[TechnicianView] = Field(default_factory=list)
    next_cursor: paging.NextCursor = None


class CreditView(BaseModel):
    company_id: str
    name: str
    status: str
    credit_score: float
    threshold: float
    breakdown: Score
    history: list[ScorePoint] = Field(description="the formula's score at the end of each day with a credit event")
    events: list[CreditEvent]


class RankingEntry(BaseModel):
    company_id: str
    name: str
    status: str
    credit_score: float


class RankingView(BaseModel):
    companies: list[RankingEntry]
    next_cursor: paging.NextCursor = None


class AuditView(BaseModel):
    order_id: str
    verification: Verification
    entries: list[AuditEntry]


class StuckOrder(BaseModel):
    order_id: str
    order_type: str
    status: str
    company_id: str | None
    compound_id: str
    created_at: str
    minutes_open: float
    limit_minutes: int
    escalation_reason: str | None = None


class StuckView(BaseModel):
    orders: list[StuckOrder]
    next_cursor: paging.NextCursor = None


class ReportView(BaseModel):
    order_id: str
    category: str
    description: str
    place: str | None
    status: str
    me_too_count: int
    created_at: str


class ReportList(BaseModel):
    compound_id: str
    reports: list[ReportView]
    next_cursor: paging.NextCursor = None


class MeTooView(BaseModel):
    order_id: str
    me_too_count: int
    added: bool


class StatsView(BaseModel):
    scope: dict[str, str | None]
    residents: int | None = Field(description="registered residents (with an address in the compound, or in the district)")
    service_staff: int = Field(description="technicians of the company, or of every company")
    companies: int | None = None
    orders: OrderStats
