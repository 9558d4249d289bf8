"""Scheduled every 5 minutes: warn the people concerned before a workflow wait runs out.

Reads only the waits whose deadline falls within the warning lead (Query gsi4 DEADLINE#<hour>, one or two
hours), skips those the order no longer waits for, and publishes one `order.deadline_approaching` event per
wait: a conditional write on the wait (`warned_at`) lets exactly one run claim it, and the event id is stable
per order, step and deadline. `{"at": "<ISO instant>"}` runs it as of that instant (the sandbox and tests).

It also reminds a resident who has not rated `OrderSettings.rating_reminder_after_seconds` after the repair was done:
the rating waits whose reminder fell due in the last few hours (Query gsi4 RATING_REMINDER#<hour>), still waiting,
each claimed by the same conditional write, publish one `order.rating_reminder` (id stable per order).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, BaseModel

from compounds.service import compound_records
from orders.domain import deadlines
from orders.domain.settings import order_settings
from orders.domain.steps import Step
from orders.store import callbacks, orders
from orders.store.callbacks import WorkflowWait
from shared import clock, events
from shared.clock import iso
from shared.events import DomainEvent
from shared.observability import logger, tracer


class DeadlineRun(BaseModel):
    at: AwareDatetime | None = None


class DeadlineResult(BaseModel):
    at: str
    window_end: str
    due: int  # waits not yet warned whose deadline falls within the window
    warned: list[str]  # the event ids published by this run
    reminded: list[str] = []  # the rating reminders' event ids published by this run


# A run reminds of ratings due this long before it at most (the job runs every 5 minutes).
REMINDER_LOOKBACK = timedelta(hours=6)


def _publish_once(wait: WorkflowWait, event: DomainEvent, at: str) -> bool:
    """Claim the wait's one warning (a conditional write), then publish it; a failed publish gives the claim back, so
    the next run tries again. False when the claim was taken already."""
    if not callbacks.claim_warning(wait.order_id, wait.step, wait.deadline_at, at=at):
        return False
    try:
        events.publish([event])
    except Exception:
        callbacks.release_warning(wait.order_id, wait.step, at=at)
        raise
    return True


def remind_ratings(now: datetime) -> list[str]:
    at = iso(now)
    reminded: list[str] = []
    for wait in callbacks.unreminded_ratings_between(now - REMINDER_LOOKBACK, now):
        if wait.step != Step.RATING or wait.deadline_at is None:
            continue
        order = orders.get(wait.order_id)
        if order is None or not deadlines.still_waiting(wait.step, order.status):
            continue  # rated, closed or cancelled
        event = deadlines.rating_reminder_event(order, at=at)
        if _publish_once(wait, event, at):  # else another run reminded her, or the wait ended in between
            reminded.append(event.event_id)
    return reminded


def run(now: datetime) -> DeadlineResult:
    lead = order_settings().deadline_warning_lead_seconds
    at, end = iso(now), now + timedelta(seconds=lead)
    due = callbacks.unwarned_due_between(now, end)
    warned: list[str] = []
    for wait in due:
        if not deadlines.worth_warning(wait, lead) or wait.deadline_at is None:
            continue
        order = orders.get(wait.order_id)
        if order is None or not deadlines.still_waiting(wait.step, order.status):
            continue  # answered (the token is being consumed), cancelled or closed
        compound = compound_records.get_compound(order.compound_id) if not order.company_id else None
        company_id = deadlines.company_concerned(order, wait.step, compound.contracted_company_id if compound else None)
        event = deadlines.warning_event(order, wait, at=at, company_id=company_id)
        if _publish_once(wait, event, at):  # else another run warned it, or the wait ended in between
            warned.append(event.event_id)
    reminded = remind_ratings(now)
    logger.info("deadline warnings", extra={"due": len(due), "warned": len(warned), "reminded": len(reminded)})
    return DeadlineResult(at=at, window_end=iso(end), due=len(due), warned=warned, reminded=reminded)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    # A scheduled event carries no `at`: now. (Its `time` is when it was due, which a retry may be long after.)
    requested = DeadlineRun.model_validate({"at": event.get("at")} if isinstance(event, dict) else {})
    return run(requested.at or clock.now()).model_dump()
