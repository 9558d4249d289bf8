"""Workflow task: choose the next technician to offer the order to, or report that none is left."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from matching.logic.candidates import rank
from shared.dal import offers, orders, people
from shared.geo import cell_and_neighbours
from shared.observability import logger, tracer
from shared.settings import get_settings


class SelectCandidateIn(BaseModel):
    order_id: str


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    task = SelectCandidateIn.model_validate(event)
    settings = get_settings()
    order = orders.get_or_404(task.order_id)
    rounds_done = len(offers.for_order(order.order_id))
    if rounds_done >= settings.max_offer_rounds:
        return {"found": False, "reason": "max_rounds", "rounds": rounds_done}
    nearby = people.technicians_in_cells(cell_and_neighbours(order.lat, order.lng))
    companies = {t.company_id for t in nearby if t.company_id}
    admitted = {c for c in companies if (company := people.get_company(c)) and company.status == "admitted"}
    ranked = rank(nearby, order, admitted, settings.search_radius_m)
    if not ranked:
        return {"found": False, "reason": "no_candidates", "rounds": rounds_done}
    best = ranked[0]
    logger.info(
        "candidate selected",
        extra={
            "order_id": order.order_id,
            "technician_id": best.technician_id,
            "distance_m": best.distance_m,
            "considered": len(nearby),
        },
    )
    return {
        "found": True,
        "technician_id": best.technician_id,
        "offer_id": offers.offer_id_for(order.order_id, rounds_done + 1),
        "distance_m": best.distance_m,
        "rounds": rounds_done + 1,
    }
