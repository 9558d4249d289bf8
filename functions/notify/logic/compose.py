"""Which messages a change of an order or offer produces, and their wording (Chinese first)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Draft:
    recipient_id: str
    kind: str
    order_id: str
    text_zh: str
    text_en: str


_RESIDENT_TEXT = {
    "offered": ("【邻里】您的报修单已通知附近师傅，请稍候。", "[Linli] A technician nearby has been asked to take your order."),
    "assigned": (
        "【邻里】师傅已接单，上门时请核对订单码 {code}。",
        "[Linli] A technician accepted. Check order code {code} at the door.",
    ),
    "en_route": ("【邻里】师傅正在赶来。", "[Linli] The technician is on the way."),
    "on_site": ("【邻里】师傅已到达。", "[Linli] The technician has arrived."),
    "awaiting_approval": (
        "【邻里】师傅提出了超出报价的项目（另需 {extra} 元），请在订单中逐项确认；未经您同意不会收取。",
        "[Linli] The technician proposes work beyond the quote (CNY {extra} more). Review each line: no consent, no charge.",
    ),
    "completed": (
        "【邻里】维修已完成，费用 {total} 元。请为本次服务评价。",
        "[Linli] Repair done, charge CNY {total}. Please rate the service.",
    ),
    "escalated": (
        "【邻里】暂时没有师傅接单，监管人员正在为您安排。",
        "[Linli] No technician took the order yet; a supervisor is arranging one.",
    ),
    "cancelled": ("【邻里】您的订单已取消。", "[Linli] Your order was cancelled."),
}


def for_order_change(old: dict | None, new: dict) -> list[Draft]:
    status = new.get("status")
    if old is not None and old.get("status") == status:
        return []
    drafts = []
    order_id = new["order_id"]
    if status in _RESIDENT_TEXT:
        zh, en = _RESIDENT_TEXT[status]
        values = {"code": new.get("order_code", ""), "total": new.get("bill_total", 0), "extra": new.get("extra_total", 0)}
        drafts.append(Draft(new["resident_id"], f"order_{status}", order_id, zh.format(**values), en.format(**values)))
    tech = new.get("technician_id")
    if tech and status == "cancelled":
        drafts.append(
            Draft(
                tech,
                "order_cancelled",
                order_id,
                "【邻里】您负责的订单已被取消，无需上门。",
                "[Linli] An order assigned to you was cancelled; no visit needed.",
            )
        )
    if tech and status == "assigned" and (old or {}).get("status") == "escalated":
        drafts.append(
            Draft(
                tech,
                "order_dispatched",
                order_id,
                "【邻里】监管人员为您派了一单，请尽快联系居民。",
                "[Linli] A supervisor dispatched an order to you; please contact the resident.",
            )
        )
    return drafts


def for_proxies(drafts: list[Draft], proxy_ids: list[str]) -> list[Draft]:
    """A family member linked to the resident's account gets the consent request too (they may answer it)."""
    zh = "【邻里】您家人的维修订单有超出报价的项目待确认，您可以代为同意或拒绝。"
    en = "[Linli] Your family member's repair has lines beyond the quote; you may approve or reject them on their behalf."
    asks = [d for d in drafts if d.kind == "order_awaiting_approval"]
    return [Draft(p, d.kind, d.order_id, zh, en) for d in asks for p in proxy_ids]


def for_offer_created(new: dict) -> list[Draft]:
    return [
        Draft(
            new["technician_id"],
            "offer",
            new["order_id"],
            "【邻里】您有一个新的派单，请在倒计时结束前接单。",
            "[Linli] You have a new offer; accept it before the countdown ends.",
        )
    ]
