"""Workflow task: choose the next round's technician(s), or report that nobody is left.

Reads the order and its past offers, plans the round (radius, how many at once), reads the spatial
index around the order, and leaves the deciding to `matching.domain.engine`.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from identity.domain.records import User
from identity.service import accounts
from matching.domain import rounds
from matching.domain.booking_hours import hour_blocks
from matching.domain.eligibility import Criteria, TechLoad
from matching.domain.engine import select
from matching.domain.scoring import ScoreParams
from matching.domain.settings import matching_settings
from matching.domain.slots import service_date
from matching.store import offers, slots
from orders.domain.lifecycle import OrderType
from orders.domain.records import Order
from orders.service import queries as orders
from shared import clock
from shared.observability import logger, tracer
from shared.tasks import retry_outages
from supervision.service import company_records


class SelectCandidateIn(BaseModel):
    order_id: str


def _load_reader(order: Order, window: int):
    hours = hour_blocks(order.slot.start, order.slot.end) if order.order_type == OrderType.BOOKING and order.slot else []

    def read(tech: User) -> TechLoad:
        active, last = orders.technician_load(tech.user_id, window)
        busy = bool(hours) and bool(set(slots.held_hours(tech.user_id, hours[0], hours[-1])) & set(hours))
        return TechLoad(active_orders=active, last_order_at=last, busy=busy)

    return read


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
@retry_outages
def handler(event: dict, context: LambdaContext) -> dict:
    task = SelectCandidateIn.model_validate(event)
    settings = matching_settings()
    order = orders.get_or_404(task.order_id)
    past = offers.for_order(order.order_id)
    plan = rounds.plan(past, settings.match_radii_m, settings.refusals_before_widening)
    if plan.round > settings.max_offer_rounds:
        return {"found": False, "reason": "max_rounds", "round": plan.round - 1}
    now = clock.now()
    size = rounds.batch_size(order.order_type, settings.grab_order_types, settings.grab_size)
    items_read = 0

    def read_nearby(radius: int, only: str | None) -> list[User]:
        nonlocal items_read
        nearby = accounts.technicians_near(order.lat, order.lng, radius, on_duty_only=order.order_type == OrderType.EMERGENCY)
        items_read += nearby.items_read
        return [t for t in nearby.technicians if only is None or t.user_id == only]

    def match(only: str | None):
        return select(
            order,
            radii=settings.match_radii_m,
            start_index=plan.radius_index,
            size=1 if only else size,
            criteria_for=lambda radius: Criteria(
                order=order,
                service_date=service_date(order, now),
                radius_m=radius,
                companies={},
                asked=frozenset(o.technician_id for o in past),
                workload_cap=settings.workload_cap,
            ),
            read_nearby=lambda radius: read_nearby(radius, only),
            read_companies=company_records.get_companies,
            read_load=_load_reader(order, settings.workload_window),
            params=ScoreParams.from_settings(settings),
            now=now,
        )

    # A re-work under warranty is offered first to the technician who did the original repair, if he can take it
    # (on duty, qualified, within reach, below his workload cap); otherwise, and after him, it is matched as usual.
    preferred = rounds.preferred_technician(order, past, orders.get(order.rework_of) if order.rework_of else None)
    outcome = match(preferred) if preferred else None
    if outcome is None or not outcome.chosen:
        outcome = match(None)
    log = {"order_id": order.order_id, "round": plan.round, "considered": outcome.considered, "items_read": items_read}
    if outcome.skipped:
        logger.warning("technicians skipped: their records cannot be judged", extra={**log, "skipped": outcome.skipped})
    if not outcome.chosen:
        logger.info("no candidate left", extra={**log, "rejections": outcome.rejections})
        return {"found": False, "reason": "no_candidates", "round": plan.round}
    batch = rounds.batch_id(order.order_id, plan.round)
    mode = "grab" if size > 1 else "single"
    chosen = [
        {
            "technician_id": s.technician_id,
            "offer_id": rounds.offer_id(batch, k),
            "distance_m": s.distance_m,
            "reason": outcome.reason(s, round_number=plan.round, mode=mode, rank_number=k).model_dump(),
        }
        for k, s in enumerate(outcome.chosen, start=1)
    ]
    logger.info(
        "candidates selected", extra={**log, "radius_m": outcome.radius_m, "chosen": [c["technician_id"] for c in chosen]}
    )
    return {
        "found": True,
        "batch_id": batch,
        "round": plan.round,
        "radius_m": outcome.radius_m,
        "mode": mode,
        "offers": chosen,
    }
