"""WeChat subscription messages (订阅消息): the template of each message kind, the fields it fills, WeChat's rules
for each field type, and which resident message goes by which template. Pure rules: no settings, no I/O.

Field rules (subscribeMessage.send, 订阅消息参数值内容限制): `thing` ≤ 20 characters (any); `character_string` ≤ 32
digits, letters or symbols (no Chinese); `phrase` ≤ 5 Chinese characters only; `time` a 24-hour time, optionally
with the date (`2026年12月4日 15:01`), or two of them joined by `~`; `amount` one currency sign and ≤ 10 digits,
optionally with decimals and a final 元. A value breaking them makes WeChat answer 47003, so every value is made
to fit (`fit`) before it is sent, and checked (`problem`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from orders.domain.steps import Step

BEIJING_OFFSET = timedelta(hours=8)
ORDER_PAGE = "pages/order/order?id={order_id}"  # the mini-program's order page (miniprogram/app/pages/order)


class FieldType(StrEnum):
    THING = "thing"
    CHARACTER_STRING = "character_string"
    PHRASE = "phrase"
    TIME = "time"
    AMOUNT = "amount"


THING_MAX, CHARACTER_STRING_MAX, PHRASE_MAX, AMOUNT_DIGITS_MAX = 20, 32, 5, 10
_HAN = re.compile(r"[\u4e00-\u9fff]")
_CHARACTER_STRING = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII: digits, letters, symbols (no spaces)
_PHRASE = re.compile(r"^[\u4e00-\u9fff]{1,5}$")
_CLOCK = r"(?:[01]\d|2[0-3]):[0-5]\d"
_DATE = r"(?:\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2})"
_MOMENT = rf"(?:{_DATE} {_CLOCK}|{_DATE}|{_CLOCK})"
_TIME = re.compile(rf"^{_MOMENT}(?:~{_MOMENT})?$")
_AMOUNT = re.compile(r"^[¥￥$]?\d{1,10}(?:\.\d{1,2})?元?$")


def problem(kind: FieldType, value: str) -> str | None:
    """Why WeChat would refuse `value` for a field of that type (None: it would take it)."""
    if not value:
        return "is empty"
    if kind == FieldType.THING:
        return None if len(value) <= THING_MAX else f"longer than {THING_MAX} characters"
    if kind == FieldType.CHARACTER_STRING:
        if len(value) > CHARACTER_STRING_MAX:
            return f"longer than {CHARACTER_STRING_MAX} characters"
        return None if _CHARACTER_STRING.match(value) else "not only digits, letters and symbols"
    if kind == FieldType.PHRASE:
        return None if _PHRASE.match(value) else f"not 1 to {PHRASE_MAX} Chinese characters"
    if kind == FieldType.TIME:
        return None if _TIME.match(value) else "not a 24-hour time (optionally with the date)"
    if kind == FieldType.AMOUNT:
        return None if _AMOUNT.match(value) else f"not an amount (a currency sign and at most {AMOUNT_DIGITS_MAX} digits)"
    return "unknown field type"


def fit(kind: FieldType, value: str) -> str:
    """`value` made to satisfy the rules of its type: a thing cut to 20 characters (the last one an ellipsis), a
    character string to 32 (non-ASCII and spaces left out), a phrase to its first 5 Chinese characters. A time or
    an amount is built by `beijing_time` / `yuan` already; one that breaks the rules anyway raises ValueError
    (a bug, not something to send)."""
    value = (value or "").strip()
    if kind == FieldType.THING:
        return value if len(value) <= THING_MAX else value[: THING_MAX - 1] + "…"
    if kind == FieldType.CHARACTER_STRING:
        kept = "".join(c for c in value if "\x21" <= c <= "\x7e")
        return kept[:CHARACTER_STRING_MAX]
    if kind == FieldType.PHRASE:
        return "".join(_HAN.findall(value))[:PHRASE_MAX]
    reason = problem(kind, value)
    if reason:
        raise ValueError(f"{kind.value} value {value!r} {reason}")
    return value


def beijing_time(instant: str, until: str | None = None) -> str:
    """A UTC instant (ISO 8601) as WeChat's time field in Beijing time: `2026年12月4日 15:01`, or a window
    `2026年12月4日 15:00~2026年12月4日 17:00`."""

    def one(at: str) -> str:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            moment = (moment - moment.utcoffset()).replace(tzinfo=None)  # to UTC
        local = moment + BEIJING_OFFSET
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"

    return one(instant) if until is None else f"{one(instant)}~{one(until)}"


def yuan(amount: float | None) -> str:
    """An amount as WeChat's amount field: `128.5元`, at most two decimals."""
    return f"{amount or 0:.2f}".rstrip("0").rstrip(".") + "元"


@dataclass(frozen=True)
class TemplateField:
    key: str  # as the template in the admin console numbers it: thing2, time4 …
    label: str  # the field's name in the console (关键词)
    source: str  # which value of the message fills it (MessageFacts)

    @property
    def type(self) -> FieldType:
        return FieldType(self.key.rstrip("0123456789"))


