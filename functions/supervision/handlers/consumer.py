"""Queue consumer: every domain event is appended to its order's hash-chained audit log; a closed order, a
resolved dispute and a public-area report escalated for a missed deadline become credit events; a cancelled
booking frees whatever technician's hours it still holds.

Both writes are idempotent (the audit entry once per event id, credit events keyed by order and kind), so a
retried message changes nothing; a failure is a partial batch failure, retried, then dead-lettered.
"""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from matching.service import order_changes
from orders.service import queries as orders
from shared.events import DomainEvent
from shared.events import EventType as Happened
from shared.observability import logger, tracer
from supervision.service import operations

processor = BatchProcessor(event_type=EventType.SQS)


def handle(event: DomainEvent) -> None:
    if event.order is None:
        return
    order = orders.get(event.order.order_id)
    operations.audit_event(event, order)
    if order is not None and event.type in operations.CREDIT_TRIGGERS:
        operations.record_credit(event, order)
    if order is not None and event.type == Happened.ORDER_CANCELLED:
        # The API's cancel frees the hours at once; this catches every other way an order ends cancelled (the
        # workflow's unfulfilled escalation of an assigned booking whose completion was overdue). Idempotent: only
        # hours this order still holds are deleted.
        order_changes.release_hours_of(order)


def record_handler(record: SQSRecord) -> None:
    handle(DomainEvent.model_validate(json.loads(record.body)["detail"]))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
