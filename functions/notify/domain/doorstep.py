"""A door-step check that did not match (pure): told at once to the order's company and every supervisor."""

from __future__ import annotations

from notify.domain.compose import Draft, sms_name
from shared.events import DomainEvent, EventType

KIND = EventType.ORDER_DOORSTEP_MISMATCH.value  # can go by SMS: needs its template


def mismatch_alerts(event: DomainEvent, *, technician_name: str, dispatchers: list[str], supervisors: list[str]) -> list[Draft]:
    order = event.order
    if event.type != EventType.ORDER_DOORSTEP_MISMATCH or order is None:
        return []
    zh = (
        f"【邻里】紧急：订单 {order.order_id} 的居民在门口核对订单码时发现对不上（派单师傅：{technician_name}），订单已暂停。"
        "请立即联系师傅和居民核实，必要时改派。"
    )
    en = (
        f"[Linli] Urgent: at the door of order {order.order_id} the resident's code check did not match (assigned: "
        f"{technician_name}); the order is paused. Contact the technician and the resident now, and re-dispatch if needed."
    )
    sms = {"order": order.order_id, "technician": sms_name(technician_name, "见订单")}
    return [
        Draft(r, KIND, order.order_id, zh, en, "order_doorstep_mismatch", sms)
        for r in dict.fromkeys([*dispatchers, *supervisors])
        if r
    ]
