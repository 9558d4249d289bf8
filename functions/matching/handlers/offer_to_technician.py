"""Workflow callback `OfferToTechnician`: create the round's offers, each storing the round's task token, and return.

The workflow then waits until one technician accepts, the last one declines, or the round times out.
"""

from __future__ import annotations

from datetime import timedelta

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from matching.domain.records import MatchReason
from matching.service import offers as round_of_offers
from matching.store.offers import Offer
from orders.domain.lifecycle import OfferStatus
from shared import clock
from shared.observability import logger, tracer
from shared.tasks import retry_outages


class OfferedTechnician(BaseModel):
    technician_id: str
    offer_id: str
    distance_m: float | None = None
    reason: MatchReason | None = None


class OfferIn(BaseModel):
    order_id: str
    batch_id: str
    offers: list[OfferedTechnician] = Field(min_length=1)
    expires_in_seconds: int = Field(gt=0)
    task_token: str = Field(repr=False)


@logger.inject_lambda_context(log_event=False)  # the event holds a task token
@tracer.capture_lambda_handler
@retry_outages
def handler(event: dict, context: LambdaContext) -> dict:
    task = OfferIn.model_validate(event)
    now = clock.now()
    created, expires = clock.iso(now), clock.iso(now + timedelta(seconds=task.expires_in_seconds))
    batch = [
        Offer(
            offer_id=o.offer_id,
            order_id=task.order_id,
            technician_id=o.technician_id,
            status=OfferStatus.OPEN,
            created_at=created,
            expires_at=expires,
            distance_m=o.distance_m,
            batch_id=task.batch_id,
            match_reason=o.reason,
        )
        for o in task.offers
    ]
    round_of_offers.create_round(batch, task.task_token, at=created)
    logger.info(
        "offers created",
        extra={"order_id": task.order_id, "batch_id": task.batch_id, "technicians": [o.technician_id for o in task.offers]},
    )
    return {"batch_id": task.batch_id, "offers": len(batch)}
