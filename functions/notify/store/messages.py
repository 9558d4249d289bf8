"""The notification outbox: what each person received (or, in the sandbox, would have), newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from shared.dal.base import condition_failed, ensure_bound
from shared.dal.tables import item_of

if TYPE_CHECKING:
    from notify.domain.compose import Draft
    from shared.events import DomainEvent


class Message(BaseModel):
    message_id: str
    recipient_id: str
    channel: str
    order_id: str | None = None
    kind: str
    text_zh: str
    text_en: str
    created_at: str
    template: str | None = None  # a WeChat subscription message's template id, or the SMS template it went by

    @classmethod
    def of_draft(cls, draft: Draft, event: DomainEvent, recipient_id: str, channel: str, template: str | None) -> Message:
        """The outbox entry of a draft sent on one channel. Its id is the event's, the recipient's and the channel's,
        so an event delivered again finds it recorded."""
        return cls(
            message_id=f"{event.event_id}.{recipient_id}.{channel}",
            recipient_id=recipient_id,
            channel=channel,
            order_id=draft.order_id,
            kind=draft.kind,
            text_zh=draft.text_zh,
            text_en=draft.text_en,
            created_at=event.occurred_at,
            template=template,
        )


MessageItem = item_of(Message, "MessageItem")


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


def position(message: Message) -> str:
    """The message's place in its recipient's list (its sort key without the `MSG#` prefix)."""
    return f"{message.created_at}#{message.message_id}"


def for_recipient(recipient_id: str, limit: int = 50, before: str | None = None) -> list[Message]:
    """Newest first; `before`: only the messages that come before that position (paging)."""
    ensure_bound()
    if before is None:
        condition, wanted = MessageItem.sk.startswith("MSG#"), limit
    else:  # `between` includes its end, which is the previous page's last message: one more, and drop it
        condition, wanted = MessageItem.sk.between("MSG#", f"MSG#{before}"), limit + 1
    items = MessageItem.query(f"USER#{recipient_id}", condition, scan_index_forward=False, limit=wanted)
    found = [Message(**{k: getattr(i, k) for k in Message.model_fields}) for i in items]
    return [m for m in found if position(m) != before][:limit]
