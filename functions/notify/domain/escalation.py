"""Who is told of an escalated order, and in which words (pure): the resident, the compound's contracted company
and the district's supervisors, at once; and a second alert to the company and the supervisors when nobody has
acted on it in time.

The resident is told who is arranging it, and only what is true: the company is named only when it has
dispatchers to tell, the call is promised only when the resident has a number to call, and the supervisors only
when there are any.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notify.domain.compose import CATEGORY_WORDS, Draft, sms_name
from shared.events import DomainEvent, EventType, OrderSnapshot

# Message kinds (each can go by SMS when the person chose it: each needs its SMS template).
TO_RESIDENT = EventType.ORDER_ESCALATED.value  # "order.escalated"
TO_COMPANY = "order.escalated_company"
TO_SUPERVISORS_FAULT = "order.escalated_fault"  # a system fault outlasted every retry
TO_SUPERVISORS_REPORT = "public_area.escalated"  # the company missed its public-area report's dispatch deadline
TO_SUPERVISORS = "order.escalated_alert"  # nobody took it, or the technician did not finish in time
UNANSWERED = EventType.ORDER_ESCALATION_UNANSWERED.value  # the second alert

TASK_FAILED = "task_failed"
COMPANY_DISPATCH_TIMEOUT = "company_dispatch_timeout"

# Per reason: (to the resident zh, en), (to staff zh, en).
REASONS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "no_candidates": (
        ("暂时没有师傅接单", "No technician has taken your order yet"),
        ("附近没有师傅接单", "no technician nearby took it"),
    ),
    "completion_overdue": (
        ("师傅未能按时完成维修", "The technician did not finish the repair in time"),
        ("师傅未按时完成", "the technician did not finish in time"),
    ),
    COMPANY_DISPATCH_TIMEOUT: (
        ("物业未按时受理您的报事", "The property company did not take up your report in time"),
        ("物业未按时派单受理", "the company did not dispatch it in time"),
    ),
    TASK_FAILED: (
        ("系统出现故障，您的订单暂未处理", "A system fault held up your order"),
        ("系统故障，重试后仍失败", "a system fault outlasted every retry"),
    ),
}
_UNKNOWN = (("您的订单需要人工安排", "Your order needs arranging by hand"), ("需要人工安排", "it needs arranging by hand"))


def reason_words(reason: str | None) -> tuple[tuple[str, str], tuple[str, str]]:
    return REASONS.get(reason or "", _UNKNOWN)


@dataclass(frozen=True)
class Arrangers:
    """Who arranges an escalated order: the compound's contracted company (through its dispatchers, who also get a
    task to phone the resident) and every supervisor of the district."""

    company_id: str | None
    company_name: str
    company_name_en: str
    dispatchers: tuple[str, ...]
    supervisors: tuple[str, ...]
    resident_has_phone: bool

    @property
    def company_told(self) -> bool:
        return bool(self.company_id and self.dispatchers)

    @property
    def company_calls(self) -> bool:
        """The company is given a task to phone the resident (only a number can be called)."""
        return self.company_told and self.resident_has_phone


def resident_text(order: OrderSnapshot, arrangers: Arrangers) -> tuple[str, str]:
    """What the resident (and a proxy who placed the order) reads: what happened, and truthfully who arranges it."""
    (why_zh, why_en), _ = reason_words(order.escalation_reason)
    who_zh = [f"{arrangers.company_name}（物业）"] if arrangers.company_told else []
    who_en = [f"{arrangers.company_name_en or arrangers.company_name} (your property company)"] if arrangers.company_told else []
    if arrangers.supervisors:
        who_zh.append("区监管人员")
        who_en.append("the district's supervisors")
    code_zh = f"订单码 {order.order_code}。" if order.order_code else ""
    code_en = f" Order code {order.order_code}." if order.order_code else ""
    if not who_zh:
        return (
            f"【邻里】{why_zh}。目前没有可以为您安排的人员，请联系社区。{code_zh}",
            f"[Linli] {why_en}. Nobody is available to arrange it now; please call the community office.{code_en}",
        )
    call_zh, call_en = ("，物业会给您打电话", "; the company will phone you") if arrangers.company_calls else ("", "")
    return (
        f"【邻里】{why_zh}。已通知{'和'.join(who_zh)}为您安排{call_zh}。{code_zh}",
        f"[Linli] {why_en}. {' and '.join(who_en)} {'have' if len(who_en) > 1 else 'has'} been told and "
        f"{'are' if len(who_en) > 1 else 'is'} arranging it{call_en}.{code_en}",
    )


def resident_sms(order: OrderSnapshot, arrangers: Arrangers) -> tuple[str, dict[str, str]]:
    """The resident's SMS of an escalation (notify.domain.sms.SMS_TEMPLATES): the same facts as `resident_text`, in fixed
    words."""
    (why_zh, _), _ = reason_words(order.escalation_reason)
    code = order.order_code or order.order_id
    if not arrangers.company_told and not arrangers.supervisors:
        return "order_escalated_nobody", {"reason": why_zh, "code": code}
    who = (
        "物业和区监管人员"
        if arrangers.company_told and arrangers.supervisors
        else ("物业" if arrangers.company_told else "区监管人员")
    )
    template = "order_escalated_call" if arrangers.company_calls else "order_escalated"
    return template, {"reason": why_zh, "who": who, "code": code}


def _company_param(arrangers: Arrangers) -> str:
    """The contracted company as an SMS parameter: its name when it was told and the name is plain letters."""
    return sms_name(arrangers.company_name, "见后台") if arrangers.company_told else "未通知"


def _what(order: OrderSnapshot) -> tuple[str, str]:
    zh, en = CATEGORY_WORDS.get(order.category, (order.category, order.category))
    if order.order_type == "public_area":
        return f"公区报事 {order.order_id}（{zh}）", f"Public-area report {order.order_id} ({en})"
    return f"订单 {order.order_id}（{zh}）", f"Order {order.order_id} ({en})"


def staff_alerts(event: DomainEvent, arrangers: Arrangers) -> list[Draft]:
    """At the escalation: a message to each of the contracted company's dispatchers (phone the resident, dispatch one
    of their technicians from the service desk) and to every supervisor, worded by the reason."""
    order = event.order
    if event.type != EventType.ORDER_ESCALATED or order is None:
        return []
    _, (why_zh, why_en) = reason_words(order.escalation_reason)
    what_zh, what_en = _what(order)
    drafts: list[Draft] = []
    if arrangers.company_told:
        call_zh, call_en = (
            (
                "请致电居民（已列入电话任务），并在服务台派本公司的师傅",
                "phone the resident (see your call tasks) and dispatch one of your technicians from the service desk",
            )
            if arrangers.resident_has_phone
            else (
                "居民没有登记电话，请上门或联系社区，并在服务台派本公司的师傅",
                "the resident has no number: visit or ask the community, and dispatch one of your technicians from the "
                "service desk",
            )
        )
        sup_zh, sup_en = (
            ("；区监管人员也已收到通知", "; the district's supervisors were told too") if arrangers.supervisors else ("", "")
        )
        zh = f"【邻里】贵公司签约小区的{what_zh}已升级：{why_zh}。{call_zh}{sup_zh}。"
        en = f"[Linli] {what_en} in a compound you serve was escalated: {why_en}. Please {call_en}{sup_en}."
        sms = {"order": order.order_id, "reason": why_zh, "call": call_zh}
        drafts += [
            Draft(d, TO_COMPANY, order.order_id, zh, en, "order_escalated_company", sms)
            for d in dict.fromkeys(arrangers.dispatchers)
        ]
    company_zh, company_en = (
        (f"物业 {arrangers.company_name} 已收到通知。", f" {arrangers.company_name_en or arrangers.company_name} was told.")
        if arrangers.company_told
        else ("", "")
    )
    sms = {"order": order.order_id, "company": _company_param(arrangers)}
    if order.escalation_reason == TASK_FAILED:
        kind, template = TO_SUPERVISORS_FAULT, "order_escalated_fault"
        zh = f"【邻里】{what_zh}因系统故障（重试后仍失败）已升级，请查看执行记录并人工派单。{company_zh}"
        en = (
            f"[Linli] {what_en} was escalated after a system fault that outlasted every retry; see its history and "
            f"dispatch it by hand.{company_en}"
        )
    elif order.escalation_reason == COMPANY_DISPATCH_TIMEOUT:
        kind, template = TO_SUPERVISORS_REPORT, "public_area_escalated"
        zh = f"【邻里】{what_zh}超时未受理（{order.escalation_reason}），已升级，请人工派单，并计入该公司信用记录。{company_zh}"
        en = (
            f"[Linli] {what_en} missed its deadline ({order.escalation_reason}); dispatch it by hand. It counts against "
            f"the company's credit.{company_en}"
        )
    else:
        kind, template = TO_SUPERVISORS, "order_escalated_alert"
        sms["reason"] = why_zh
        zh = f"【邻里】{what_zh}已升级：{why_zh}。请人工派单。{company_zh}"
        en = f"[Linli] {what_en} was escalated: {why_en}. Please dispatch it by hand.{company_en}"
    drafts += [Draft(s, kind, order.order_id, zh, en, template, sms) for s in dict.fromkeys(arrangers.supervisors)]
    return drafts


def call_task_text(order: OrderSnapshot, resident_name: str) -> tuple[str, str]:
    """The company's task: phone the resident about the escalated order."""
    (why_zh, why_en), _ = reason_words(order.escalation_reason)
    what_zh, what_en = _what(order)
    return (
        f"请致电{resident_name}：{what_zh}已升级（{why_zh}），请告知正在安排，并协助派师傅。",
        f"Phone {resident_name}: {what_en} was escalated ({why_en}); tell them it is being arranged and help dispatch it.",
    )


