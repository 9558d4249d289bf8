"""Queue consumer: each order that ended (`order.closed`, `order.cancelled`: cancelled by a person, or unfulfilled by
the workflow) has its execution history archived once its execution has ended (orders.service.history).

An order can say it ended a moment before its execution does (the workflow's last state runs after the status
write; a cancel stops the execution after writing the status): that message comes back later, 5 s, 10 s, 20 s …
(`LINLI_HISTORY_ARCHIVE_RETRY_BASE_SECONDS`), as does one that failed for any other reason, and after five attempts
it goes to the dead-letter queue (an alarm). A retry of an archived order writes nothing.
"""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from orders.domain.settings import order_settings
from orders.service import history
from shared import queues
from shared.events import DomainEvent
from shared.observability import logger, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    event = DomainEvent.model_validate(json.loads(record.body)["detail"])
    if event.order is None:
        return
    try:
        outcome = history.archive(event.order.order_id)
    except Exception as exc:
        receives = int(record.attributes.approximate_receive_count or 1)
        settings = order_settings()
        delay = min(settings.history_archive_retry_base_seconds * 2 ** max(receives - 1, 0), queues.MAX_DELAY_SECONDS)
        try:
            queues.postpone(settings.history_archive_queue_url, record.receipt_handle, int(delay))
        except Exception:  # the message then comes back after the queue's visibility timeout
            logger.exception("could not postpone the message", extra={"order_id": event.order.order_id})
        if isinstance(exc, history.ExecutionStillRunning):
            logger.info("execution still running: archived later", extra={"order_id": event.order.order_id})
        raise
    logger.info("history archive", extra={"order_id": event.order.order_id, "outcome": outcome.value})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
