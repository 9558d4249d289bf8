"""The web-push port: a message to one open app socket through the WebSocket API's management endpoint
(API Gateway's `PostToConnection`; in the sandbox the same call reaches the local socket)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import boto3

from notify.domain.settings import notify_settings


@lru_cache(maxsize=1)
def _client() -> Any:
    settings = notify_settings()
    return boto3.client("apigatewaymanagementapi", endpoint_url=settings.push_endpoint, region_name=settings.aws_region)


def reset() -> None:
    _client.cache_clear()


def enabled() -> bool:
    return bool(notify_settings().push_endpoint)


def post(connection_id: str, payload: dict) -> bool:
    """Send `payload` as one JSON text frame; False if the socket is gone (closed without a $disconnect yet)."""
    client = _client()
    try:
        client.post_to_connection(ConnectionId=connection_id, Data=json.dumps(payload, ensure_ascii=False).encode())
    except client.exceptions.GoneException:
        return False
    return True
