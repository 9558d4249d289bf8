"""Workflow task: remember the task token of a wait (dispatch, completion, approval, rating).

If the order already reached the awaited status before the token was stored (the API came first),
resume at once: `resume_step` hands the token to exactly one of the two sides. The wait's deadline (when its
state was entered plus its timeout, both passed by the state machine) is stored with the token, and indexed
for the deadline warnings of the steps that get one.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, BaseModel, Field

from orders.logic import deadlines
from shared import clock
from shared.callbacks import resume_step
from shared.dal import callbacks, orders
from shared.lifecycle import CALLBACK_SATISFIED_BY
from shared.observability import logger, tracer
from shared.tasks import retry_outages


class RegisterCallbackIn(BaseModel):
    order_id: str
    step: str
    task_token: str
    # Both absent for an execution started before the definition passed them: no deadline, no warning.
    timeout_seconds: int | None = Field(default=None, ge=1)
    entered_at: AwareDatetime | None = None  # $$.State.EnteredTime


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@retry_outages
def handler(event: dict, context: LambdaContext) -> dict:
    task = RegisterCallbackIn.model_validate(event)
    at = clock.now_iso()
    started = clock.iso(task.entered_at) if task.entered_at else at
    callbacks.register(
        task.order_id,
        task.step,
        task.task_token,
        at=at,
        entered_at=started,
        deadline_at=deadlines.deadline_of(started, task.timeout_seconds) if task.timeout_seconds else None,
        warn=task.step in deadlines.WARNED_STEPS,
    )
    order = orders.get_or_404(task.order_id)
    already_done = order.status in CALLBACK_SATISFIED_BY[task.step]
    if already_done:
        resume_step(task.order_id, task.step, {"step": task.step, "status": order.status})
    logger.info("callback registered", extra={"order_id": task.order_id, "step": task.step, "already_done": already_done})
    return {"registered": True, "already_done": already_done}
