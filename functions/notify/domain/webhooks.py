"""Webhook rules (pure): which events a company receives, the retry schedule, the delivery job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel

from notify.domain.settings import NotifySettings
from shared.clock import iso
from shared.events import COMPANY_EVENTS, DomainEvent

WEBHOOK_EVENTS = COMPANY_EVENTS


@dataclass(frozen=True)
class Policy:
    """Where webhook deliveries may go (notify.service.webhook_http.check_url)."""

    allow_http: bool = False  # the sandbox only: plain http://
    allow_loopback: bool = False  # the sandbox only: 127.0.0.0/8 and ::1, any port


class DeliveryJob(BaseModel):
    """One event to deliver to one company, as it travels through the webhook queue between attempts."""

    company_id: str
    event: DomainEvent
    attempt: int = 0  # attempts made so far
    first_attempt_at: str | None = None
    not_before: str | None = None  # the next attempt is due then (SQS delays at most 15 min per hop)
    replay: bool = False  # asked for by the company: one attempt, no retries

    @property
    def delivery_id(self) -> str:
        return self.event.event_id


def webhook_policy(settings: NotifySettings) -> Policy:
    """Where deliveries may go: HTTPS to public addresses; the sandbox also plain http and loopback (its settings)."""
    return Policy(allow_http=settings.allow_http_webhooks, allow_loopback=settings.allow_loopback_webhooks)


def webhook_body(event: DomainEvent) -> bytes:
    """The JSON a company receives: the event without the door code, which only the resident may know, nor who
    placed the order for them."""
    return event.model_dump_json(exclude_none=True, exclude={"order": {"order_code", "placed_by"}}).encode()


def retry_delay(attempts_made: int, *, base_seconds: float, max_seconds: float) -> float:
    """Exponential backoff: base, 2×base, 4×base … capped (30 s, 1 min, 2 min … 1 h by default)."""
    return min(base_seconds * 2 ** max(attempts_made - 1, 0), max_seconds)


def next_attempt(
    job: DeliveryJob, *, now: datetime, base_seconds: float, max_seconds: float, window_seconds: float
) -> DeliveryJob | None:
    """The job for the next attempt after a failed one, or None when the retry window (a day) is over."""
    first = datetime.fromisoformat((job.first_attempt_at or iso(now)).replace("Z", "+00:00"))
    due = now + timedelta(seconds=retry_delay(job.attempt, base_seconds=base_seconds, max_seconds=max_seconds))
    if due > first + timedelta(seconds=window_seconds):
        return None
    return job.model_copy(update={"first_attempt_at": iso(first), "not_before": iso(due)})


def seconds_until(moment: str | None, now: datetime) -> float:
    if not moment:
        return 0.0
    return (datetime.fromisoformat(moment.replace("Z", "+00:00")) - now).total_seconds()
