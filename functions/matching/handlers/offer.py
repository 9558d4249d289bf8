"""Workflow task (callback): create the offer, storing the task token with it, and return.

The workflow then waits until the technician accepts or declines through the API, or the offer times out.
"""

from __future__ import annotations

from datetime import timedelta

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from shared import clock
from shared.dal import offers
from shared.lifecycle import OfferStatus
from shared.observability import logger, tracer
from shared.records import Offer


class OfferIn(BaseModel):
    order_id: str
    technician_id: str
    offer_id: str
    expires_in_seconds: int = Field(gt=0)
    task_token: str = Field(repr=False)


@logger.inject_lambda_context(log_event=False)  # the event holds a task token
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    task = OfferIn.model_validate(event)
    now = clock.now()
    offer = Offer(
        offer_id=task.offer_id,
        order_id=task.order_id,
        technician_id=task.technician_id,
        status=OfferStatus.OPEN,
        created_at=clock.iso(now),
        expires_at=clock.iso(now + timedelta(seconds=task.expires_in_seconds)),
    )
    offers.create(offer, task.task_token, at=offer.created_at)
    logger.info(
        "offer created", extra={"order_id": task.order_id, "offer_id": task.offer_id, "technician_id": task.technician_id}
    )
    return {"offer_id": task.offer_id}
