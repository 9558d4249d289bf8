"""The OpenAPI document of the whole HTTP API, generated from every domain's routes."""

from __future__ import annotations

import json
from functools import lru_cache

from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from shared.api import API_TITLE, API_VERSION, build_resolver


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    from supervision.handlers.api import router as supervision

    from matching.handlers.api import router as matching
    from notify.handlers.api import router as notify
    from orders.handlers.api import router as orders
    from orders.handlers.billing import router as billing
    from ratings.handlers.api import router as ratings

    app = build_resolver(orders, billing, matching, ratings, notify, supervision)
    schema = app.get_openapi_json_schema(
        title=API_TITLE,
        version=API_VERSION,
        description="邻里 Linli: 老旧小区上门维修服务平台 API. Door-to-door repair for old residential compounds.",
        security_schemes={"jwt": HTTPBearer(bearerFormat="JWT")},
        security=[{"jwt": []}],
    )
    return json.loads(schema)
