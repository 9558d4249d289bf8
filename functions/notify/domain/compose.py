"""Which messages an order's events produce for its resident, her proxies and its technician (and a public-area
report for the company's dispatchers), and their wording (Chinese first, plain words, the order code). Also what
every composer of messages shares: the `Draft` and the words that fill an SMS template."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from notify.domain.sms.words import CATEGORIES, RELATIONS
from shared.events import DomainEvent, EventType
from shared.sms import Param, fits


@dataclass(frozen=True)
class Draft:
    """A message to one person: its words for the app (text_zh / text_en) and, for the SMS channel, the template
    of notify.domain.sms.SMS_TEMPLATES and the parameters that fill it (no free text goes by SMS)."""

    recipient_id: str
    kind: str
    order_id: str | None
    text_zh: str
    text_en: str
    template: str = ""
    params: Mapping[str, str] = field(default_factory=dict)


E = EventType
_TO_RESIDENT = {
    E.ORDER_OFFERED: (
        "【邻里】您的报修单已通知附近师傅，请稍候。",
        "[Linli] A technician nearby has been asked to take your order.",
    ),
    E.ORDER_ASSIGNED: (
        "【邻里】师傅已接单，上门时请核对订单码 {code}。",
        "[Linli] A technician accepted. Check order code {code} at the door.",
    ),
    E.ORDER_EN_ROUTE: ("【邻里】师傅正在赶来，订单码 {code}。", "[Linli] The technician is on the way (order code {code})."),
    E.ORDER_ON_SITE: (
        "【邻里】师傅已到达，请核对订单码 {code}。",
        "[Linli] The technician has arrived; check order code {code}.",
    ),
    E.ORDER_APPROVAL_NEEDED: (
        "【邻里】师傅提出了超出报价的项目{extra_zh}，请在订单中逐项确认；未经您同意不会收取。",
        "[Linli] The technician proposes work beyond the quote{extra_en}. Review each line: no consent, no charge.",
    ),
    E.ORDER_COMPLETED: (
        "【邻里】维修已完成，费用 {total} 元。请为本次服务评价。",
        "[Linli] Repair done, charge CNY {total}. Please rate the service.",
    ),
    E.ORDER_CANCELLED: ("【邻里】您的订单已取消。", "[Linli] Your order was cancelled."),
}


def _amount(value: float | None) -> str:
    return f"{value or 0:g}"


def sms_yuan(value: float | None) -> str:
    """An amount as an SMS parameter: yuan with at most two decimals, never an exponent."""
    return f"{value or 0:.2f}".rstrip("0").rstrip(".")


# The SMS of each resident message (notify.domain.sms.SMS_TEMPLATES), and the words that tell a proxy who placed the
# order how it goes (proxy_order_progress).
_RESIDENT_SMS = {
    E.ORDER_OFFERED: ("order_offered", (), "已通知附近师傅"),
    E.ORDER_ASSIGNED: ("order_assigned", ("code",), "师傅已接单"),
    E.ORDER_EN_ROUTE: ("order_en_route", ("code",), "师傅正在赶来"),
    E.ORDER_ON_SITE: ("order_on_site", ("code",), "师傅已到达"),
    E.ORDER_APPROVAL_NEEDED: ("order_approval_needed", ("extra",), "有超出报价的项目待确认"),
    E.ORDER_COMPLETED: ("order_completed", ("total",), "维修已完成"),
    E.ORDER_ESCALATED: ("order_escalated", (), "订单需要人工安排"),  # its template and parameters: escalated_sms
    E.ORDER_CANCELLED: ("order_cancelled", (), "订单已取消"),
}


def sms_name(value: str | None, fallback: str) -> str:
    """A name as an SMS parameter: as it is when it is only letters (no digits, links or symbols), else `fallback`."""
    return value if value and fits(Param.NAME, value) else fallback


def _tail(phone: str | None) -> str:
    digits = "".join(c for c in phone or "" if c.isdigit())
    return digits[-4:] if len(digits) >= 4 else "无"


def extra_words(extra_total: float | None) -> tuple[str, str]:
    """What lines beyond the quote would add: the amount, or, where they cost the resident nothing (a free pilot
    compound), that she pays nothing (never "另需 0 元")."""
    if extra_total:
        return f"（另需 {_amount(extra_total)} 元）", f" (CNY {_amount(extra_total)} more)"
    return "（试点免费，您不用付钱）", " (free in the pilot: you pay nothing)"


def report_drafts(event: DomainEvent, *, dispatchers: list[str] | tuple[str, ...]) -> list[Draft]:
    """A public-area report reaches the company's back office when it is submitted (it waits for their dispatch),
    and the technician they dispatch it to when it is assigned (a supervisor's dispatch is told in drafts_for)."""
    order = event.order
    if order is None or order.order_type != "public_area":
        return []
    if event.type == E.ORDER_SUBMITTED:
        zh = f"【邻里】有新的公区报事（订单 {order.order_id}）待派单，请尽快安排师傅。"
        en = f"[Linli] A new public-area report (order {order.order_id}) waits for your dispatch."
        sms = {"order": order.order_id}
        return [
            Draft(d, "public_area.submitted", order.order_id, zh, en, "public_area_submitted", sms)
            for d in dict.fromkeys(dispatchers)
        ]
    if event.type == E.ORDER_ASSIGNED and event.previous_status != "escalated" and order.technician_id:
        zh, en = "【邻里】物业为您派了一个公区报事，请尽快处理。", "[Linli] Your company dispatched a public-area report to you."
        sms = {"by": "物业", "what": "公区报事"}
        return [Draft(order.technician_id, "public_area.dispatched", order.order_id, zh, en, "technician_dispatched", sms)]
    return []


CATEGORY_WORDS = {
    "electrical": ("电路/灯", "electrics/lights"),
    "plumbing": ("水管/下水", "water/drains"),
    "locks": ("门锁", "locks"),
    "appliances": ("家电", "appliances"),
    "other": ("其他维修", "other repairs"),
}
# Told by SMS whatever the person chose: someone else placed an order in their name.
PLACED_FOR_YOU = "proxy.order_placed"
PLACED_BY_DESK = "desk.order_placed"  # the property service desk placed it on the phone for her
ALWAYS_BY_SMS = frozenset({PLACED_FOR_YOU, PLACED_BY_DESK})


@dataclass(frozen=True)
class Placer:
    """A proxy who placed the order for the resident, as the messages name them."""

    proxy_id: str
    name: str
    relation: str
    relation_en: str
    resident_name: str
    still_linked: bool  # a revoked proxy is told nothing more about the order
    phone_tail: str = ""  # the last four digits of the proxy's phone, by which the resident knows them in an SMS


def placed_for_you(event: DomainEvent, placer: Placer | None) -> list[Draft]:
    """The resident is told of every order a proxy placed for them: who, what, and the door code."""
    order = event.order
    if event.type != E.ORDER_SUBMITTED or order is None or placer is None or not order.order_code:
        return []
    what_zh, what_en = CATEGORY_WORDS.get(order.category, (order.category, order.category))
    if order.placed_via == "phone":  # the desk: `relation` is its company's name
        zh = (
            f"【邻里】{placer.relation}服务台按您的来电替您报修了：{what_zh}。订单码 {order.order_code}，"
            "师傅上门时请核对这个号码，对上再开门。"
        )
        en = (
            f"[Linli] The {placer.relation_en or placer.relation} service desk placed a repair order for you, as you asked on "
            f"the phone: {what_en}. Order code {order.order_code}: check it with the technician at the door."
        )
        sms = {
            "company": sms_name(placer.relation, "物业"),
            "category": what_zh if what_zh in CATEGORIES else "其他维修",
            "code": order.order_code,
        }
        return [Draft(order.resident_id, PLACED_BY_DESK, order.order_id, zh, en, "desk_order_placed", sms)]
    zh = (
        f"【邻里】{placer.name}（{placer.relation}）替您报修了：{what_zh}。订单码 {order.order_code}，"
        "师傅上门时请核对这个号码，对上再开门。如有疑问请联系社区。"
    )
    en = (
        f"[Linli] {placer.name} ({placer.relation_en or placer.relation}) placed a repair order for you: {what_en}. "
        f"Order code {order.order_code}: check it with the technician at the door. Questions? Call the community office."
    )
    sms = {
        "relation": placer.relation if placer.relation in RELATIONS else "其他",
        "tail": _tail(placer.phone_tail),
        "category": what_zh if what_zh in CATEGORIES else "其他维修",
        "code": order.order_code,
    }
    return [Draft(order.resident_id, PLACED_FOR_YOU, order.order_id, zh, en, "proxy_order_placed", sms)]


def drafts_for(
    event: DomainEvent,
    *,
    proxies: list[str] | tuple[str, ...] = (),
    placer: Placer | None = None,
    escalated_text: tuple[str, str] | None = None,
    escalated_sms: tuple[str, Mapping[str, str]] | None = None,
) -> list[Draft]:
    """The messages of one event; `proxies` are the family members linked to the resident's account; `placer` the
    proxy who placed the order, told of its progress too while still linked; `escalated_text` what the resident reads
    of an escalation (`notify.domain.escalation.resident_text`: the reason, and who arranges it) and `escalated_sms` its
    SMS template and parameters (`notify.domain.escalation.resident_sms`)."""
    order = event.order
    drafts: list[Draft] = []
    if order is None:
        return drafts
    to_resident = dict(_TO_RESIDENT)
    if escalated_text is not None:  # already worded: its braces are text, not placeholders
        zh, en = (t.replace("{", "{{").replace("}", "}}") for t in escalated_text)
        to_resident[E.ORDER_ESCALATED] = (zh, en)

    code = order.order_code or order.order_id
    sms_values = {"code": code, "total": sms_yuan(order.bill_total), "extra": sms_yuan(order.extra_total)}

    def to(
        recipient: str | None,
        zh: str,
        en: str,
        template: str,
        *names: str,
        prefix: tuple[str, str] | None = None,
        **params: str,
    ) -> None:
        """The templates are filled first; names people typed are put in after, so no brace in them is read as a
        placeholder."""
        if recipient:
            extra_zh, extra_en = extra_words(order.extra_total)
            values = {"code": order.order_code, "total": _amount(order.bill_total), "extra_zh": extra_zh, "extra_en": extra_en}
            zh, en = zh.format(**values), en.format(**values)
            if prefix is not None:
                zh, en = prefix[0] + zh.removeprefix("【邻里】"), prefix[1] + en.removeprefix("[Linli] ")
            sms = {**{n: sms_values[n] for n in names}, **params}
            drafts.append(Draft(recipient, event.type.value, order.order_id, zh, en, template, sms))

    if event.type in to_resident:
        template, names, progress = _RESIDENT_SMS[event.type]
        params: dict[str, str] = {}
        if event.type == E.ORDER_APPROVAL_NEEDED and not order.extra_total:
            template, names = "order_approval_needed_free", ()  # never "另需 0 元"
        if event.type == E.ORDER_ESCALATED:
            template, params = escalated_sms or ("order_escalated_nobody", {"reason": "您的订单需要人工安排", "code": code})
            params = dict(params)
        to(order.resident_id, *to_resident[event.type], template, *names, **params)
        if placer is not None and placer.still_linked and placer.proxy_id != order.resident_id:
            to(
                placer.proxy_id,
                *to_resident[event.type],
                "proxy_order_progress",
                "code",
                prefix=(
                    f"【邻里】（您替{placer.resident_name}下的单）",
                    f"[Linli] (The order you placed for {placer.resident_name}) ",
                ),
                progress=progress,
            )
    drafts += placed_for_you(event, placer)
    if event.type == E.ORDER_APPROVAL_NEEDED:
        for proxy in proxies:  # a family member may approve or reject on the resident's behalf
            to(
                proxy,
                "【邻里】您家人的维修订单有超出报价的项目{extra_zh}待确认，您可以代为同意或拒绝。",
                "[Linli] A family member's repair has lines beyond the quote{extra_en}; you may approve or reject them.",
                *(("family_approval_needed", "extra") if order.extra_total else ("family_approval_needed_free",)),
            )
    if event.type == E.ORDER_CANCELLED:
        to(
            order.technician_id,
            "【邻里】您负责的订单已被取消，无需上门。",
            "[Linli] An order assigned to you was cancelled; no visit needed.",
            "technician_order_cancelled",
        )
    if event.type == E.ORDER_ASSIGNED and event.previous_status == "escalated":
        to(
            order.technician_id,
            "【邻里】监管人员为您派了一单，请尽快联系居民。",
            "[Linli] A supervisor dispatched an order to you; please contact the resident.",
            "technician_dispatched",
            by="监管人员",
            what="订单",
        )
    if event.type == E.OFFER_CREATED:
        to(
            event.offer_technician_id,
            "【邻里】您有一个新的派单，请在倒计时结束前接单。",
            "[Linli] You have a new offer; accept it before the countdown ends.",
            "technician_offer",
        )
    if event.type == E.OFFER_WITHDRAWN:
        to(
            event.offer_technician_id,
            "【邻里】派单已撤回，无需处理。",
            "[Linli] An offer to you was withdrawn; nothing to do.",
            "technician_offer_withdrawn",
        )
    return drafts
