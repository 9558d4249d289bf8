"""Text messages the other domains send a resident outside the order events (a proxy link's consent code, its
notices): by SMS whatever channels the resident chose, and recorded in their outbox like every other message."""

from __future__ import annotations

from identity.domain.records import User
from notify.domain.sms import template as sms_template
from notify.store import messages, notifications
from notify.store.messages import Message
from shared import clock, sms
from shared.observability import logger


def tell_by_sms(
    recipient: User,
    *,
    message_id: str,
    kind: str,
    text: tuple[str, str],
    template: tuple[str, dict[str, str]],
    order_id: str | None = None,
) -> None:
    """A text message to the resident (`template`: an SMS template and its parameters), whatever channels they
    chose (consent and safety notices always go by SMS), recorded in their outbox (GET /messages, with `text`)
    like every other message. Over the number's daily SMS cap nothing is sent (sms.SmsNotSent)."""
    zh, en = text
    if recipient.phone:
        language = notifications.get_preferences(recipient.user_id).language
        sms.send_template(recipient.phone, sms_template(template[0]), template[1], language=language)
    else:
        logger.warning("a consent notice for a resident without a phone was only recorded", extra={"kind": kind})
    at = clock.now_iso()
    messages.put(
        Message(
            message_id=message_id,
            recipient_id=recipient.user_id,
            channel="sms",
            order_id=order_id,
            kind=kind,
            text_zh=zh,
            text_en=en,
            created_at=at,
        )
    )
