"""API shapes of the notify domain."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from notify.domain.dead_letters import DeadLetter
from notify.domain.webhooks import WEBHOOK_EVENTS
from notify.store.messages import Message
from notify.store.notifications import CallTask, Channel, NotificationPreferences
from notify.store.webhooks import WebhookDelivery
from shared import paging
from shared.inputs import Text

_STRICT = ConfigDict(extra="forbid")


class MessageList(BaseModel):
    messages: list[Message]
    next_cursor: paging.NextCursor = None


class CallTaskList(BaseModel):
    call_tasks: list[CallTask]
    next_cursor: paging.NextCursor = None


class WebhookIn(BaseModel):
    model_config = _STRICT
    url: str = Field(max_length=500, description="The HTTPS endpoint that receives the company's events")
    events: list[Annotated[str, Field(max_length=60)]] = Field(
        default_factory=lambda: sorted(e.value for e in WEBHOOK_EVENTS),
        max_length=len(WEBHOOK_EVENTS),
        description="Event types to receive (default: all)",
    )
    enabled: bool = True

    @field_validator("events")
    @classmethod
    def _known_events(cls, events: list[str]) -> list[str]:
        unknown = sorted(set(events) - {e.value for e in WEBHOOK_EVENTS})
        if unknown:
            raise ValueError(f"unknown event types {unknown}")
        return sorted(set(events))


class NotificationPreferencesIn(BaseModel):
    model_config = _STRICT
    channels: list[Channel] = Field(min_length=1, max_length=len(Channel), description="Each channel at most once")
    language: Literal["zh", "en"] = "zh"

    def to_preferences(self) -> NotificationPreferences:
        return NotificationPreferences(channels=list(dict.fromkeys(self.channels)), language=self.language)


class WebhookView(BaseModel):
    company_id: str
    url: str
    events: list[str]
    enabled: bool
    updated_at: str
    secret: str | None = Field(
        default=None, description="Shown once: when the webhook is first registered or the secret is rotated"
    )
    previous_secret_valid_until: str | None = None


class DeliveryList(BaseModel):
    deliveries: list[WebhookDelivery]
    next_cursor: paging.NextCursor = None


class DeadLetterList(BaseModel):
    dead_letters: list[DeadLetter]
    next_cursor: paging.NextCursor = None


KeyScope = Literal["offers.read", "offers.answer", "orders.read", "orders.dispatch", "orders.progress", "orders.complete"]


class ApiKeyIn(BaseModel):
    model_config = _STRICT
    label: Text = Field(min_length=1, max_length=80, description="What the key is for, e.g. the system that uses it")
    operations: list[KeyScope] = Field(min_length=1, max_length=6, description="What the key may do (docs/integrators.md)")
    expires_in_days: int = Field(default=90, ge=1, le=365, description="The key stops working after this many days")

    @field_validator("operations")
    @classmethod
    def _once_each(cls, operations: list[str]) -> list[str]:
        return sorted(set(operations))


class ApiKeyView(BaseModel):
    key_id: str
    label: str
    created_at: str
    created_by: str
    revoked_at: str | None = None
    operations: list[str] = Field(default_factory=list)
    enrolled: list[str] = Field(default_factory=list, description="Staff who enrolled the key: it acts only for them")
    expires_at: str | None = None
    secret: str | None = Field(default=None, description="Shown once, when the key is created")


class ApiKeyList(BaseModel):
    api_keys: list[ApiKeyView]
    next_cursor: paging.NextCursor = None


class SubscriptionsIn(BaseModel):
    """What the mini-program's `wx.requestSubscribeMessage` asked and what the resident accepted."""

    model_config = _STRICT
    template_ids: list[str] = Field(min_length=1, max_length=20, description="The template ids the dialog asked")
    accepted: list[str] = Field(max_length=20, description="Those answered 'accept': one message each")


class SubscriptionsView(BaseModel):
    recorded: int = Field(description="How many consents were added")
    consents: dict[str, int] = Field(description="Template id → messages it may still carry, for the templates asked")
