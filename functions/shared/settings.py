"""Runtime configuration, read from the environment lazily (never at import time)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LINLI_", extra="ignore")

    table_name: str = "linli"
    state_machine_arn: str = ""
    aws_region: str = Field(default="cn-north-1", validation_alias="AWS_REGION")

    # Events, notifications and webhooks (names and URLs set by CDK and by the sandbox).
    event_bus_name: str = "linli-events"
    notifications_queue_url: str = ""
    notifications_dlq_url: str = ""
    webhook_queue_url: str = ""
    webhook_dlq_url: str = ""
    webhook_timeout_seconds: float = 5
    webhook_retry_base_seconds: float = 30
    webhook_retry_max_seconds: float = 3600
    webhook_retry_window_seconds: float = 24 * 3600
    webhook_secret_overlap_seconds: int = 24 * 3600
    # Only the sandbox delivers to plain http:// endpoints (a receiver on 127.0.0.1); AWS sends HTTPS only.
    allow_http_webhooks: bool = False

    # Workflow timeouts (seconds). Passed into each execution so tests can use seconds.
    emergency_offer_seconds: int = 60
    booking_offer_seconds: int = 600
    company_dispatch_seconds: int = 2 * 3600
    escalation_seconds: int = 4 * 3600
    completion_seconds: int = 24 * 3600
    rating_seconds: int = 7 * 24 * 3600
    approval_seconds: int = 24 * 3600  # the resident's consent to a bill beyond the quote

    # Prices (issue 4): how long after completion a resident may dispute the bill.
    dispute_days: int = 7

    # Matching (the full engine is issue 3; these keep rounds bounded meanwhile).
    max_offer_rounds: int = 8
    search_radius_m: int = 5000


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
