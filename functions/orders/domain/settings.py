"""Orders: the workflow's timeouts, quotas of new orders, photos, proxies, disputes and re-work, deadline warnings
and the history archive."""

from __future__ import annotations

from pydantic import Field

from shared.settings import Settings, settings_of


class OrderSettings(Settings):
    # The OpenAPI document's file (orders.service.api_document); default: the one CDK writes into the functions' asset.
    openapi_document: str = ""
    # Photos (docs/api.md#photos): images only, under `photos/` of the documents bucket.
    photo_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, le=20 * 1024 * 1024)
    photo_upload_seconds: int = Field(default=600, ge=60, le=3600)
    photo_url_seconds: int = Field(default=300, ge=30, le=3600)  # a pre-signed GET is short-lived
    # The history archive (docs/workflow.md#the-history-archive): an ended order's execution history, gzipped JSON,
    # encrypted with this KMS key (its ARN), under `histories/` of its own bucket; Step Functions keeps it 90 days.
    history_archive_bucket: str = ""
    history_archive_key_id: str = ""
    history_archive_queue_url: str = ""
    history_archive_dlq_url: str = ""
    # An order that ended while its execution still runs (its last state) is tried again after 5 s, 10 s, 20 s …
    history_archive_retry_base_seconds: float = Field(default=5, ge=0)
    # Family and community proxies (docs/security.md#acting-for-a-resident): the resident's consent is a
    # 6-digit code sent to their phone; it lives this long, allows this many tries, and a requester waits this long
    # before asking again.
    proxy_code_seconds: int = Field(default=600, ge=1, le=3600)
    proxy_code_attempts: int = Field(default=5, ge=1, le=10)
    proxy_request_cooldown_seconds: int = Field(default=60, ge=0, le=3600)
    # Daily limits (Beijing days), so that nobody can flood a resident's phone with codes: requests per requester
    # (beyond it a 429), and codes sent to one resident whoever asks (beyond it none is sent; the answer is the same).
    proxy_requests_per_day: int = Field(default=10, ge=1, le=100)
    proxy_codes_per_resident_per_day: int = Field(default=5, ge=1, le=100)
    # Quotas of new orders (docs/security.md#security-review-findings), each a conditional counter per window: per
    # account that places them (a burst per minute, a Beijing day) and per address (all orders; public-area reports,
    # which cost the compound's company credit when unanswered). Over one: 429 `too_many_orders` with Retry-After.
    order_quotas_enabled: bool = True
    orders_per_account_per_minute: int = Field(default=3, ge=1, le=1000)
    orders_per_account_per_day: int = Field(default=20, ge=1, le=10000)
    orders_per_address_per_day: int = Field(default=10, ge=1, le=10000)
    public_reports_per_address_per_day: int = Field(default=3, ge=1, le=1000)
    rework_days: int = Field(default=30, ge=1)
    # A public-area report must be resolved (completed) this long after its acknowledgement (dispatch).
    public_area_resolve_seconds: int = 24 * 3600
    # Workflow timeouts (seconds). Passed into each execution so tests can use seconds.
    emergency_offer_seconds: int = 60
    booking_offer_seconds: int = 600
    company_dispatch_seconds: int = 2 * 3600
    escalation_seconds: int = 4 * 3600
    # The manual-dispatch wait failing beyond its Retry (an outage): tried again, then the order is unfulfilled.
    dispatch_wait_retries: int = Field(default=3, ge=0, le=10)
    dispatch_wait_retry_seconds: int = Field(default=300, ge=1, le=3600)
    completion_seconds: int = 24 * 3600
    rating_seconds: int = 7 * 24 * 3600
    approval_seconds: int = 24 * 3600  # the resident's consent to a bill beyond the quote
    # Deadline warnings (docs/workflow.md): a wait (dispatch, completion, approval) is warned about once, by the
    # first run of the DeadlineWarnings job (every 5 minutes) within this long of its deadline. Keep it longer
    # than the job's period. A wait no longer than this is not warned: it was announced when it began.
    deadline_warning_lead_seconds: int = Field(default=15 * 60, ge=1)
    # A resident who has not rated this long after the repair was done (the rating wait began) is reminded once,
    # by the same job: by WeChat with a `rating_reminder` consent, else by SMS. Not when the wait is no longer.
    rating_reminder_after_seconds: int = Field(default=24 * 3600, ge=60)
    # Prices: how long after completion a resident may dispute the bill.
    dispute_days: int = 7


def order_settings() -> OrderSettings:
    return settings_of(OrderSettings)
