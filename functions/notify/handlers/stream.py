"""DynamoDB stream consumer: turns order and offer changes into outbox messages.

Each record is processed on its own; failures are reported back as partial batch failures.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from notify.logic.compose import Draft, for_offer_created, for_order_change, for_proxies
from shared import clock, ids
from shared.dal import messages, people
from shared.observability import logger, tracer
from shared.records import Message

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def drafts_for(record: DynamoDBRecord) -> list[Draft]:
    data = record.dynamodb
    if data is None or data.new_image is None:
        return []
    new, old = data.new_image, data.old_image or None
    sk = str(new.get("sk", ""))
    if sk == "ORDER":
        drafts = for_order_change(old, new)
        if new.get("status") == "awaiting_approval":
            drafts += for_proxies(drafts, [p.proxy_id for p in people.proxies_of(str(new["resident_id"]))])
        return drafts
    if sk.startswith("OFFER#") and record.event_name and record.event_name.name == "INSERT":
        return for_offer_created(new)
    return []


def record_handler(record: DynamoDBRecord) -> None:
    for draft in drafts_for(record):
        messages.put(
            Message(
                message_id=ids.new_id("msg"),
                recipient_id=draft.recipient_id,
                channel="sms",
                order_id=draft.order_id,
                kind=draft.kind,
                text_zh=draft.text_zh,
                text_en=draft.text_en,
                created_at=clock.now_iso(),
            )
        )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
