"""Notifications, webhooks, web push and WeChat subscription messages (docs/integrators.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from shared.settings import Settings, settings_of


class NotifySettings(Settings):
    notifications_queue_url: str = ""
    notifications_dlq_url: str = ""
    webhook_queue_url: str = ""
    webhook_dlq_url: str = ""
    notification_retry_base_seconds: float = 2
    webhook_timeout_seconds: float = 5
    webhook_retry_base_seconds: float = 30
    webhook_retry_max_seconds: float = 3600
    webhook_retry_window_seconds: float = 24 * 3600
    webhook_secret_overlap_seconds: int = 24 * 3600
    # Only the sandbox delivers to plain http:// endpoints (a receiver on 127.0.0.1); AWS sends HTTPS only.
    allow_http_webhooks: bool = False
    # Only the sandbox delivers to loopback addresses (on any port); AWS delivers to public addresses on 443/8443 only.
    allow_loopback_webhooks: bool = False
    # Web push (docs/integrators.md#web-push): the notifications function posts each new message to the
    # recipient's open sockets through the API's management endpoint.
    push_endpoint: str = ""  # https://<api id>.execute-api.<region>.amazonaws.com/<stage>; empty: no web push
    push_connection_seconds: int = Field(default=2 * 3600, ge=60)  # API Gateway closes a socket after 2 h
    # WeChat subscription messages (docs/integrators.md): the template id of each message kind, as registered in
    # the mini-program's admin console (JSON: LINLI_WECHAT_TEMPLATE_IDS='{"order_accepted": "…"}'; a kind without
    # one goes by SMS), which version of the mini-program a message opens, and how long one caller may hold the
    # lease to renew the access token.
    wechat_template_ids: dict[str, str] = Field(default_factory=dict)
    # Where a registered template numbers a field otherwise (kind → {key as the platform names it → key in the
    # console}); the type (thing, time …) must be the same.
    wechat_template_keys: dict[str, dict[str, str]] = Field(default_factory=dict)
    wechat_miniprogram_state: Literal["developer", "trial", "formal"] = "formal"
    wechat_token_lease_seconds: float = Field(default=10, gt=0, le=60)

    @field_validator("wechat_template_keys")
    @classmethod
    def _same_field_types(cls, keys: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for kind, renamed in keys.items():
            for ours, theirs in renamed.items():
                if ours.rstrip("0123456789") != theirs.rstrip("0123456789"):
                    raise ValueError(f"{kind}: {ours} and {theirs} are fields of different types")
        return keys


def notify_settings() -> NotifySettings:
    return settings_of(NotifySettings)