def _minutes_between(start: str, end: str) -> int:
    parse = lambda at: datetime.fromisoformat(at.replace("Z", "+00:00"))  # noqa: E731
    return max(0, int((parse(end) - parse(start)).total_seconds() // 60))


def unanswered_alerts(event: DomainEvent, arrangers: Arrangers) -> list[Draft]:
    """The second alert: the order is still escalated a set time after its escalation; told again to the
    company's dispatchers and every supervisor."""
    order = event.order
    if event.type != EventType.ORDER_ESCALATION_UNANSWERED or order is None or not event.escalated_at:
        return []
    _, (why_zh, why_en) = reason_words(order.escalation_reason)
    what_zh, what_en = _what(order)
    minutes = _minutes_between(event.escalated_at, event.occurred_at)
    zh = f"【邻里】再次提醒：{what_zh}升级已 {minutes} 分钟仍无人处理（{why_zh}），请立即安排师傅。"
    en = (
        f"[Linli] Second alert: {what_en} has been escalated for {minutes} minutes and nobody has acted ({why_en}); "
        "arrange a technician now."
    )
    recipients = (list(arrangers.dispatchers) if arrangers.company_id else []) + list(arrangers.supervisors)
    sms = {"order": order.order_id, "minutes": str(minutes), "reason": why_zh}
    return [Draft(r, UNANSWERED, order.order_id, zh, en, "order_escalation_unanswered", sms) for r in dict.fromkeys(recipients)]
