"""The notification outbox: what each person would have received, newest first."""

from __future__ import annotations

from shared.dal.base import ensure_bound
from shared.dal.tables import MessageItem
from shared.records import Message


def put(message: Message) -> None:
    ensure_bound()
    MessageItem(f"USER#{message.recipient_id}", f"MSG#{message.created_at}#{message.message_id}", **message.model_dump()).save(
        condition=MessageItem.pk.does_not_exist()
    )


def for_recipient(recipient_id: str, limit: int = 50) -> list[Message]:
    ensure_bound()
    items = MessageItem.query(f"USER#{recipient_id}", MessageItem.sk.startswith("MSG#"), scan_index_forward=False, limit=limit)
    return [Message(**{k: getattr(i, k) for k in Message.model_fields}) for i in items]
