"""What every workflow task handler shares: a DynamoDB (or other AWS) outage that outlasted the SDK's own
retries is raised as `TransientError`, the error name the state machine's Retry takes with backoff.

Without it the Lambda error would be named after the PynamoDB exception (`GetError`, `UpdateError`…), which
no Retry lists, and a throttled second would escalate the order. Every task is safe to run again: each
write is conditional or keyed by the round, so a retried task finds its own earlier work and goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from shared.dal.base import is_transient
from shared.errors import TransientError


def retry_outages(handler: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    @wraps(handler)
    def wrapper(event: Any, context: Any) -> Any:
        try:
            return handler(event, context)
        except Exception as exc:
            if is_transient(exc):
                raise TransientError(f"{type(exc).__name__}: {exc}"[:500]) from exc
            raise

    return wrapper
