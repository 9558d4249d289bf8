"""Which messages an event produces, for whom, and their wording (Chinese first, plain words, the order code)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.events import DomainEvent, EventType


@dataclass(frozen=True)
class Draft:
    recipient_id: str
    kind: str
    order_id: str
    text_zh: str
    text_en: str


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
        "【邻里】师傅提出了超出报价的项目（另需 {extra} 元），请在订单中逐项确认；未经您同意不会收取。",
        "[Linli] The technician proposes work beyond the quote (CNY {extra} more). Review each line: no consent, no charge.",
    ),
    E.ORDER_COMPLETED: (
        "【邻里】维修已完成，费用 {total} 元。请为本次服务评价。",
        "[Linli] Repair done, charge CNY {total}. Please rate the service.",
    ),
    E.ORDER_ESCALATED: (
        "【邻里】暂时没有师傅接单，监管人员正在为您安排。",
        "[Linli] No technician took the order yet; a supervisor is arranging one.",
    ),
    E.ORDER_CANCELLED: ("【邻里】您的订单已取消。", "[Linli] Your order was cancelled."),
}


def _amount(value: float | None) -> str:
    return f"{value or 0:g}"


def drafts_for(event: DomainEvent, *, proxies: list[str] | tuple[str, ...] = ()) -> list[Draft]:
    """The messages of one event; `proxies` are the family members linked to the resident's account."""
    order = event.order
    drafts: list[Draft] = []

    def to(recipient: str | None, zh: str, en: str) -> None:
        if recipient:
            values = {"code": order.order_code, "total": _amount(order.bill_total), "extra": _amount(order.extra_total)}
            drafts.append(Draft(recipient, event.type.value, order.order_id, zh.format(**values), en.format(**values)))

    if event.type in _TO_RESIDENT:
        to(order.resident_id, *_TO_RESIDENT[event.type])
    if event.type == E.ORDER_APPROVAL_NEEDED:
        for proxy in proxies:  # a family member may approve or reject on the resident's behalf
            to(
                proxy,
                "【邻里】您家人的维修订单有超出报价的项目（另需 {extra} 元）待确认，您可以代为同意或拒绝。",
                "[Linli] A family member's repair has lines beyond the quote (CNY {extra} more); you may approve or reject them.",
            )
    if event.type == E.ORDER_CANCELLED:
        to(
            order.technician_id,
            "【邻里】您负责的订单已被取消，无需上门。",
            "[Linli] An order assigned to you was cancelled; no visit needed.",
        )
    if event.type == E.ORDER_ASSIGNED and event.previous_status == "escalated":
        to(
            order.technician_id,
            "【邻里】监管人员为您派了一单，请尽快联系居民。",
            "[Linli] A supervisor dispatched an order to you; please contact the resident.",
        )
    if event.type == E.OFFER_CREATED:
        to(
            event.offer_technician_id,
            "【邻里】您有一个新的派单，请在倒计时结束前接单。",
            "[Linli] You have a new offer; accept it before the countdown ends.",
        )
    if event.type == E.OFFER_WITHDRAWN:
        to(event.offer_technician_id, "【邻里】派单已撤回，无需处理。", "[Linli] An offer to you was withdrawn; nothing to do.")
    return drafts
