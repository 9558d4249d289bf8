"""Task tokens of the workflow's waits (dispatch, completion, rating), stored per order and step."""

from __future__ import annotations

from pynamodb.exceptions import DeleteError

from shared.dal.base import condition_failed, ensure_bound
from shared.dal.tables import CallbackItem


def _key(order_id: str, step: str) -> tuple[str, str]:
    return f"ORDER#{order_id}", f"CALLBACK#{step}"


def register(order_id: str, step: str, token: str, *, at: str) -> None:
    ensure_bound()
    CallbackItem(*_key(order_id, step), order_id=order_id, step=step, task_token=token, registered_at=at).save()


def token(order_id: str, step: str) -> str | None:
    ensure_bound()
    try:
        return CallbackItem.get(*_key(order_id, step), consistent_read=True).task_token
    except CallbackItem.DoesNotExist:
        return None


def consume(order_id: str, step: str) -> str | None:
    """Delete and return the token; the conditional delete lets exactly one caller resume the step."""
    ensure_bound()
    try:
        item = CallbackItem.get(*_key(order_id, step), consistent_read=True)
    except CallbackItem.DoesNotExist:
        return None
    try:
        item.delete(condition=CallbackItem.task_token == item.task_token)
    except DeleteError as exc:
        if condition_failed(exc):
            return None
        raise
    return item.task_token
