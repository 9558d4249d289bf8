"""Task tokens of the workflow's waits (dispatch, completion, rating), stored per order and step."""

from __future__ import annotations

from shared.dal.base import connection, ensure_bound
from shared.settings import get_settings
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
    """Delete and return the token, so exactly one caller resumes the workflow for this step."""
    ensure_bound()
    pk, sk = _key(order_id, step)
    response = connection().delete_item(
        get_settings().table_name, pk, sk, return_values="ALL_OLD",
    )
    old = response.get("Attributes") or {}
    return old.get("task_token", {}).get("S")
