"""Workflow callback `AwaitCompletion`: wait for the technician's itemised bill (step `completion`).

Stores the wait's task token with its deadline and resumes at once if the order is already there
(`orders.service.waits`).
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from orders.domain.steps import Step
from orders.service import waits
from shared.observability import logger, tracer
from shared.tasks import retry_outages

STEP = Step.COMPLETION


@logger.inject_lambda_context(log_event=False)  # the event holds a task token
@tracer.capture_lambda_handler
@retry_outages
def handler(event: dict, context: LambdaContext) -> dict:
    return waits.register(STEP, event)
