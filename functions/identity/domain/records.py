"""An account: a resident, a technician (with his skills and certificates), a dispatcher or a supervisor."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
