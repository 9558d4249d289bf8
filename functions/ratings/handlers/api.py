"""HTTP API of the ratings domain: the resident rates a completed order."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from orders.service.waits import resume_step
from ratings.service import wiring
from ratings.service.rate import rate_order as rate
from shared import clock
from shared.api import build_resolver, current_caller, resolve
from shared.auth import require_role
from shared.inputs import OptionalText
from shared.observability import logger, tracer
from shared.roles import Role

router = Router()


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stars: int = Field(ge=1, le=5, strict=True)
    comment: OptionalText = Field(default="", max_length=500)


class RatingView(BaseModel):
    order_id: str
    stars: int
    comment: str
    status: str


@router.post("/orders/<order_id>/rating", status_code=201)
def rate_order(order_id: str, body: RatingIn) -> RatingView:
    caller = current_caller(router)
    require_role(caller, Role.RESIDENT)
    rating = rate(
        wiring.store(),
        resume_step,
        resident_id=caller.user_id,
        order_id=order_id,
        stars=body.stars,
        comment=body.comment,
        at=clock.now_iso(),
    )
    return RatingView(order_id=rating.order_id, stars=rating.stars, comment=rating.comment, status="rated")


app = build_resolver(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return resolve(app, event, context)
