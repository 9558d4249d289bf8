"""Deadline warnings (pure): which workflow waits are warned, when, to which company, and the event.

A wait's deadline is when its state was entered plus its timeout, as Step Functions counts it. The
DeadlineWarnings job warns once about each wait whose deadline falls within the warning lead
(`OrderSettings.deadline_warning_lead_seconds`), while the order still waits for that step.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from orders.domain.lifecycle import TERMINAL, OrderStatus, OrderType
from orders.domain.records import Order
from orders.domain.steps import SATISFIED_BY, Step
from orders.store.callbacks import WorkflowWait
from shared.clock import iso
from shared.events import DomainEvent, EventType, OrderSnapshot

# The waits someone can still act on before they run out: the company's dispatcher (or, once escalated, a
# supervisor) must dispatch, the technician must finish and bill, the resident must consent to extra lines.
# Not the rating: a resident who does not rate loses nothing and the order closes anyway, so nobody is
# warned of its deadline; she is reminded once to rate instead (`rating_reminder_at`), well before it.
WARNED_STEPS = frozenset({Step.DISPATCH, Step.COMPLETION, Step.APPROVAL})


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


def deadline_of(entered_at: str, timeout_seconds: int) -> str:
    return iso(_parse(entered_at) + timedelta(seconds=timeout_seconds))


def worth_warning(wait: WorkflowWait, lead_seconds: int) -> bool:
    """A wait no longer than the lead is not warned: its deadline was told when it began, and a warning
    would arrive at once."""
    if wait.step not in WARNED_STEPS or wait.deadline_at is None:
        return False
    started = _parse(wait.entered_at or wait.registered_at)
    return (_parse(wait.deadline_at) - started).total_seconds() > lead_seconds


def still_waiting(step: str, status: str) -> bool:
    """The order has not yet reached what the step waits for, and is not over (cancelled, closed)."""
    return status not in SATISFIED_BY[Step(step)] and status not in TERMINAL


def company_concerned(order: Order, step: str, contracted_company_id: str | None) -> str | None:
    """The order's company once assigned; before that, a public-area report's contracted company, whose
    dispatcher must acknowledge it (an escalated order waits for a supervisor, not a company)."""
    if order.company_id:
        return order.company_id
    if step == Step.DISPATCH and order.order_type == OrderType.PUBLIC_AREA and order.status != OrderStatus.ESCALATED:
        return contracted_company_id
    return None


def warning_event(order: Order, wait: WorkflowWait, *, at: str, company_id: str | None) -> DomainEvent:
    """The warning, with an id stable per order, step and deadline: a rerun publishes the same id, and a new
    wait of the same step (a later deadline) a new one."""
    deadline = wait.deadline_at or ""
    compact = "".join(c for c in deadline if c.isalnum())
    return DomainEvent(
        event_id=f"evt_deadline_{order.order_id}_{wait.step}_{compact}",
        type=EventType.ORDER_DEADLINE_APPROACHING,
        occurred_at=at,
        company_id=company_id,
        order=OrderSnapshot.of(order.model_dump()),
        deadline_step=wait.step,
        deadline_at=deadline,
    )


def rating_reminder_at(step: str, entered_at: str, timeout_seconds: int | None, after_seconds: int) -> str | None:
    """When a resident who has not rated is reminded: `after_seconds` after the rating wait began (the repair
    was done). None for other waits, and for a rating wait that ends by then."""
    if step != Step.RATING or not timeout_seconds or timeout_seconds <= after_seconds:
        return None
    return iso(_parse(entered_at) + timedelta(seconds=after_seconds))


def rating_reminder_event(order: Order, *, at: str) -> DomainEvent:
    """The rating reminder, with an id stable per order: whatever reruns or new rating waits, her outbox records
    it once, so she is reminded once."""
    return DomainEvent(
        event_id=f"evt_rating_reminder_{order.order_id}",
        type=EventType.ORDER_RATING_REMINDER,
        occurred_at=at,
        order=OrderSnapshot.of(order.model_dump()),
    )
