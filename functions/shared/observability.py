"""One place for the logger, tracer and metrics every handler uses.

The tracer is built at the first invocation, not at import: Powertools' `Tracer()` imports the X-Ray SDK
(about a third of every handler's import time, see docs/benchmarks.md) even where tracing is disabled.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import Any

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="linli")
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
        traced: list[Callable] = []

        @wraps(handler)
        def wrapper(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
            if not traced:
                traced.append(get_tracer().capture_lambda_handler(handler, **options))
            return traced[0](event, context, *args, **kwargs)

        return wrapper

    def __getattr__(self, name: str) -> Any:
        return getattr(get_tracer(), name)


tracer = _LazyTracer()
