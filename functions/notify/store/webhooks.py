"""A company's webhook: its endpoint, its signing secrets (rotated with an overlap) and its delivery log."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from shared.dal.base import ensure_bound, query_page
from shared.dal.tables import item_of


class Webhook(BaseModel):
    company_id: str
    url: str
    events: list[str]
    enabled: bool = True
    updated_at: str


class WebhookSecret(BaseModel):
    secret_id: str
    secret: str  # the table is encrypted at rest; never returned after creation
    created_at: str
    expires_at: str | None = None  # set when a newer secret replaces it: both sign until then


class DeliveryAttempt(BaseModel):
    at: str
    status_code: int | None = None
    error: str | None = None
    duration_ms: float


class WebhookDelivery(BaseModel):
    delivery_id: str  # the event id: receivers de-duplicate by it
    company_id: str
    event_type: str
    order_id: str | None = None  # absent for events about the company or its technicians (credit, admission …)
    status: Literal["retrying", "delivered", "failed"]
    attempts: list[DeliveryAttempt] = Field(default_factory=list)
    next_attempt_at: str | None = None
    payload: str  # the exact JSON body sent, for the company to read and replay
    updated_at: str


WebhookItem = item_of(Webhook, "WebhookItem")
WebhookSecretItem = item_of(WebhookSecret, "WebhookSecretItem")


class DeliveryAttemptMap(MapAttribute):
    at = UnicodeAttribute()
    status_code = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)
    duration_ms = NumberAttribute()


WebhookDeliveryItem = item_of(
    WebhookDelivery,
    "WebhookDeliveryItem",
    attempts=ListAttribute(of=DeliveryAttemptMap, default=list),
)


WEBHOOK = "WEBHOOK"


def _company(company_id: str) -> str:
    return f"COMPANY#{company_id}"


def get(company_id: str) -> Webhook | None:
    ensure_bound()
    try:
        item = WebhookItem.get(_company(company_id), WEBHOOK)
    except WebhookItem.DoesNotExist:
        return None
    return Webhook(
        company_id=item.company_id, url=item.url, events=list(item.events), enabled=item.enabled, updated_at=item.updated_at
    )


def put(webhook: Webhook) -> None:
    ensure_bound()
    WebhookItem(_company(webhook.company_id), WEBHOOK, **webhook.model_dump()).save()


def secrets(company_id: str) -> list[WebhookSecret]:
    """Every secret of the company, newest first."""
    ensure_bound()
    items = WebhookSecretItem.query(_company(company_id), WebhookSecretItem.sk.startswith("SECRET#"), scan_index_forward=False)
    return [WebhookSecret(**{k: getattr(i, k) for k in WebhookSecret.model_fields}) for i in items]


def add_secret(company_id: str, new: WebhookSecret, *, retire_others_at: str) -> None:
    """Store the new secret; the ones still current keep signing until `retire_others_at`."""
    ensure_bound()
    for old in secrets(company_id):
        if old.expires_at is None:
            WebhookSecretItem(_company(company_id), f"SECRET#{old.created_at}#{old.secret_id}").update(
                actions=[WebhookSecretItem.expires_at.set(retire_others_at)]
            )
    WebhookSecretItem(_company(company_id), f"SECRET#{new.created_at}#{new.secret_id}", **new.model_dump()).save()


def _delivery(item: WebhookDeliveryItem) -> WebhookDelivery:
    return WebhookDelivery(
        delivery_id=item.delivery_id,
        company_id=item.company_id,
        event_type=item.event_type,
        order_id=item.order_id,
        status=item.status,
        attempts=[DeliveryAttempt(**a.as_dict()) for a in item.attempts or []],
        next_attempt_at=item.next_attempt_at,
        payload=item.payload,
        updated_at=item.updated_at,
    )


def get_delivery(company_id: str, delivery_id: str) -> WebhookDelivery | None:
    ensure_bound()
    try:
        return _delivery(WebhookDeliveryItem.get(_company(company_id), f"DELIVERY#{delivery_id}"))
    except WebhookDeliveryItem.DoesNotExist:
        return None


def record_attempt(delivery: WebhookDelivery, attempt: DeliveryAttempt) -> None:
    """Append the attempt and set the delivery's state (creating the log entry on the first attempt)."""
    ensure_bound()
    item = WebhookDeliveryItem(_company(delivery.company_id), f"DELIVERY#{delivery.delivery_id}")
    item.update(
        actions=[
            WebhookDeliveryItem.delivery_id.set(delivery.delivery_id),
            WebhookDeliveryItem.company_id.set(delivery.company_id),
            WebhookDeliveryItem.event_type.set(delivery.event_type),
            WebhookDeliveryItem.order_id.set(delivery.order_id) if delivery.order_id else WebhookDeliveryItem.order_id.remove(),
            WebhookDeliveryItem.status.set(delivery.status),
            WebhookDeliveryItem.next_attempt_at.set(delivery.next_attempt_at)
            if delivery.next_attempt_at
            else WebhookDeliveryItem.next_attempt_at.remove(),
            WebhookDeliveryItem.payload.set(delivery.payload),
            WebhookDeliveryItem.updated_at.set(delivery.updated_at),
            # list_append(if_not_exists(attempts, []), [attempt]): no read needed first.
            WebhookDeliveryItem.attempts.set(
                (WebhookDeliveryItem.attempts | []).append([DeliveryAttemptMap(**attempt.model_dump())])
            ),
        ]
    )


def deliveries(
    company_id: str, *, after: dict[str, str] | None = None, limit: int = 50
) -> tuple[list[WebhookDelivery], dict[str, str] | None]:
    """A page of the company's webhook deliveries, newest first, and the key to continue after."""
    ensure_bound()
    items, resume = query_page(
        WebhookDeliveryItem,
        _company(company_id),
        WebhookDeliveryItem.sk.startswith("DELIVERY#"),
        after=after,
        limit=limit,
        scan_index_forward=False,
    )
    return [_delivery(i) for i in items], resume
