"""Use case: alert a second time about every escalated order nobody has acted on within the set time.

Reads the supervisors' escalated queue (Query gsi4 `STATUS#escalated`, only orders created before now minus the
set time: an order cannot have been escalated before it was created), keeps those escalated that long ago, claims
each escalation once (`RealertStore`) and publishes `order.escalation_unanswered`; the notifications function
tells the compound's contracted company's dispatchers and every supervisor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel

from compounds.service import compound_records
from escalation.domain import realert
from escalation.domain.settings import escalation_settings
from escalation.store.realerts import DynamoRealertStore, RealertStore
from orders.domain.lifecycle import OrderStatus
from orders.domain.records import Order
from orders.service import queries as orders
from shared import events
from shared.clock import iso
from shared.events import DomainEvent

QUEUE_PAGE = 500  # escalated orders read per run (they leave the queue within the escalation wait, hours)


class RealertResult(BaseModel):
    at: str
    after_seconds: int
    escalated: int  # escalated orders old enough to be due
    alerted: list[str]  # the event ids published by this run


def _escalated_before(before: str) -> list[Order]:
    return orders.created_before(OrderStatus.ESCALATED, before, limit=QUEUE_PAGE)


def _contracted_company(order: Order) -> str | None:
    compound = compound_records.get_compound(order.compound_id)
    return compound.contracted_company_id if compound else None


def run(
    now: datetime,
    *,
    store: RealertStore | None = None,
    escalated_before: Callable[[str], list[Order]] = _escalated_before,
    company_of: Callable[[Order], str | None] = _contracted_company,
    publish: Callable[[list[DomainEvent]], None] = events.publish,
) -> RealertResult:
    store = store or DynamoRealertStore()
    after = escalation_settings().escalation_realert_seconds
    at = iso(now)
    due = [o for o in escalated_before(iso(now - timedelta(seconds=after))) if realert.due(o, now, after)]
    alerted: list[str] = []
    for order in due:
        began = realert.escalated_at(order)
        if began is None or not store.claim(order.order_id, began, at=at):
            continue  # alerted before (this run's rerun, or an overlapping run)
        event = realert.realert_event(order, escalated=began, at=at, company_id=company_of(order))
        try:
            publish([event])
        except Exception:
            store.release(order.order_id, began, at=at)
            raise
        alerted.append(event.event_id)
    return RealertResult(at=at, after_seconds=after, escalated=len(due), alerted=alerted)
