"""Workflow task: the round's wait timed out. Expire its open offers, unless a technician answered just
in time: the offer records decide, so a last-moment accept is kept and the order proceeds as assigned."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from matching.service import offers as round_of_offers
from shared import clock
from shared.observability import logger, tracer
from shared.tasks import retry_outages


class ExpireOfferIn(BaseModel):
    order_id: str
    batch_id: str


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
@retry_outages
def handler(event: dict, context: LambdaContext) -> dict:
    task = ExpireOfferIn.model_validate(event)
    decision = round_of_offers.expire_round(task.order_id, task.batch_id, at=clock.now_iso())
    logger.info("offer round timed out", extra={"order_id": task.order_id, "batch_id": task.batch_id, "decision": decision})
    return {"decision": decision}
