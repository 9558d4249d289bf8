"""Escalations: when an order nobody dispatched is alerted a second time."""

from __future__ import annotations

from pydantic import Field

from shared.settings import Settings, settings_of


class EscalationSettings(Settings):
    # An escalated order nobody dispatched (or cancelled) this long after its escalation is alerted a second time to
    # the compound's contracted company and every supervisor (the EscalationRealerts job, every 5 minutes).
    escalation_realert_seconds: int = Field(default=30 * 60, ge=1)


def escalation_settings() -> EscalationSettings:
    return settings_of(EscalationSettings)
