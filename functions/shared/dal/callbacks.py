"""Task tokens of the workflow's waits (dispatch, completion, rating), stored per order and step."""

from __future__ import annotations

import uuid

from pynamodb.exceptions import UpdateError

from shared.dal.base import condition_failed, ensure_bound
from shared.dal.tables import CallbackItem


def _key(order_id: str, step: str) -> tuple[str, str]:
    return f"ORDER#{order_id}", f"CALLBACK#{step}"


def register(order_id: str, step: str, token: str, *, at: str) -> None:
    ensure_bound()
    CallbackItem(*_key(order_id, step), order_id=order_id, step=step, task_token=token, registered_at=at).save()


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
