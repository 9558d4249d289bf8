"""Sign-in: the token service's keys and lifetimes, and the one-time codes by SMS."""

from __future__ import annotations

from pydantic import Field

from shared.settings import Settings, settings_of


class IdentitySettings(Settings):
    token_signing_key_ids: str = ""  # comma-separated KMS key ids, ARNs or aliases
    access_token_seconds: int = Field(default=900, ge=60, le=900)
    refresh_token_seconds: int = Field(default=30 * 24 * 3600, ge=3600, le=90 * 24 * 3600)
    # One-time sign-in codes by SMS: valid this long, this many tries, a wait between two sends to one number and a
    # cap per number and Beijing day (counted for every number, with an account or not: the answers are the same).
    login_code_seconds: int = Field(default=300, ge=60, le=600)
    login_code_attempts: int = Field(default=5, ge=1, le=10)
    login_code_cooldown_seconds: int = Field(default=60, ge=0, le=3600)
    login_codes_per_day: int = Field(default=10, ge=1, le=100)

    @property
    def signing_key_ids(self) -> list[str]:
        return [k.strip() for k in self.token_signing_key_ids.split(",") if k.strip()]


def identity_settings() -> IdentitySettings:
    return settings_of(IdentitySettings)
