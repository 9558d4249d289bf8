"""One place for the logger, tracer and metrics every handler uses.

The tracer is built at the first invocation, not at import: Powertools' `Tracer()` imports the X-Ray SDK
(about a third of every handler's import time, see docs/benchmarks.md) even where tracing is disabled.

A trace keeps timings and the cold-start annotation, never a handler's answer or error: an answer can hold a
door code, a resident's phone number or a secret shown once, and X-Ray keeps its metadata 30 days out of reach
of the log masking. So `capture_response` and `capture_error` are off here, whatever the environment says.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, wraps
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

# A mainland mobile number (11 digits from 13…–19…), with or without +86 and separators, not part of a longer
# run of digits (timestamps, identity card numbers, stream sequence numbers).
_PHONE = re.compile(r"(?<![0-9])((?:\+?86[- ]?)?1[3-9][0-9])[- ]?[0-9]{4}[- ]?([0-9]{4})(?![0-9])")
# A JWT (an API event's Authorization header, when an operator turns event logging on).
_JWT = re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]+")


def mask_personal_data(text: str) -> str:
    """138****5678 for every mobile number in the text; «jwt» for every bearer token."""
    return _JWT.sub("«jwt»", _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text))


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_personal_data(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and _PHONE.fullmatch(str(value)):
        return mask_personal_data(str(value))
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask_personal_data(str(value))  # what the JSON encoder would write (its default is str), masked


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON log line, with phone numbers masked anywhere in it: the message, extra keys, a logged
    event (POWERTOOLS_LOGGER_LOG_EVENT), an exception and its stack trace. Masked before serialising: in the
    JSON text a Chinese character is an escape (号 is \\u53f7) whose last digit would hide the number."""

    def serialize(self, log: dict) -> str:
        return super().serialize(_masked(log))


logger = Logger(service="linli", logger_formatter=MaskingFormatter())
metrics = Metrics(namespace="Linli", service="linli")


@cache
def get_tracer() -> Any:
    from aws_lambda_powertools import Tracer

    return Tracer(service="linli")


class _LazyTracer:
    """Stands in for Powertools' Tracer: `capture_lambda_handler` wraps at import time and builds the real
    tracer at the first call; any other attribute is the real tracer's."""

    def capture_lambda_handler(self, handler: Callable | None = None, **options: Any) -> Callable:
        if handler is None:
            return lambda h: self.capture_lambda_handler(h, **options)
        options = {**options, "capture_response": False, "capture_error": False}
        traced: list[Callable] = []

        @wraps(handler)
        def wrapper(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
            if not traced:
                traced.append(get_tracer().capture_lambda_handler(handler, **options))
            return traced[0](event, context, *args, **kwargs)

        return wrapper

    def capture_method(self, method: Callable | None = None, **options: Any) -> Callable:
        return get_tracer().capture_method(method, **{**options, "capture_response": False, "capture_error": False})

    def __getattr__(self, name: str) -> Any:
        return getattr(get_tracer(), name)


tracer = _LazyTracer()
