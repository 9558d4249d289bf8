"""Idempotent write calls: the same `Idempotency-Key` from the same caller on the same route gets the
first answer again, without doing the work twice (Powertools idempotency, records in the single table).

A server error is not remembered, so the client's retry runs again; a key reused with another body is
refused (422), and a retry that arrives while the first call is still running gets 409.

A secret shown once (a new API key's or webhook's `secret`) is never remembered: the record keeps the answer
with `secret: null`, so the first caller gets the secret and a replay gets the same answer without it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)

from shared.settings import get_settings

HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_MAX_LENGTH = 255
REMEMBER_SECONDS = 24 * 3600
TTL_ATTRIBUTE = "ttl"  # the table's time-to-live attribute: remembered answers expire by themselves
SECRET_FIELDS = frozenset({"secret"})  # top-level answer fields shown once, never stored for a replay

InProgress = IdempotencyAlreadyInProgressError
KeyReused = IdempotencyValidationError
StoreUnavailable = IdempotencyPersistenceLayerError


class _NotRemembered(Exception):
    """Carries a server error out of the idempotent call so that it is not stored."""

    def __init__(self, response: dict) -> None:
        super().__init__("server error: not remembered")
        self.response = response


def without_secrets(response: dict) -> dict:
    """The answer as it may be remembered: every secret field of a JSON body set to null."""
    try:
        body = json.loads(response.get("body") or "")
    except ValueError:
        return response
    if not isinstance(body, dict) or not SECRET_FIELDS & body.keys():
        return response
    withheld = {k: (None if k in SECRET_FIELDS else v) for k, v in body.items()}
    return {**response, "body": json.dumps(withheld, ensure_ascii=False, separators=(",", ":"))}


def _mark_replayed(response: Any, _record: Any) -> Any:
    response.setdefault("headers", {})[REPLAYED_HEADER] = "true"
    return response


@lru_cache(maxsize=1)
def _idempotent_call() -> tuple[Callable[..., dict], IdempotencyConfig]:
    persistence = DynamoDBPersistenceLayer(
        table_name=get_settings().table_name,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value="IDEMPOTENCY",
        expiry_attr=TTL_ATTRIBUTE,
    )
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="body_sha256",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=REMEMBER_SECONDS,
        response_hook=_mark_replayed,
    )

    @idempotent_function(data_keyword_argument="request", persistence_store=persistence, config=config)
    def call(request: dict, run: Callable[[], dict]) -> dict:
        response = run()
        if response.get("statusCode", 500) >= 500:
            raise _NotRemembered(response)
        return without_secrets(response)

    return call, config


def reset() -> None:
    _idempotent_call.cache_clear()


def run_once(*, caller: str, method: str, path: str, key: str, body: str, run: Callable[[], dict], context: Any) -> dict:
    """The response of `run()`, computed once per (caller, method, path, key) and replayed after."""
    call, config = _idempotent_call()
    config.register_lambda_context(context)  # a call in progress is given up when its Lambda times out
    request = {"key": f"{caller} {method} {path} {key}", "body_sha256": hashlib.sha256(body.encode()).hexdigest()}
    answered: list[dict] = []

    def run_here() -> dict:
        answered.append(run())
        return answered[0]

    try:
        remembered = call(request=request, run=run_here)
    except _NotRemembered as error:
        return error.response
    return answered[0] if answered else remembered  # this call's own answer (with its secret), or the replay
