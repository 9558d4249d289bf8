"""Workflow callbacks `AwaitManualDispatch` and `AwaitCompanyDispatch`: wait for a dispatch (step `dispatch`) — a
supervisor's or the service desk's of an escalated order, the company's of a public-area report.

Stores the wait's task token with its deadline and resumes at once if the order is already there
(`orders.service.waits`).
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from orders.domain.steps import Step
from orders.service import waits
from shared.observability import logger, tracer
from shared.tasks import retry_outages

STEP = Step.DISPATCH


@logger.inject_lambda_context(log_event=False)  # the event holds a task token
@tracer.capture_lambda_handler
@retry_outages
def handler(event: dict, context: LambdaContext) -> dict:
    return waits.register(STEP, event)
