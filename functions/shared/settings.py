"""Runtime configuration, read from the environment lazily (never at import time)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator
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
    # Signed /partner calls (shared.partner): per API key, calls a minute; per source address, failed verifications
    # a minute, beyond which that address's /partner calls are refused for the rest of the minute.
    partner_calls_per_key_per_minute: int = Field(default=600, ge=1)
    partner_failures_per_source_per_minute: int = Field(default=30, ge=1)

    # Sign-in (docs/security.md#signing-in): the platform is its own token issuer. Access tokens are ES256 JWTs signed
    # by a KMS key; the first of the signing keys signs, all of them are published in the JWKS (two during a rotation).
    # The WebSocket API's $connect checks the same tokens as the HTTP API's JWT authorizer, keys from the JWKS.
    token_issuer: str = ""  # https URL: the API's own base URL in AWS
    token_audience: str = "linli"
    token_signing_key_ids: str = ""  # comma-separated KMS key ids, ARNs or aliases
    jwks_url: str = ""  # where verifiers fetch the keys; default: <issuer>/.well-known/jwks.json
    # The OpenAPI document's file (orders.service.api_document); default: the one CDK writes into the functions' asset.
    openapi_document: str = ""
    access_token_seconds: int = Field(default=900, ge=60, le=900)
    refresh_token_seconds: int = Field(default=30 * 24 * 3600, ge=3600, le=90 * 24 * 3600)
    # One-time sign-in codes by SMS: valid this long, this many tries, a wait between two sends to one number and a
    # cap per number and Beijing day (counted for every number, with an account or not: the answers are the same).
    login_code_seconds: int = Field(default=300, ge=60, le=600)
    login_code_attempts: int = Field(default=5, ge=1, le=10)
    login_code_cooldown_seconds: int = Field(default=60, ge=0, le=3600)
    login_codes_per_day: int = Field(default=10, ge=1, le=100)

    # Web push (docs/integrators.md#web-push): the notifications function posts each new message to the
    # recipient's open sockets through the API's management endpoint.
    push_endpoint: str = ""  # https://<api id>.execute-api.<region>.amazonaws.com/<stage>; empty: no web push
    push_connection_seconds: int = Field(default=2 * 3600, ge=60)  # API Gateway closes a socket after 2 h

    # Supervision (docs/supervision.md).
    supervision_queue_url: str = ""
    supervision_dlq_url: str = ""
    documents_bucket: str = ""
    document_url_seconds: int = Field(default=900, ge=60, le=3600)
    # A company document's upload is signed with its exact length, at most this (S3 refuses any other length).
    document_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    # Where browsers reach S3 in pre-signed URLs: empty in AWS (the regional endpoint); the sandbox sets its own
    # HTTP front (`<sandbox>/s3`, path-style), which a browser can open, unlike moto's in-process S3.
    storage_public_endpoint: str = ""
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
    certificate_warning_days: list[int] = Field(default_factory=lambda: [30, 7])
    credit_suspend_threshold: float = Field(default=40, ge=0, le=100)
    credit_prior_stars: float = Field(default=4.0, ge=1, le=5)  # the platform's typical rating
    credit_prior_weight: float = Field(default=10, gt=0)  # ratings it is worth (Bayesian average)
    credit_prior_deadline_rate: float = Field(default=0.9, ge=0, le=1)
    credit_deadline_prior_weight: float = Field(default=10, gt=0)
    credit_complaint_prior_orders: float = Field(default=10, gt=0)
    credit_weight_rating: float = Field(default=0.6, ge=0)
    credit_weight_deadlines: float = Field(default=0.4, ge=0)
    credit_weight_complaints: float = Field(default=1.0, ge=0)
    rework_days: int = Field(default=30, ge=1)
    # Deadlines credit checks (minutes): acceptance after submission, arrival after acceptance.
    response_deadline_minutes: dict[str, int] = Field(
        default_factory=lambda: {"emergency": 15, "booking": 120, "public_area": 120}
    )
    arrival_deadline_minutes: dict[str, int] = Field(default_factory=lambda: {"emergency": 60, "public_area": 24 * 60})
    # A public-area report must be resolved (completed) this long after its acknowledgement (dispatch).
    public_area_resolve_seconds: int = 24 * 3600
    stuck_after_minutes: dict[str, int] = Field(
        default_factory=lambda: {
            "submitted": 30,
            "matching": 30,
            "offered": 30,
            "escalated": 0,
            "assigned": 120,
            "en_route": 120,
            "on_site": 24 * 60,
            "awaiting_approval": 24 * 60,
        }
    )

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
    # An escalated order nobody dispatched (or cancelled) this long after its escalation is alerted a second time to
    # the compound's contracted company and every supervisor (the EscalationRealerts job, every 5 minutes).
    escalation_realert_seconds: int = Field(default=30 * 60, ge=1)

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

    # Prices: how long after completion a resident may dispute the bill.
    dispute_days: int = 7

    # Matching rounds (docs/matching.md). Lists are JSON in the environment: LINLI_MATCH_RADII_M='[1000,3000,5000]'.
    match_radii_m: list[int] = Field(default_factory=lambda: [1000, 3000, 5000], min_length=1)
    refusals_before_widening: int = Field(default=3, ge=1)  # declined/expired offers at one radius
    max_offer_rounds: int = Field(default=8, ge=1)  # batches of offers per order before escalating
    workload_cap: int = Field(default=3, ge=1)  # active (assigned, en route, on site) orders per technician
    workload_window: int = Field(default=20, ge=1)  # a technician's latest orders read to count them
    # Grab mode: for these order types the round's offer goes to the top `grab_size` at once.
    grab_order_types: list[str] = Field(default_factory=lambda: ["booking"])
    grab_size: int = Field(default=3, ge=1, le=10)

    # Ranking (docs/matching.md): terms in 0..1, score = sum(weight * term).
    weight_travel: float = Field(default=0.50, ge=0)
    weight_credit: float = Field(default=0.15, ge=0)
    weight_rating: float = Field(default=0.15, ge=0)
    weight_workload: float = Field(default=0.10, ge=0)
    weight_fairness: float = Field(default=0.10, ge=0)
    travel_speed_m_per_min: float = Field(default=250, gt=0)  # e-bike through old compounds, ~15 km/h
    travel_detour_factor: float = Field(default=1.3, ge=1)  # street distance / straight line
    travel_cap_minutes: float = Field(default=10, gt=0)  # this far or further scores 0 (~1.9 km)
    fairness_cap_hours: float = Field(default=72, gt=0)  # idle this long or longer scores 1

    # Booking slots offered by GET /slots (Beijing time).
    slot_days: int = Field(default=7, ge=1, le=30)
    slot_hours: int = Field(default=2, ge=1, le=4)
    working_day_start_hour: int = Field(default=8, ge=0, le=23)
    working_day_end_hour: int = Field(default=20, ge=1, le=24)

    @property
    def signing_key_ids(self) -> list[str]:
        return [k.strip() for k in self.token_signing_key_ids.split(",") if k.strip()]

    @field_validator("wechat_template_keys")
    @classmethod
    def _same_field_types(cls, keys: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for kind, renamed in keys.items():
            for ours, theirs in renamed.items():
                if ours.rstrip("0123456789") != theirs.rstrip("0123456789"):
                    raise ValueError(f"{kind}: {ours} and {theirs} are fields of different types")
        return keys


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
