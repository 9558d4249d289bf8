"""Through which API key, if any, the current call acts (a company's system acting for one of its staff).

Set by `shared.api.resolve` for the duration of a signed call; read where an act is recorded (an order's timeline
entry, hence its audit entry) so that what a key did is always traceable to the key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_via_key: ContextVar[str | None] = ContextVar("linli_via_key", default=None)


def via_key() -> str | None:
    return _via_key.get()


@contextmanager
def acting_via(key_id: str | None) -> Iterator[None]:
    token = _via_key.set(key_id)
    try:
        yield
    finally:
        _via_key.reset(token)
