"""A message that could not be delivered and waits for an operator: from a queue's dead-letter queue or the
WeChat store."""

from __future__ import annotations

from pydantic import BaseModel


class DeadLetter(BaseModel):
    queue: str
    message_id: str
    body: str
    receive_count: int | None = None
