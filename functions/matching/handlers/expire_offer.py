"""Workflow task: the offer's wait timed out. Expire it, unless the technician answered just in time:
the offer record decides, so a last-moment accept is kept and the order proceeds as assigned."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from shared import clock
from shared.dal import offers
from shared.errors import OfferNotOpen
from shared.lifecycle import OfferStatus
from shared.observability import logger, tracer


class ExpireOfferIn(BaseModel):
    order_id: str
    offer_id: str


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    task = ExpireOfferIn.model_validate(event)
    offer = offers.get_or_404(task.offer_id)
    if offer.status == OfferStatus.OPEN:
        try:
            offers.close_unanswered(offer, OfferStatus.EXPIRED, actor="workflow", at=clock.now_iso())
            return {"decision": OfferStatus.EXPIRED.value}
        except OfferNotOpen:
            offer = offers.get_or_404(task.offer_id)
    logger.info("offer answered before it expired", extra={"offer_id": offer.offer_id, "status": offer.status})
    return {"decision": offer.status}
