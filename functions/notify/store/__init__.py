"""What the notify domain keeps for WeChat subscription messages: each resident's one-time consents per template,
the shared access token with the lease that lets one caller at a time renew it, and the messages WeChat refused
(dead letters). `WeChatStore` is the port; `dynamodb.DynamoStore` keeps it in the single table,
`memory.MemoryStore` in a dict (unit tests). Both pass tests/contract/test_notify_wechat_store.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CachedToken:
    token: str
    renew_at: float  # epoch seconds: after this, the next caller renews it
    expires_at: float  # epoch seconds: WeChat's expiry


@dataclass(frozen=True)
class WeChatDeadLetter:
    """A subscription message WeChat would not take (and what was done instead)."""

    message_id: str
    recipient_id: str
    kind: str
    template_id: str
    order_id: str | None
    errcode: int | None  # None: WeChat could not be reached
    errmsg: str
    fallback: str  # "sms" when the resident was told by SMS instead, "none" otherwise
    at: str


class WeChatStore(Protocol):
    # --- One-time consents (per resident and template) -------------------------------------------------
    def add_consents(self, user_id: str, template_ids: list[str], *, now: str) -> None:
        """One more consent for each id (an id listed twice counts twice)."""
        ...

    def consents(self, user_id: str) -> dict[str, int]:
        """Template id → consents left (only templates ever consented to)."""
        ...

    def spend_consent(self, user_id: str, template_id: str) -> bool:
        """Take one consent, never below zero (a condition of the write); False when none was left."""
        ...

    def return_consent(self, user_id: str, template_id: str) -> None:
        """Give back a consent spent on a message WeChat did not deliver."""
        ...

    def clear_consents(self, user_id: str, template_id: str) -> None:
        """None left (WeChat said the resident refused: 43101)."""
        ...

    # --- The access token, shared by every function instance --------------------------------------------
    def cached_token(self) -> CachedToken | None: ...

    def put_token(self, token: CachedToken) -> None: ...

    def take_lease(self, owner: str, *, now: float, seconds: float) -> bool:
        """Hold the renewal lease until now + seconds, unless another owner holds it past `now` (a conditional
        write: of parallel callers exactly one wins)."""
        ...

    def release_lease(self, owner: str) -> None:
        """Give the lease up, if `owner` still holds it."""
        ...

    # --- Dead letters -----------------------------------------------------------------------------------
    def add_dead_letter(self, letter: WeChatDeadLetter) -> None: ...

    def dead_letters(self, limit: int = 50) -> list[WeChatDeadLetter]:
        """Newest first."""
        ...
