"""Which certificate each repair category needs: the one place this mapping lives.

Electrical work on building wiring needs the low-voltage electrician's special-operations certificate
(低压电工作业证); opening locks needs the locksmith's public-security registration (开锁备案). The others
need no certificate beyond the company's vetting.
"""

from __future__ import annotations

from datetime import date

from identity.domain.records import Certificate, User

REQUIRED_CERTIFICATE: dict[str, str | None] = {
    "electrical": "electrician_low_voltage",
    "locks": "locksmith_registration",
    "plumbing": None,
    "appliances": None,
    "other": None,
}

CERTIFICATE_NAMES = {
    "electrician_low_voltage": ("低压电工作业证", "Low-voltage electrician's operating certificate"),
    "locksmith_registration": ("开锁备案", "Locksmith's public-security registration"),
}


def certificates_needed(skills: list[str]) -> list[str]:
    """The certificate kinds a technician with these skills must hold, sorted."""
    return sorted({kind for skill in skills if (kind := REQUIRED_CERTIFICATE.get(skill))})


def certificate_valid(tech: User, category: str, service_date: date) -> bool:
    """True if the category needs no certificate, or the technician holds it valid on that date."""
    kind = REQUIRED_CERTIFICATE.get(category)
    if kind is None:
        return True
    return any(c.kind == kind and valid_on(c, service_date) for c in tech.certificates)


def last_valid_day(certificate: Certificate) -> date | None:
    """The certificate's last valid day; None when its record holds no real date (it then qualifies for nothing)."""
    try:
        return date.fromisoformat(certificate.expires_on)
    except (TypeError, ValueError):
        return None


def valid_on(certificate: Certificate, day: date) -> bool:
    last = last_valid_day(certificate)
    return last is not None and last >= day
