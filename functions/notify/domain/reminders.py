"""The messages of time running out: a wait about to end, told to whoever can still act on it, and the one
reminder to rate a finished order."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from notify.domain.compose import Draft, extra_words, sms_yuan
from orders.domain.steps import Step
from shared.events import DomainEvent, EventType

E = EventType


def _beijing_time(at: str, now: str) -> tuple[str, str]:
    """When a deadline falls, in Beijing time: the hour and minute, with the date when it is not today."""
    beijing = timezone(timedelta(hours=8))
    moment = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(beijing)
    today = datetime.fromisoformat(now.replace("Z", "+00:00")).astimezone(beijing).date()
    clock = moment.strftime("%H:%M")
    if moment.date() == today:
        return f"今天 {clock}", f"{clock} today (Beijing time)"
    return f"{moment.month}月{moment.day}日 {clock}", f"{moment:%b} {moment.day}, {clock} (Beijing time)"


def deadline_drafts(
    event: DomainEvent,
    *,
    dispatchers: list[str] | tuple[str, ...] = (),
    supervisors: list[str] | tuple[str, ...] = (),
    proxies: list[str] | tuple[str, ...] = (),
) -> list[Draft]:
    """A wait about to run out, told to whoever can still act: the company's dispatchers (or, for an escalated
    order, the supervisors) for a dispatch; the technician and the dispatchers for a completion; the resident
    (with the order code) and their family proxies for an approval."""
    order = event.order
    if event.type != E.ORDER_DEADLINE_APPROACHING or order is None or not event.deadline_at:
        return []
    due_zh, due_en = _beijing_time(event.deadline_at, event.occurred_at)
    public = order.order_type == "public_area"
    drafts: list[Draft] = []

    def to(recipients: list[str] | tuple[str, ...], zh: str, en: str, template: str, **params: str) -> None:
        params = {"due": due_zh, **params}
        drafts.extend(
            Draft(r, event.type.value, order.order_id, zh, en, template, params) for r in dict.fromkeys(recipients) if r
        )

    if event.deadline_step == Step.DISPATCH and order.status == "escalated":
        to(
            supervisors,
            f"【邻里】升级订单 {order.order_id} 须在{due_zh}前人工派单，逾期将自动取消。",
            f"[Linli] Escalated order {order.order_id} must be dispatched by hand before {due_en}, or it is cancelled.",
            "deadline_escalated_dispatch",
            order=order.order_id,
        )
    elif event.deadline_step == Step.DISPATCH:
        to(
            dispatchers,
            f"【邻里】公区报事 {order.order_id} 须在{due_zh}前派单受理，逾期将升级给监管人员并计入贵公司信用记录。",
            f"[Linli] Public-area report {order.order_id} must be dispatched before {due_en}; after that it is escalated "
            "to the supervisors and counts against your company's credit.",
            "deadline_dispatch",
            order=order.order_id,
        )
    elif event.deadline_step == Step.COMPLETION:
        what_zh, what_en = ("公区报事", "Public-area report") if public else ("订单", "Order")
        credit_zh, credit_en = ("并计入贵公司信用记录", " and counts against your company's credit") if public else ("", "")
        to(
            [order.technician_id or ""],
            f"【邻里】您负责的{what_zh}须在{due_zh}前完成并提交账单，逾期将升级给监管人员。",
            f"[Linli] The {what_en.lower()} assigned to you must be completed and billed before {due_en}; after that it "
            "is escalated to a supervisor.",
            "deadline_completion_technician",
            what=what_zh,
        )
        to(
            dispatchers,
            f"【邻里】{what_zh} {order.order_id} 须在{due_zh}前完成，逾期将升级给监管人员{credit_zh}。",
            f"[Linli] {what_en} {order.order_id} must be completed before {due_en}; after that it is escalated to a "
            f"supervisor{credit_en}.",
            "deadline_completion_public_area" if public else "deadline_completion_company",
            order=order.order_id,
            **({} if public else {"what": what_zh}),
        )
    elif event.deadline_step == Step.APPROVAL:
        to(
            [order.resident_id],
            f"【邻里】订单码 {order.order_code}：师傅提出的超出报价的项目{extra_words(order.extra_total)[0]}请在{due_zh}前"
            "确认；逾期未确认，只收取报价内的费用。",
            f"[Linli] Order code {order.order_code}: please review the work beyond the quote{extra_words(order.extra_total)[1]} "
            f"before {due_en}; without your answer only the quoted work is charged.",
            *(("deadline_approval",) if order.extra_total else ("deadline_approval_free",)),
            code=order.order_code or order.order_id,
            **({"extra": sms_yuan(order.extra_total)} if order.extra_total else {}),
        )
        to(
            proxies,
            f"【邻里】您家人的维修订单有超出报价的项目待确认，{due_zh}截止，您可以代为同意或拒绝。",
            f"[Linli] A family member's repair has lines beyond the quote awaiting consent until {due_en}; you may "
            "approve or reject them.",
            "deadline_family_approval",
        )
    return drafts


def rating_reminder_drafts(event: DomainEvent) -> list[Draft]:
    """The resident who has not rated, reminded once: by WeChat with a `rating_reminder` consent, else by SMS."""
    order = event.order
    if event.type != E.ORDER_RATING_REMINDER or order is None:
        return []
    code = order.order_code or order.order_id
    return [
        Draft(
            order.resident_id,
            event.type.value,
            order.order_id,
            f"【邻里】订单码 {code} 的维修已完成，请为本次服务评价，您的评价帮助社区管好维修服务。",
            f"[Linli] Order code {code}: the repair is done. Please rate the service; your rating helps the "
            "community keep repairs good.",
            "order_rating_reminder",
            {"code": code},
        )
    ]
