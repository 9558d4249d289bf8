"""Use cases of WeChat subscription messages: recording the consents a resident gave in the mini-program, and
sending a resident's message by WeChat when a consent is left, else by SMS.

Each consent from `wx.requestSubscribeMessage` allows one message of that template; one is spent per message
(never below zero). WeChat answering 43101 (the resident refused or cancelled) clears the template's consents.
Any other refusal, or WeChat out of reach, is recorded as a dead letter (GET /ops/dead-letters, queue `wechat`);
the resident is told by SMS in every case where WeChat did not take the message."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import timedelta
from functools import lru_cache

from identity.domain.records import User
from identity.service import accounts
from notify.domain.compose import CATEGORY_WORDS, Draft
from notify.domain.dead_letters import DeadLetter
from notify.domain.settings import notify_settings
from notify.domain.sms import template as sms_template
from notify.domain.wechat_templates import TEMPLATES, MessageFacts, beijing_time, fill, kinds_for, page_of
from notify.service.wechat_token import TokenSource, shared_source
from notify.store import WeChatDeadLetter, WeChatStore, messages
from notify.store.messages import Message
from notify.store.notifications import Channel
from orders.service import queries as orders
from shared import clock, sms, wechat
from shared.errors import ValidationFailed
from shared.events import DomainEvent
from shared.observability import logger
from supervision.domain.settings import supervision_settings

SEND_PATH = "/cgi-bin/message/subscribe/send"
USER_REFUSED = 43101
# WeChat not reached, busy or rate-limited: the consent was not used, so it is given back.
_NOT_REACHED = (None, wechat.SYSTEM_BUSY, wechat.RATE_LIMITED)
MAX_TEMPLATES_PER_REQUEST = 20


class UnknownTemplate(ValidationFailed):
    code = "unknown_template"


class AcceptedNotAsked(ValidationFailed):
    code = "accepted_not_asked"


@lru_cache(maxsize=1)
def _default_store() -> WeChatStore:
    from notify.store.dynamodb import DynamoStore

    return DynamoStore()


def record_consents(
    user_id: str, template_ids: list[str], accepted: list[str], *, store: WeChatStore | None = None
) -> dict[str, int]:
    """The resident was asked `template_ids` and accepted `accepted`: one consent more for each accepted one.
    Returns template id → consents left, for the templates asked."""
    store = store or _default_store()
    known = set(notify_settings().wechat_template_ids.values())
    unknown = sorted({t for t in template_ids if t not in known})
    if unknown:
        raise UnknownTemplate(
            f"未知的订阅消息模板：{', '.join(unknown)}", f"Unknown subscription message template(s): {', '.join(unknown)}."
        )
    stray = sorted(set(accepted) - set(template_ids))
    if stray:
        raise AcceptedNotAsked(
            f"accepted 中的模板不在 template_ids 中：{', '.join(stray)}",
            f"`accepted` must be a subset of `template_ids`; not asked: {', '.join(stray)}.",
        )
    if accepted:
        store.add_consents(user_id, list(dict.fromkeys(accepted)), now=clock.now_iso())
    left = store.consents(user_id)
    return {t: left.get(t, 0) for t in dict.fromkeys(template_ids)}


# --- Delivery ---------------------------------------------------------------------------------------------------


def _templates_for(draft: Draft, event: DomainEvent) -> list[tuple[str, str]]:
    """(kind, template id) that may carry the draft, most fitting first: only configured ones."""
    order = event.order
    if order is None or draft.recipient_id != order.resident_id:
        return []
    ids = notify_settings().wechat_template_ids
    kinds = kinds_for(draft.kind, order.order_type, event.deadline_step)
    return [(k, ids[k]) for k in kinds if ids.get(k)]


def by_wechat(draft: Draft, recipient: User, event: DomainEvent) -> bool:
    """This message goes by WeChat when a consent is left (else by SMS): the resident signs in with WeChat and
    the message has a configured template."""
    return bool(recipient.wechat_openid) and bool(_templates_for(draft, event))


def _facts(event: DomainEvent, kind: str) -> MessageFacts:
    order = event.order
    assert order is not None
    what = CATEGORY_WORDS.get(order.category, (order.category, ""))[0]
    if order.order_type == "public_area":
        what = f"公区报事：{what}"
    technician, arrival = "", ""
    if kind in ("order_accepted", "technician_en_route") and order.technician_id:
        tech = accounts.get_user(order.technician_id)
        technician = tech.name if tech else ""
    if kind == "order_accepted":
        full = orders.get(order.order_id)
        if full is not None and full.slot is not None:
            arrival = beijing_time(full.slot.start, full.slot.end)
        else:
            minutes = supervision_settings().arrival_deadline_minutes.get(order.order_type, 60)
            until = clock.iso(clock.parse(event.occurred_at) + timedelta(minutes=minutes))
            arrival = beijing_time(event.occurred_at, until)
    return MessageFacts(
        order_id=order.order_id,
        code=order.order_code or order.order_id,
        what=what,
        technician=technician,
        arrival=arrival,
        at=beijing_time(event.occurred_at),
        extra=order.extra_total,
        total=order.bill_total,
    )


def send_subscription(touser: str, template_id: str, page: str, data: dict, *, source: TokenSource) -> None:
    """subscribeMessage.send; a token WeChat calls invalid or expired is replaced once and the call repeated."""
    body = {
        "touser": touser,
        "template_id": template_id,
        "page": page,
        "data": data,
        "miniprogram_state": notify_settings().wechat_miniprogram_state,
        "lang": "zh_CN",
    }
    token = source.token()
    try:
        wechat.post(SEND_PATH, body, token=token)
    except wechat.WeChatUnavailable as exc:
        if exc.errcode not in (wechat.TOKEN_INVALID, wechat.TOKEN_EXPIRED):
            raise
        wechat.post(SEND_PATH, body, token=source.refreshed(token))


@dataclass(frozen=True)
class Delivered:
    channel: Channel
    template: str


def _by_wechat(
    draft: Draft, recipient: User, event: DomainEvent, message_id: str, store: WeChatStore, source: TokenSource
) -> Delivered | None:
    """Try each fitting template with a consent left; the first WeChat takes wins. None: SMS instead."""
    order = event.order
    assert order is not None and recipient.wechat_openid
    for kind, template_id in _templates_for(draft, event):
        if not store.spend_consent(recipient.user_id, template_id):
            continue
        try:
            renamed = notify_settings().wechat_template_keys.get(kind, {})
            data = {renamed.get(k, k): v for k, v in fill(TEMPLATES[kind], _facts(event, kind)).items()}
            send_subscription(recipient.wechat_openid, template_id, page_of(order.order_id), data, source=source)
        except wechat.WeChatUnavailable as exc:
            if exc.errcode == USER_REFUSED:
                store.clear_consents(recipient.user_id, template_id)
                logger.info("WeChat: the resident refused the template; SMS instead", extra={"kind": kind})
                return None
            if exc.errcode in _NOT_REACHED:
                store.return_consent(recipient.user_id, template_id)
            store.add_dead_letter(
                WeChatDeadLetter(
                    message_id=message_id,
                    recipient_id=recipient.user_id,
                    kind=kind,
                    template_id=template_id,
                    order_id=order.order_id,
                    errcode=exc.errcode,
                    errmsg=exc.errmsg,
                    fallback="sms" if recipient.phone else "none",
                    at=event.occurred_at,
                )
            )
            logger.warning("WeChat subscription message not sent", extra={"kind": kind, "errcode": exc.errcode})
            return None
        return Delivered(Channel.WECHAT, template_id)
    return None


def deliver(
    draft: Draft,
    recipient: User,
    event: DomainEvent,
    language: str,
    *,
    store: WeChatStore | None = None,
    source: TokenSource | None = None,
) -> Message | None:
    """One resident message by WeChat (a consent left) or else by SMS, recorded in the outbox once: the message
    recorded now, or None (recorded before, or not sent: the number's SMS for today are used up)."""
    store, source = store or _default_store(), source or shared_source()

    def message(channel: Channel, template: str | None) -> Message:
        return Message.of_draft(draft, event, recipient.user_id, channel.value, template)

    if any(messages.recorded(message(c, None)) for c in (Channel.WECHAT, Channel.SMS)):
        return None
    delivered = _by_wechat(draft, recipient, event, message(Channel.WECHAT, None).message_id, store, source)
    if delivered is None and recipient.phone:
        try:
            sms.send_template(recipient.phone, sms_template(draft.template), dict(draft.params), language=language)
        except sms.SmsNotSent as refused:
            logger.warning("SMS not sent", extra={"reason": refused.reason, "kind": draft.kind})
            return None
        delivered = Delivered(Channel.SMS, draft.template)
    if delivered is None:  # no phone: the app's inbox has it
        if messages.recorded(message(Channel.PUSH, None)):
            return None
        delivered = Delivered(Channel.PUSH, "")
    recorded = message(delivered.channel, delivered.template or None)
    messages.put(recorded)
    return recorded


def dead_letters(limit: int = 50, *, store: WeChatStore | None = None) -> list[DeadLetter]:
    """The subscription messages WeChat refused, newest first, as GET /ops/dead-letters lists them (queue
    `wechat`; the body says which message, which template, WeChat's errcode and errmsg, and the fallback)."""
    letters = (store or _default_store()).dead_letters(limit)
    return [
        DeadLetter(queue="wechat", message_id=letter.message_id, body=json.dumps(asdict(letter), ensure_ascii=False))
        for letter in letters
    ]
