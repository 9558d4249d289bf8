"""Queue consumer: delivers each company event to the company's webhook, signed, and logs every attempt.

A failed attempt is not retried by the queue: the job goes back on the queue with its next due time
(exponential backoff, chained 15-minute hops for longer waits) until a day has passed, then the delivery is
marked failed and the job put on the dead-letter queue. The company can read the log and replay any delivery; a
replay is one attempt, never a new day of retries.

Each delivery has a wall-clock deadline (`LINLI_WEBHOOK_TIMEOUT_SECONDS`, notify.service.webhook_http), and a batch never starts a
delivery it could not finish before the function's own timeout: such jobs go back on the queue at once, so one slow
receiver cannot push other companies' deliveries into the dead-letter queue without a try and a log entry.
"""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from notify.domain.settings import notify_settings
from notify.domain.webhooks import WEBHOOK_EVENTS, DeliveryJob, next_attempt, seconds_until, webhook_body, webhook_policy
from notify.service import webhook_http
from notify.store import webhooks
from notify.store.webhooks import DeliveryAttempt, WebhookDelivery
from shared import clock, queues, signing
from shared.clock import iso
from shared.events import DomainEvent
from shared.observability import logger, tracer

processor = BatchProcessor(event_type=EventType.SQS)
# Time kept after a delivery's deadline for logging it and queueing its retry, before the function's own timeout.
AFTER_DELIVERY_MS = 3000


def job_from(body: dict) -> DeliveryJob | None:
    """A queue message is either an event straight from the bus or a job waiting for its next attempt."""
    if "detail" in body:
        event = DomainEvent.model_validate(body["detail"])
        return DeliveryJob(company_id=event.company_id, event=event) if event.company_id else None
    return DeliveryJob.model_validate(body)


def active_secrets(company_id: str, now: str) -> list[str]:
    return [s.secret for s in webhooks.secrets(company_id) if s.expires_at is None or s.expires_at > now]


def attempt(job: DeliveryJob) -> None:
    settings = notify_settings()
    now = clock.now()
    wait = seconds_until(job.not_before, now)
    if wait > 0:  # not due yet: another hop on the queue
        queues.send(settings.webhook_queue_url, job.model_dump(mode="json"), delay_seconds=int(wait + 0.999))
        return
    webhook = webhooks.get(job.company_id)
    if webhook is None or not webhook.enabled or job.event.type.value not in webhook.events:
        return
    body = webhook_body(job.event)
    timestamp = int(now.timestamp())
    secrets = active_secrets(job.company_id, iso(now))
    result = webhook_http.post(
        webhook.url,
        body,
        {
            "Content-Type": "application/json",
            "User-Agent": "Linli-Webhooks/1",
            signing.EVENT_ID_HEADER: job.delivery_id,
            signing.EVENT_TYPE_HEADER: job.event.type.value,
            signing.TIMESTAMP_HEADER: str(timestamp),
            signing.SIGNATURE_HEADER: signing.signature_header(secrets, signing.signed_payload(timestamp, body)),
        },
        timeout=settings.webhook_timeout_seconds,
        policy=webhook_policy(settings),
    )
    job = job.model_copy(update={"attempt": job.attempt + 1, "first_attempt_at": job.first_attempt_at or iso(now)})
    retry = (
        None
        if result.ok or job.replay
        else next_attempt(
            job,
            now=now,
            base_seconds=settings.webhook_retry_base_seconds,
            max_seconds=settings.webhook_retry_max_seconds,
            window_seconds=settings.webhook_retry_window_seconds,
        )
    )
    status = "delivered" if result.ok else ("retrying" if retry else "failed")
    webhooks.record_attempt(
        WebhookDelivery(
            delivery_id=job.delivery_id,
            company_id=job.company_id,
            event_type=job.event.type.value,
            order_id=job.event.order.order_id if job.event.order else None,
            status=status,
            next_attempt_at=retry.not_before if retry else None,
            payload=body.decode(),
            updated_at=iso(now),
        ),
        DeliveryAttempt(at=iso(now), status_code=result.status, error=result.error, duration_ms=result.duration_ms),
    )
    if retry:
        queues.send(
            settings.webhook_queue_url, retry.model_dump(mode="json"), delay_seconds=int(seconds_until(retry.not_before, now))
        )
    elif status == "failed" and not job.replay:
        logger.warning("webhook delivery failed for a day", extra={"delivery_id": job.delivery_id, "company_id": job.company_id})
        queues.send(settings.webhook_dlq_url, job.model_dump(mode="json"))


def record_handler(record: SQSRecord, lambda_context: LambdaContext | None = None) -> None:
    job = job_from(json.loads(record.body))
    if job is None or not (job.attempt > 0 or job.replay or job.event.type in WEBHOOK_EVENTS):
        return
    settings = notify_settings()
    needed_ms = settings.webhook_timeout_seconds * 1000 + AFTER_DELIVERY_MS
    if lambda_context is not None and lambda_context.get_remaining_time_in_millis() < needed_ms:
        # Not enough time left in this invocation: back on the queue untried, for the next one.
        queues.send(settings.webhook_queue_url, job.model_dump(mode="json"))
        return
    attempt(job)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
