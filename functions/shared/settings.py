"""Runtime configuration, read from the environment lazily (never at import time). The kernel's own settings are
here (the table, the state machine, the event bus, storage, token verification, the signed partner calls); each
domain parses its own (`<domain>/domain/settings.py`, a subclass of these, so one object holds what its code reads).
Every field is `LINLI_<NAME>` in the environment."""

from functools import lru_cache
from typing import TypeVar

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LINLI_", extra="ignore")

    table_name: str = "linli"
    state_machine_arn: str = ""
    aws_region: str = Field(default="cn-north-1", validation_alias="AWS_REGION")
    event_bus_name: str = "linli-events"
    # Signed /partner calls (shared.partner): per API key, calls a minute; per source address, failed verifications
    # a minute, beyond which that address's /partner calls are refused for the rest of the minute.
    partner_calls_per_key_per_minute: int = Field(default=600, ge=1)
    partner_failures_per_source_per_minute: int = Field(default=30, ge=1)
    # Sign-in (docs/security.md#signing-in): the platform is its own token issuer. Access tokens are ES256 JWTs signed
    # by a KMS key; the first of the signing keys signs, all of them are published in the JWKS (two during a rotation).
    # The WebSocket API's $connect checks the same tokens as the HTTP API's JWT authorizer, keys from the JWKS.
    token_issuer: str = ""  # https URL: the API's own base URL in AWS
    token_audience: str = "linli"
    jwks_url: str = ""  # where verifiers fetch the keys; default: <issuer>/.well-known/jwks.json
    # The bucket of company documents and photos, and how long a pre-signed URL of it lives.
    documents_bucket: str = ""
    document_url_seconds: int = Field(default=900, ge=60, le=3600)
    # Where browsers reach S3 in pre-signed URLs: empty in AWS (the regional endpoint); the sandbox sets its own
    # HTTP front (`<sandbox>/s3`, path-style), which a browser can open, unlike moto's in-process S3.
    storage_public_endpoint: str = ""


AnySettings = TypeVar("AnySettings", bound=Settings)


# Bounded, so that of two reads of one kind at once the first stored is kept (an unbounded functools cache keeps the
# last): a read that began before the environment changed cannot replace a newer one (tests.conftest.reload_settings).
@lru_cache(maxsize=16)
def settings_of(kind: type[AnySettings]) -> AnySettings:
    """The settings of this kind, read from the environment once per process (`reset_settings` reads them again)."""
    return kind()


def get_settings() -> Settings:
    return settings_of(Settings)


def reset_settings() -> None:
    """Every kind of settings is read again on its next use (tests that change the environment)."""
    settings_of.cache_clear()
