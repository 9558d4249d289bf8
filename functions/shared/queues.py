"""The SQS port: delayed re-delivery (webhook retries) and a read-only look at dead-letter queues."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import boto3

from shared.settings import get_settings

MAX_DELAY_SECONDS = 900  # SQS's limit; longer waits are chained (see notify.domain.webhooks)


@lru_cache(maxsize=1)
def _client() -> Any:
    return boto3.client("sqs", region_name=get_settings().aws_region)


def reset() -> None:
    _client.cache_clear()


def send(queue_url: str, body: dict, *, delay_seconds: int = 0) -> None:
    _client().send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps(body, ensure_ascii=False),
        DelaySeconds=min(max(delay_seconds, 0), MAX_DELAY_SECONDS),
    )


def postpone(queue_url: str, receipt_handle: str, seconds: int) -> None:
    """Make a received message visible again only after `seconds` (a consumer's backoff)."""
    _client().change_message_visibility(
        QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=min(max(seconds, 0), MAX_DELAY_SECONDS)
    )


def peek(queue_url: str, limit: int = 10) -> list[dict]:
    """Read up to `limit` messages without taking them: they become visible again at once."""
    response = _client().receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=min(limit, 10),
        VisibilityTimeout=0,
        MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
    )
    return [
        {"message_id": m["MessageId"], "body": m["Body"], "attributes": m.get("Attributes", {})}
        for m in response.get("Messages", [])
    ]
