"""Scheduled daily (00:05 Beijing time): suspend the skills whose certificate expired, warn the companies 30 and
7 days ahead. `{"date": "YYYY-MM-DD"}` runs it for that Beijing day (the sandbox and tests use it).

Reads only the technicians whose certificates end on the days concerned (Query gsi4 CERTEXP#<day>); event ids
are stable per technician, certificate and day, so a rerun publishes nothing new to the consumers."""

from __future__ import annotations

import datetime as dt
from datetime import date

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from identity.service import accounts
from shared import clock, events
from shared.events import DomainEvent, EventType, SubjectSnapshot
from shared.observability import logger, tracer
from supervision.domain import expiry
from supervision.domain.settings import supervision_settings
from supervision.service import operations


class ExpiryRun(BaseModel):
    date: dt.date | None = None


class ExpiryResult(BaseModel):
    date: str
    technicians_checked: int
    suspended: dict[str, list[str]]  # technician → skills suspended today
    warnings: int


def run(day: date) -> ExpiryResult:
    settings = supervision_settings()
    at = clock.now_iso()
    ids = sorted(
        {
            t
            for d in expiry.days_to_check(day, settings.certificate_warning_days)
            for t in accounts.technicians_with_certificates_expiring(d.isoformat())
        }
    )
    suspended: dict[str, list[str]] = {}
    published: list[DomainEvent] = []
    for tech_id in ids:
        tech = accounts.get_user(tech_id)
        if tech is None or tech.role != "technician":
            continue
        plan = expiry.plan(tech, day, settings.certificate_warning_days)
        lost = sorted({s for skills in plan.suspend.values() for s in skills})
        if lost:
            accounts.set_skills(
                tech.user_id, [s for s in tech.skills if s not in lost], sorted(set(tech.suspended_skills) | set(lost))
            )
            suspended[tech.user_id] = lost
        for kind, skills in plan.suspend.items():
            last_valid = max((c.expires_on for c in tech.certificates if c.kind == kind), default="")
            operations.append(
                f"technician:{tech.user_id}",
                source_id=f"expired:{kind}:{day.isoformat()}",
                kind="certificate.expired",
                actor="certificate-expiry",
                at=at,
                detail={"certificate": kind, "expires_on": last_valid, "skills": skills},
            )
            published.append(_event(EventType.CERTIFICATE_EXPIRED, tech, kind, last_valid, day, at, skills=skills))
        for warning in plan.warnings:
            published.append(
                _event(
                    EventType.CERTIFICATE_EXPIRING,
                    tech,
                    warning.certificate.kind,
                    warning.certificate.expires_on,
                    day,
                    at,
                    days_left=warning.days_left,
                )
            )
    if published:
        events.publish(published)
    return ExpiryResult(
        date=day.isoformat(),
        technicians_checked=len(ids),
        suspended=suspended,
        warnings=sum(1 for e in published if e.type == EventType.CERTIFICATE_EXPIRING),
    )


def _event(kind: EventType, tech, cert_kind: str, expires_on: str, day: date, at: str, **extra) -> DomainEvent:
    return DomainEvent(
        event_id=f"evt_{kind.value.replace('.', '_')}_{tech.user_id}_{cert_kind}_{day.isoformat()}",
        type=kind,
        occurred_at=at,
        company_id=tech.company_id,
        subject=SubjectSnapshot.of_technician(tech, certificate_kind=cert_kind, expires_on=expires_on, **extra),
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    # A scheduled event carries no date: today in Beijing.
    requested = ExpiryRun.model_validate({"date": event.get("date")} if isinstance(event, dict) else {})
    return run(requested.date or expiry.beijing_today()).model_dump()
