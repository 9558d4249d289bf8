"""Resuming a workflow wait from either side: whichever of the API and the waiting task comes
second finds the other's record and sends the answer, so neither order of arrival loses it."""

from __future__ import annotations

from shared import workflow
from shared.dal import callbacks as callback_store


def resume_step(order_id: str, step: str, output: dict | None = None) -> bool:
    token = callback_store.consume(order_id, step)
    if token is None:
        return False
    return workflow.resume(token, output or {"step": step})
