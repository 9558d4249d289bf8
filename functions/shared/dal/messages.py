"""The notification outbox: what each person received (or, in the sandbox, would have), newest first."""

from __future__ import annotations

from shared.dal.base import condition_failed, ensure_bound
from shared.dal.tables import MessageItem
from shared.records import Message


def _key(message: Message) -> tuple[str, str]:
    return f"USER#{message.recipient_id}", f"MSG#{message.created_at}#{message.message_id}"


def recorded(message: Message) -> bool:
    """True if this message (same id, same time) was already delivered and recorded."""
    ensure_bound()
    try:
        MessageItem.get(*_key(message))
    except MessageItem.DoesNotExist:
        return False
    return True


def put(message: Message) -> None:
    ensure_bound()
    try:
        MessageItem(*_key(message), **message.model_dump()).save(condition=MessageItem.pk.does_not_exist())
    except Exception as exc:
        if not condition_failed(exc):  # recorded by an earlier attempt of the same delivery
            raise


def for_recipient(recipient_id: str, limit: int = 50) -> list[Message]:
    ensure_bound()
    items = MessageItem.query(f"USER#{recipient_id}", MessageItem.sk.startswith("MSG#"), scan_index_forward=False, limit=limit)
    return [Message(**{k: getattr(i, k) for k in Message.model_fields}) for i in items]
