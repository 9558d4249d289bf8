"""Supervision: company documents, the credit formula, certificate warnings and stuck orders (docs/supervision.md)."""

from __future__ import annotations

from pydantic import Field

from shared.settings import Settings, settings_of


class SupervisionSettings(Settings):
    # Supervision (docs/supervision.md).
    supervision_queue_url: str = ""
    supervision_dlq_url: str = ""
    # A company document's upload is signed with its exact length, at most this (S3 refuses any other length).
    document_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024)
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
    # Deadlines credit checks (minutes): acceptance after submission, arrival after acceptance.
    response_deadline_minutes: dict[str, int] = Field(
        default_factory=lambda: {"emergency": 15, "booking": 120, "public_area": 120}
    )
    arrival_deadline_minutes: dict[str, int] = Field(default_factory=lambda: {"emergency": 60, "public_area": 24 * 60})


def supervision_settings() -> SupervisionSettings:
    return settings_of(SupervisionSettings)
