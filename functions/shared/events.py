"""Domain events: what happened to an order, published on the event bus for notifications and webhooks.

Each event has a stable `event_id` derived from the change that caused it (the order's version, the
offer's status, the wait's deadline, the event that changed a credit score), so a retried stream batch or job
publishes the same ids and every consumer can de-duplicate.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from pydantic import BaseModel, Field

from shared.settings import get_settings

if TYPE_CHECKING:
    from identity.domain.records import User

EVENT_SOURCE = "linli.orders"
PUT_EVENTS_BATCH = 10  # EventBridge's limit per PutEvents call


class EventType(StrEnum):
    ORDER_SUBMITTED = "order.submitted"
    ORDER_OFFERED = "order.offered"
    ORDER_ASSIGNED = "order.assigned"
    ORDER_EN_ROUTE = "order.en_route"
    ORDER_ON_SITE = "order.on_site"
    ORDER_APPROVAL_NEEDED = "order.approval_needed"  # the bill went beyond the quote: the resident must approve
    ORDER_COMPLETED = "order.completed"
    ORDER_RATED = "order.rated"
    ORDER_CLOSED = "order.closed"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_ESCALATED = "order.escalated"
    OFFER_CREATED = "offer.created"
    OFFER_WITHDRAWN = "offer.withdrawn"
    OFFER_EXPIRED = "offer.expired"
    ORDER_DISPUTE_RESOLVED = "order.dispute_resolved"  # a supervisor decided a bill dispute (counts for credit)
    # A workflow wait (dispatch, completion, approval) runs out soon: `deadline_step` and `deadline_at` say which.
    ORDER_DEADLINE_APPROACHING = "order.deadline_approaching"
    # The repair was done `Settings.rating_reminder_after_seconds` ago and the resident has not rated: reminded once.
    ORDER_RATING_REMINDER = "order.rating_reminder"
    # An escalated order nobody acted on within `Settings.escalation_realert_seconds`: alerted a second time.
    ORDER_ESCALATION_UNANSWERED = "order.escalation_unanswered"
    # The resident's door-step check did not match the technician at her door: the order is paused.
    ORDER_DOORSTEP_MISMATCH = "order.doorstep_mismatch"
    # Supervision: about a company or a technician, not an order (`order` is absent).
    COMPANY_ADMISSION_DECIDED = "company.admission_decided"  # admitted, rejected, suspended, reinstated
    TECHNICIAN_ADMISSION_DECIDED = "technician.admission_decided"
    CERTIFICATE_EXPIRING = "certificate.expiring"  # 30 and 7 days before the expiry day
    CERTIFICATE_EXPIRED = "certificate.expired"  # the skills needing it were suspended
    CREDIT_SUSPENDED = "credit.suspended"  # the score fell below the threshold: suspended from matching
    CREDIT_CHANGED = "credit.changed"  # the company's credit score changed (after a finished order, a dispute …)


E = EventType
SUPERVISION_EVENTS = frozenset(
    {
        E.COMPANY_ADMISSION_DECIDED,
        E.TECHNICIAN_ADMISSION_DECIDED,
        E.CERTIFICATE_EXPIRING,
        E.CERTIFICATE_EXPIRED,
        E.CREDIT_SUSPENDED,
        E.CREDIT_CHANGED,
    }
)
# What a company's own system is told (webhooks): its offers and orders, and what supervision decided about the
# company and its technicians (events about a technician of no company go to no webhook).
COMPANY_EVENTS = frozenset(
    {
        E.OFFER_CREATED,
        E.OFFER_WITHDRAWN,
        E.OFFER_EXPIRED,
        E.ORDER_ASSIGNED,
        E.ORDER_CANCELLED,
        E.ORDER_APPROVAL_NEEDED,
        E.ORDER_COMPLETED,
        E.ORDER_RATED,
        E.ORDER_ESCALATED,
        E.ORDER_DEADLINE_APPROACHING,
    }
    | SUPERVISION_EVENTS
)


class OrderSnapshot(BaseModel):
    """What an event tells about the order: enough to act on, never a task token or a phone number."""

    order_id: str
    order_type: str
    category: str
    status: str
    order_code: str | None = None  # for the resident's messages; never sent to companies (webhook_body)
    compound_id: str
    resident_id: str
    placed_by: str | None = None  # a proxy who placed it for the resident; never sent to companies
    technician_id: str | None = None
    company_id: str | None = None
    bill_total: float | None = None
    extra_total: float | None = None  # awaiting approval: what the lines beyond the quote would add
    rating_stars: int | None = None
    escalation_reason: str | None = None
    cancel_reason: str | None = None
    rework_of: str | None = None  # a re-work under warranty: the original order
    placed_via: str | None = None  # phone: placed by the property service desk for a caller; never sent to companies

    @classmethod
    def of(cls, order: Mapping[str, Any]) -> OrderSnapshot:
        """The snapshot of an order given as a mapping (a stream image or a dumped record)."""
        return cls.model_validate({k: order.get(k) for k in cls.model_fields if order.get(k) is not None})


class SubjectSnapshot(BaseModel):
    """What a supervision event is about: a company, or one of its technicians (and a certificate)."""

    company_id: str
    technician_id: str | None = None
    name: str = ""
    decision: str | None = None  # approve | reject | suspend | reinstate (admission decisions)
    status: str | None = None  # the status after the decision
    reason: str | None = None
    certificate_kind: str | None = None
    expires_on: str | None = None
    days_left: int | None = None
    skills: list[str] | None = None  # the skills suspended by an expired certificate
    credit_score: float | None = None
    previous_credit_score: float | None = None  # credit.changed: the score before
    threshold: float | None = None

    @classmethod
    def of_technician(cls, tech: User, **facts: Any) -> SubjectSnapshot:
        """A technician as a supervision event names him (his company, id and name), with the event's own facts."""
        return cls(company_id=tech.company_id or "", technician_id=tech.user_id, name=tech.name, **facts)


