"""Certificate expiry (pure): what the daily job does for one technician on one (Beijing) day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from identity.domain.records import Certificate, User
from supervision.domain.qualifications import REQUIRED_CERTIFICATE, last_valid_day, valid_on

BEIJING = timedelta(hours=8)


def beijing_today(now: datetime | None = None) -> date:
    return ((now or datetime.now(UTC)).astimezone(UTC) + BEIJING).date()


@dataclass(frozen=True)
class Warning:
    certificate: Certificate
    days_left: int


@dataclass(frozen=True)
class ExpiryPlan:
    suspend: dict[str, list[str]]  # certificate kind → the skills needing it, suspended today
    warnings: list[Warning]


def _valid_on(user: User, kind: str, day: date) -> bool:
    return any(c.kind == kind and valid_on(c, day) for c in user.certificates)


def plan(user: User, today: date, warning_days: list[int]) -> ExpiryPlan:
    """`expires_on` is the last day a certificate is valid (as matching reads it); it has expired from the
    next day on, and the job that runs at 00:05 Beijing time that day suspends every skill needing it
    (unless another certificate of that kind is valid). Warnings go out exactly 30 and 7 days before the
    last valid day, unless a newer certificate of the same kind is already on file."""
    suspend: dict[str, list[str]] = {}
    for skill in user.skills:
        kind = REQUIRED_CERTIFICATE.get(skill)
        if kind and not _valid_on(user, kind, today):
            suspend.setdefault(kind, []).append(skill)
    warnings = []
    for cert in user.certificates:
        last = last_valid_day(cert)
        if last is None:  # no real date: it never counted as valid, so there is nothing to warn about
            continue
        days_left = (last - today).days
        needed = any(REQUIRED_CERTIFICATE.get(s) == cert.kind for s in user.skills)
        renewed = _valid_on(user, cert.kind, last + timedelta(days=1))
        if days_left in warning_days and needed and not renewed:
            warnings.append(Warning(cert, days_left))
    return ExpiryPlan(suspend=suspend, warnings=warnings)


def days_to_check(today: date, warning_days: list[int]) -> list[date]:
    """The last-valid days the job queries: yesterday (expired today) and today + each warning interval."""
    return [today - timedelta(days=1)] + [today + timedelta(days=d) for d in sorted(set(warning_days))]
