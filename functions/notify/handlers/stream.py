"""DynamoDB stream consumer: turns order and offer changes into domain events on the event bus.

Records are processed one by one; a failure is reported as a partial batch failure, so only that record
and the ones after it in its shard are retried. Event ids are stable, so a retry cannot duplicate one.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from identity.service import accounts
from notify.domain.events import offer_events, order_events, snapshot
from orders.service import queries as orders
from shared import events
from shared.events import DomainEvent
from shared.events import EventType as Happened
from shared.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
ESCALATIONS_METRIC = "OrdersEscalated"


def events_for(record: DynamoDBRecord) -> list[DomainEvent]:
    data = record.dynamodb
    if data is None or data.new_image is None:
        return []
    new, old = data.new_image, data.old_image or None
    sk = str(new.get("sk", ""))
    if sk == "ORDER":
        return order_events(old, new)
    if sk.startswith("OFFER#"):
        order = orders.get_or_404(str(new["order_id"]))
        technician = accounts.get_user(str(new["technician_id"]))
        return offer_events(
            old,
            new,
            order=snapshot(order.model_dump()),
            technician_company_id=technician.company_id if technician else None,
        )
    return []


def record_handler(record: DynamoDBRecord) -> None:
    found = events_for(record)
    if found:
        events.publish(found)
    # The operators' alarm on escalations (infra/constructs/monitoring.py) counts this metric.
    escalated = sum(1 for e in found if e.type == Happened.ORDER_ESCALATED)
    if escalated:
        metrics.add_metric(name=ESCALATIONS_METRIC, unit=MetricUnit.Count, value=escalated)


@logger.inject_lambda_context(log_event=False)  # the offers' stream images hold their task tokens
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
