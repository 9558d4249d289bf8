"""Scheduled every 5 minutes: the second alert about escalated orders nobody acted on in time.

`{"at": "<ISO instant>"}` runs it as of that instant (the sandbox's `POST /dev/escalation-realerts` and the tests).
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, BaseModel

from escalation.service import realert
from shared import clock
from shared.observability import logger, tracer


class RealertRun(BaseModel):
    at: AwareDatetime | None = None


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    requested = RealertRun.model_validate({"at": event.get("at")} if isinstance(event, dict) else {})
    result = realert.run(requested.at or clock.now())
    logger.info("escalation second alerts", extra={"escalated": result.escalated, "alerted": len(result.alerted)})
    return result.model_dump()