class DomainEvent(BaseModel):
    event_id: str = Field(description="Stable id: the same change always has the same id (de-duplicate by it)")
    type: EventType
    occurred_at: str
    company_id: str | None = Field(
        default=None,
        description="The company concerned: the order's once assigned, else that of the technician offered (a public-area "
        "report's contracted company for its dispatch deadline); the company a supervision event is about",
    )
    order: OrderSnapshot | None = Field(default=None, description="Absent only for supervision events (`subject` instead)")
    subject: SubjectSnapshot | None = None
    previous_status: str | None = None
    offer_id: str | None = None
    offer_technician_id: str | None = None
    offer_expires_at: str | None = None
    deadline_step: str | None = Field(default=None, description="Deadline warnings: the wait (dispatch, completion, approval)")
    deadline_at: str | None = Field(default=None, description="Deadline warnings: when the wait runs out (UTC)")
    escalated_at: str | None = Field(default=None, description="Second escalation alerts: when the order was escalated")


@lru_cache(maxsize=1)
def _client() -> Any:
    return boto3.client("events", region_name=get_settings().aws_region)


def reset() -> None:
    _client.cache_clear()


def publish(events: list[DomainEvent]) -> None:
    """Put the events on the bus; raises if any entry failed, so the stream batch is retried."""
    bus = get_settings().event_bus_name
    for start in range(0, len(events), PUT_EVENTS_BATCH):
        batch = events[start : start + PUT_EVENTS_BATCH]
        response = _client().put_events(
            Entries=[
                {
                    "Source": EVENT_SOURCE,
                    "DetailType": event.type.value,
                    "Detail": event.model_dump_json(exclude_none=True),  # absent, not null: rules test `exists`
                    "EventBusName": bus,
                }
                for event in batch
            ]
        )
        if response.get("FailedEntryCount"):
            failed = [e.get("ErrorCode") for e in response["Entries"] if e.get("ErrorCode")]
            raise RuntimeError(f"EventBridge refused {len(failed)} events: {failed}")