@dataclass(frozen=True)
class Template:
    kind: str
    title: str  # the template's title in WeChat's library (模板标题)
    fields: tuple[TemplateField, ...]
    sms_template: str  # the SMS of the same message (notify.domain.sms.SMS_TEMPLATES) when WeChat cannot take it


F = TemplateField
TEMPLATES: dict[str, Template] = {
    t.kind: t
    for t in (
        Template(
            "order_accepted",
            "接单成功通知",
            (
                F("character_string1", "订单码", "code"),
                F("thing2", "维修项目", "what"),
                F("thing3", "上门师傅", "technician"),
                F("time4", "预计上门时间", "arrival"),
            ),
            "order_assigned",
        ),
        Template(
            "technician_en_route",
            "师傅出发通知",
            (
                F("character_string1", "订单码", "code"),
                F("thing2", "上门师傅", "technician"),
                F("phrase3", "订单状态", "state"),
                F("thing4", "温馨提示", "hint"),
            ),
            "order_en_route",
        ),
        Template(
            "extra_charge",
            "费用待确认提醒",
            (F("character_string1", "订单码", "code"), F("amount2", "待确认金额", "extra"), F("thing3", "温馨提示", "hint")),
            "order_approval_needed",
        ),
        Template(
            "repair_done",
            "维修完成通知",
            (
                F("character_string1", "订单码", "code"),
                F("thing2", "维修项目", "what"),
                F("amount3", "维修费用", "total"),
                F("time4", "完成时间", "at"),
            ),
            "order_completed",
        ),
        Template(
            "rating_reminder",
            "服务评价提醒",
            (F("character_string1", "订单码", "code"), F("thing2", "维修项目", "what"), F("thing3", "温馨提示", "hint")),
            "order_completed",
        ),
        Template(
            "public_area_handled",
            "报事处理结果通知",
            (
                F("character_string1", "报事单号", "code"),
                F("thing2", "报事内容", "what"),
                F("phrase3", "处理结果", "state"),
                F("time4", "处理时间", "at"),
            ),
            "order_completed",
        ),
        Template(
            "escalation",
            "订单进度通知",
            (
                F("character_string1", "订单码", "code"),
                F("thing2", "维修项目", "what"),
                F("phrase3", "当前进度", "state"),
                F("thing4", "说明", "hint"),
            ),
            "order_escalated",
        ),
    )
}
KINDS = tuple(TEMPLATES)

# Identifiers of the templates in the sandbox's fake WeChat server (and the mini-program's test configuration).
SANDBOX_TEMPLATE_IDS = {
    "order_accepted": "tmpl-accepted",
    "technician_en_route": "tmpl-en-route",
    "extra_charge": "tmpl-extra",
    "repair_done": "tmpl-done",
    "rating_reminder": "tmpl-rating",
    "public_area_handled": "tmpl-public",
    "escalation": "tmpl-escalation",
}

_STATES = {
    "technician_en_route": ("正在赶来", "请核对订单码"),
    "extra_charge": ("", "请逐项确认，未经您同意不收取"),
    "rating_reminder": ("", "请为本次服务评价"),
    "public_area_handled": ("已处理", ""),
    "escalation": ("人工安排", "订单需要人工安排，请留意进展"),  # every reason: see notify.domain.escalation
}


def kinds_for(draft_kind: str, order_type: str | None, deadline_step: str | None = None) -> tuple[str, ...]:
    """The templates (most fitting first) that may carry a resident's message of `draft_kind` (an event type);
    the first with a consent left is used. Empty: the message never goes by WeChat."""
    if draft_kind == "order.assigned":
        return ("order_accepted",)
    if draft_kind == "order.en_route":
        return ("technician_en_route",)
    if draft_kind == "order.approval_needed":
        return ("extra_charge",)
    if draft_kind == "order.deadline_approaching" and deadline_step == Step.APPROVAL:
        return ("extra_charge",)
    if draft_kind == "order.completed":
        return ("public_area_handled",) if order_type == "public_area" else ("repair_done", "rating_reminder")
    if draft_kind == "order.escalated":
        return ("escalation",)
    if draft_kind == "order.rating_reminder":
        return ("rating_reminder",)
    return ()


@dataclass(frozen=True)
class MessageFacts:
    """What the fields of a message are filled from (already in words; `fill` makes each fit its type)."""

    order_id: str
    code: str
    what: str = ""
    technician: str = ""
    arrival: str = ""  # a time field value (beijing_time)
    at: str = ""  # a time field value
    extra: float | None = None
    total: float | None = None


def fill(template: Template, facts: MessageFacts) -> dict[str, dict[str, str]]:
    """subscribeMessage.send's `data`: every field of the template, its value fitted to WeChat's rules."""
    state, hint = _STATES.get(template.kind, ("", ""))
    values = {
        "code": facts.code or facts.order_id,
        "what": facts.what or "上门维修",
        "technician": facts.technician or "维修师傅",
        "arrival": facts.arrival,
        "at": facts.at,
        "extra": yuan(facts.extra),
        "total": yuan(facts.total),
        "state": state,
        "hint": hint,
    }
    return {f.key: {"value": fit(f.type, values[f.source])} for f in template.fields}


def page_of(order_id: str) -> str:
    return ORDER_PAGE.format(order_id=order_id)
