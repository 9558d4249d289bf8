"""Registering a workflow wait (the `Await…` callback states): remember its task token, and resume at once if
the order already reached what the wait is for.

If the API came first (the order's status already satisfies the step), `resume_step` hands the token to exactly
one of the two sides. The wait's deadline (when its state was entered plus its timeout, both passed by the state
machine) is stored with the token, and indexed for the deadline warnings of the steps that get one. Each wait's
handler (`orders.handlers.await_<step>`) binds its `Step` and calls `register`.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import AwareDatetime, BaseModel, Field

from orders.domain import deadlines
from orders.domain.records import Order
from orders.domain.settings import order_settings
from orders.domain.steps import SATISFIED_BY, Step
from orders.store import callbacks, orders
from orders.store.wait_ports import WaitStore
from shared import clock, workflow
from shared.observability import logger

# Sends the task's output to the wait's token (shared.workflow.resume: SendTaskSuccess); the tests pass their own.
Resume = Callable[[str, dict], bool]


def resume_step(
    order_id: str, step: str, output: dict | None = None, *, store: WaitStore = callbacks, resume: Resume | None = None
) -> bool:
    """Resume the workflow's wait for `step` if it is registered: whichever of the API and the waiting task comes
    second finds the other's record and sends the answer, so neither order of arrival loses it."""
    token = store.consume(order_id, step)
    if token is None:
        return False
    return (resume or workflow.resume)(token, output or {"step": step})


class WaitIn(BaseModel):
    """The Payload of an `Await…` state."""

    order_id: str
    step: Step
    task_token: str = Field(repr=False)
    # Both absent for an execution started before the definition passed them: no deadline, no warning.
    timeout_seconds: int | None = Field(default=None, ge=1)
    entered_at: AwareDatetime | None = None  # $$.State.EnteredTime


class WrongStep(ValueError):
    """A wait's state passed another step than its handler serves: the definition and the handlers disagree."""


def register(
    step: Step,
    event: dict,
    *,
    store: WaitStore = callbacks,
    read_order: Callable[[str], Order] = orders.get_or_404,
    resume: Resume | None = None,
) -> dict:
    """The wait's token stored (with its deadline, indexed for a warning or a rating reminder), and the step resumed
    at once if the order is already past it."""
    task = WaitIn.model_validate(event)
    if task.step != step:
        raise WrongStep(f"this handler registers {step.value} waits, the state passed {task.step.value}")
    at = clock.now_iso()
    started = clock.iso(task.entered_at) if task.entered_at else at
    store.register(
        task.order_id,
        step,
        task.task_token,
        at=at,
        entered_at=started,
        deadline_at=deadlines.deadline_of(started, task.timeout_seconds) if task.timeout_seconds else None,
        warn=step in deadlines.WARNED_STEPS,
        remind_at=deadlines.rating_reminder_at(
            step, started, task.timeout_seconds, order_settings().rating_reminder_after_seconds
        ),
    )
    order = read_order(task.order_id)
    already_done = order.status in SATISFIED_BY[step]
    if already_done:
        resume_step(task.order_id, step, {"step": step.value, "status": order.status}, store=store, resume=resume)
    logger.info("callback registered", extra={"order_id": task.order_id, "step": step.value, "already_done": already_done})
    return {"registered": True, "already_done": already_done}
