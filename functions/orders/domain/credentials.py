"""What a resident can check about the technician at the door (pure): is he vetted, is his company
admitted, and does he hold, valid today, the certificate this kind of work needs."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from identity.domain.records import User
from supervision.domain.qualifications import CERTIFICATE_NAMES, REQUIRED_CERTIFICATE, certificate_valid
from supervision.domain.records import Company

ACTIVE, ADMITTED = "active", "admitted"  # the vetting statuses matching requires (docs/supervision.md)


class CertificateCheck(BaseModel):
    kind: str
    name: str
    name_en: str
    expires_on: str | None = Field(description="The last valid day of the latest such certificate held; None: none on file.")
    valid_today: bool


class Credentials(BaseModel):
    checked_on: str = Field(description="The Beijing date the check is for (today).")
    technician_active: bool = Field(description="Vetted by the supervisors and not suspended.")
    company_admitted: bool
    certificate: CertificateCheck | None = Field(description="None: this kind of work needs no certificate.")
    ok: bool = Field(description="All of the above hold today.")


def check(tech: User | None, company: Company | None, category: str, today: date) -> Credentials:
    active = tech is not None and tech.status == ACTIVE
    admitted = company is not None and company.status == ADMITTED
    certificate = None
    kind = REQUIRED_CERTIFICATE.get(category)
    if kind is not None:
        held = sorted(c.expires_on for c in (tech.certificates if tech else []) if c.kind == kind)
        name, name_en = CERTIFICATE_NAMES.get(kind, (kind, kind))
        certificate = CertificateCheck(
            kind=kind,
            name=name,
            name_en=name_en,
            expires_on=held[-1] if held else None,
            valid_today=tech is not None and certificate_valid(tech, category, today),
        )
    return Credentials(
        checked_on=today.isoformat(),
        technician_active=active,
        company_admitted=admitted,
        certificate=certificate,
        ok=active and admitted and (certificate is None or certificate.valid_today),
    )
