"""Task tokens of the workflow's waits (dispatch, completion, approval, rating), stored per order and step.

A wait registered with a deadline that gets a warning is also indexed by the hour of its deadline (gsi4
`DEADLINE#<yyyy-mm-ddThh>`, sorted by `<deadline_at>#<order>#<step>`), so the deadline job reads only the
one or two hours its warning window spans, never the whole table. A rating wait long enough for a rating reminder
is indexed instead by the hour it is due (`RATING_REMINDER#<yyyy-mm-ddThh>`, sorted by `<remind_at>#<order>#<step>`);
its `warned_at` says it was reminded.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import UpdateError

from shared.clock import iso
from shared.dal.base import condition_failed, ensure_bound
from shared.dal.tables import Gsi4, item_of


class WorkflowWait(BaseModel):
    """A workflow wait (`CALLBACK#<step>` of an order) as the deadline job sees it: never its task token."""

    order_id: str
    step: str
    registered_at: str
    entered_at: str | None = None  # when the waiting state was entered (its timeout counts from then)
    deadline_at: str | None = None  # when the wait times out; None for waits registered without a timeout
    warned_at: str | None = None  # when its deadline warning was published


# pk ORDER#<order>, sk CALLBACK#<step>: a workflow wait's task token; the waits that get a deadline warning
# are indexed by the hour of their deadline (gsi4 DEADLINE#<yyyy-mm-ddThh> / <deadline_at>#<order>#<step>).
CallbackItem = item_of(
    WorkflowWait,
    "CallbackItem",
    task_token=UnicodeAttribute(),  # never leaves the server
    claimed_by=UnicodeAttribute(null=True),  # set by the one caller that resumes the step (callbacks.consume)
    gsi4pk=UnicodeAttribute(null=True),
    gsi4sk=UnicodeAttribute(null=True),
    by_deadline=Gsi4(),
)


DEADLINE = "DEADLINE#"
RATING_REMINDER = "RATING_REMINDER#"


def _key(order_id: str, step: str) -> tuple[str, str]:
    return f"ORDER#{order_id}", f"CALLBACK#{step}"


def _hour(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H")


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


def register(
    order_id: str,
    step: str,
    token: str,
    *,
    at: str,
    entered_at: str | None = None,
    deadline_at: str | None = None,
    warn: bool = False,
    remind_at: str | None = None,
) -> None:
    """Store the wait's token (replacing an earlier wait of the same step, and with it its warning)."""
    ensure_bound()
    by_deadline = (
        {"gsi4pk": f"{DEADLINE}{_hour(_parse(deadline_at))}", "gsi4sk": f"{deadline_at}#{order_id}#{step}"}
        if warn and deadline_at
        else {"gsi4pk": f"{RATING_REMINDER}{_hour(_parse(remind_at))}", "gsi4sk": f"{remind_at}#{order_id}#{step}"}
        if remind_at
        else {}
    )
    CallbackItem(
        *_key(order_id, step),
        order_id=order_id,
        step=step,
        task_token=token,
        registered_at=at,
        entered_at=entered_at,
        deadline_at=deadline_at,
        **by_deadline,
    ).save()


def _wait(item: CallbackItem) -> WorkflowWait:
    return WorkflowWait(**{k: getattr(item, k) for k in WorkflowWait.model_fields})


def wait(order_id: str, step: str) -> WorkflowWait | None:
    ensure_bound()
    try:
        return _wait(CallbackItem.get(*_key(order_id, step), consistent_read=True))
    except CallbackItem.DoesNotExist:
        return None


def unwarned_due_between(start: datetime, end: datetime) -> list[WorkflowWait]:
    """The indexed waits not yet warned whose deadline falls in [start, end], soonest first."""
    return _indexed_between(DEADLINE, start, end)


def unreminded_ratings_between(start: datetime, end: datetime) -> list[WorkflowWait]:
    """The rating waits not yet reminded whose reminder falls due in [start, end], soonest first."""
    return _indexed_between(RATING_REMINDER, start, end)


def _indexed_between(prefix: str, start: datetime, end: datetime) -> list[WorkflowWait]:
    ensure_bound()
    found: list[WorkflowWait] = []
    hour = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    while hour <= end:
        items = CallbackItem.by_deadline.query(
            f"{prefix}{_hour(hour)}",
            CallbackItem.gsi4sk.between(iso(start), f"{iso(end)}~"),  # "~" sorts after "#<order>#<step>"
            filter_condition=CallbackItem.warned_at.does_not_exist(),
        )
        found += [_wait(i) for i in items]
        hour += timedelta(hours=1)
    return found


def claim_warning(order_id: str, step: str, deadline_at: str, *, at: str) -> bool:
    """Mark the wait warned, if it is still that wait (same deadline, not consumed) and was not warned yet:
    of two overlapping runs exactly one claims it."""
    ensure_bound()
    try:
        CallbackItem(*_key(order_id, step)).update(
            actions=[CallbackItem.warned_at.set(at)],
            condition=CallbackItem.task_token.exists()
            & CallbackItem.claimed_by.does_not_exist()  # a claimed wait is being resumed: nothing to warn of
            & (CallbackItem.deadline_at == deadline_at)
            & CallbackItem.warned_at.does_not_exist(),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def release_warning(order_id: str, step: str, *, at: str) -> None:
    """Undo a claim whose warning could not be published, so the next run tries again."""
    ensure_bound()
    try:
        CallbackItem(*_key(order_id, step)).update(
            actions=[CallbackItem.warned_at.remove()], condition=CallbackItem.warned_at == at
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def token(order_id: str, step: str) -> str | None:
    """The wait's token while nobody has taken it to resume the step."""
    ensure_bound()
    try:
        item = CallbackItem.get(*_key(order_id, step), consistent_read=True)
    except CallbackItem.DoesNotExist:
        return None
    return None if item.claimed_by else item.task_token


def consume(order_id: str, step: str) -> str | None:
    """Take the token to resume the step: a conditional claim lets exactly one caller have it.

    The claim is marked, not deleted, so that a claim applied though its answer was lost (the SDK then
    retries and fails the condition against its own claim) is still recognised as ours."""
    ensure_bound()
    try:
        item = CallbackItem.get(*_key(order_id, step), consistent_read=True)
    except CallbackItem.DoesNotExist:
        return None
    if item.claimed_by:
        return None
    claim = uuid.uuid4().hex
    try:
        item.update(
            actions=[CallbackItem.claimed_by.set(claim)],
            condition=(CallbackItem.task_token == item.task_token) & CallbackItem.claimed_by.does_not_exist(),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        again = CallbackItem.get(*_key(order_id, step), consistent_read=True)
        return again.task_token if again.claimed_by == claim else None
    return item.task_token
