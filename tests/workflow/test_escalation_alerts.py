"""Escalations reach people at once, through the real workflow, one test per reason: the compound's contracted
company's dispatchers get a message and a task to phone the resident, every supervisor a message, and the
resident is told why and who is arranging it. Nobody acting within the set time brings a second alert
(the EscalationRealerts job, run as of an instant past that time)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.clock import iso, parse
from tests.conftest import wait_for

PHONE = "13811112222"
SUPERVISOR_KIND = {
    "no_candidates": "order.escalated_alert",
    "completion_overdue": "order.escalated_alert",
    "company_dispatch_timeout": "public_area.escalated",
    "task_failed": "order.escalated_fault",
}
RESIDENT_SAYS = {
    "no_candidates": "暂时没有师傅接单",
    "completion_overdue": "师傅未能按时完成维修",
    "company_dispatch_timeout": "物业未按时受理您的报事",
    "task_failed": "系统出现故障",
}


def _messages(world, user_id: str, role: str, order_id: str, kind: str) -> list[dict]:
    found = world.api.call(user_id, role, "GET", "/messages").body["messages"]
    return [m for m in found if m["order_id"] == order_id and m["kind"] == kind]


def _with_phone(world) -> None:
    """The world's resident has a number (the company can phone her) and reads her messages in the app."""
    from identity.domain.records import User
    from identity.store import accounts
    from notify.store import notifications
    from notify.store.notifications import Channel, NotificationPreferences

    accounts.put_user(User(user_id=world.resident_id, role="resident", name=f"测试居民{world.n}", phone=PHONE))
    notifications.put_preferences(world.resident_id, NotificationPreferences(channels=[Channel.PUSH]))


def _escalate(reason: str, world, observe, timeouts, faults) -> str:
    """An order of the world escalated for `reason`, the way the workflow does it."""
    if reason == "no_candidates":  # nobody on duty nearby
        return world.order()["order_id"]
    if reason == "company_dispatch_timeout":  # the company does not dispatch its public-area report in time
        timeouts(dispatch=1)
        return world.order("public_area", "plumbing", place="3号楼楼道")["order_id"]
    if reason == "completion_overdue":  # the technician who accepted does not finish in time
        timeouts(completion=2)
        tech = world.add_technician()
        order_id = world.order()["order_id"]
        offer_id = observe.wait_offer(world, tech, order_id)
        assert world.as_technician(tech, "POST", f"/offers/{offer_id}/accept").status == 200
        return order_id
    # task_failed: the candidate search keeps failing beyond every retry
    world.add_technician()
    faults.handler("SelectCandidate", 10**6, when=world.owns_order)
    return world.order()["order_id"]


@pytest.mark.parametrize("reason", list(SUPERVISOR_KIND))
def test_an_escalation_reaches_the_company_the_supervisors_and_the_resident_at_once(
    reason, sandbox, world, observe, timeouts, faults
):
    # Given a resident with a phone number
    _with_phone(world)
    # When her order is escalated for this reason
    order_id = _escalate(reason, world, observe, timeouts, faults)
    escalated = observe.wait_status(order_id, "escalated", timeout=120)
    assert escalated.escalation_reason == reason
    # Then every dispatcher of the compound's contracted company gets a message naming the order and the reason
    [to_company] = wait_for(
        lambda: _messages(world, world.dispatcher_id, "dispatcher", order_id, "order.escalated_company"),
        what="the company's message",
    )
    assert to_company["text_zh"].startswith("【邻里】贵公司签约小区的") and "电话任务" in to_company["text_zh"]
    # and a task to phone the resident, once
    calls = [t for t in world.as_dispatcher("GET", "/call-tasks").body["call_tasks"] if t["order_id"] == order_id]
    assert len(calls) == 1 and calls[0]["phone"] == PHONE and calls[0]["resident_id"] == world.resident_id
    assert calls[0]["text_zh"].startswith(f"请致电测试居民{world.n}")
    # And every supervisor of the district a message
    [to_supervisor] = wait_for(
        lambda: _messages(world, world.supervisor_id, "supervisor", order_id, SUPERVISOR_KIND[reason]),
        what="the supervisors' message",
    )
    assert order_id in to_supervisor["text_zh"] and f"测试物业{world.n}" in to_supervisor["text_zh"]
    # And the resident is told why, and truthfully who is arranging it (both were told)
    [to_resident] = wait_for(
        lambda: _messages(world, world.resident_id, "resident", order_id, "order.escalated"), what="the resident's message"
    )
    assert to_resident["text_zh"].startswith(f"【邻里】{RESIDENT_SAYS[reason]}")
    assert f"已通知测试物业{world.n}（物业）和区监管人员为您安排，物业会给您打电话" in to_resident["text_zh"]
    faults.clear()


def _run_realerts(sandbox, at: str) -> list[str]:
    return sandbox.aws.invoke("EscalationRealerts", {"at": at})["alerted"]


def test_an_escalation_nobody_acts_on_is_alerted_a_second_time_once(sandbox, world, observe, timeouts):
    from escalation.domain.settings import escalation_settings

    # Given an order escalated because nobody took it (a long manual-dispatch wait, so it stays escalated)
    timeouts(escalation=600)
    order_id = world.order()["order_id"]
    escalated = observe.wait_status(order_id, "escalated")
    escalated_at = next(t.at for t in reversed(escalated.timeline) if t.status == "escalated")
    began, after = parse(escalated_at), escalation_settings().escalation_realert_seconds
    # When the job runs before the set time has passed, nothing goes out
    assert order_id not in " ".join(_run_realerts(sandbox, iso(began + timedelta(seconds=after - 60))))
    # Then once it has passed, one second alert goes out; later runs (and a rerun) add none
    alerted = [e for e in _run_realerts(sandbox, iso(began + timedelta(seconds=after + 1))) if order_id in e]
    assert alerted == [f"evt_realert_{order_id}_{''.join(c for c in escalated_at if c.isalnum())}"]
    for extra in (1, 300, 900):
        assert not [e for e in _run_realerts(sandbox, iso(began + timedelta(seconds=after + extra))) if order_id in e]
    # And the company's dispatcher and the supervisor are told again, how long it has waited; the resident is not
    [again] = wait_for(
        lambda: _messages(world, world.dispatcher_id, "dispatcher", order_id, "order.escalation_unanswered"),
        what="the dispatcher's second alert",
    )
    assert "再次提醒" in again["text_zh"] and f"{after // 60} 分钟" in again["text_zh"]
    wait_for(
        lambda: _messages(world, world.supervisor_id, "supervisor", order_id, "order.escalation_unanswered"),
        what="the supervisor's second alert",
    )
    assert _messages(world, world.resident_id, "resident", order_id, "order.escalation_unanswered") == []


def test_an_escalation_someone_acted_on_is_not_alerted_again(sandbox, world, observe, timeouts):
    from escalation.domain.settings import escalation_settings

    # Given an escalated order that a supervisor dispatches by hand
    timeouts(escalation=600)
    order_id = world.order()["order_id"]
    escalated = observe.wait_status(order_id, "escalated")
    began = parse(next(t.at for t in reversed(escalated.timeline) if t.status == "escalated"))
    tech = world.add_technician()
    assert world.as_supervisor("POST", f"/orders/{order_id}/dispatch", {"technician_id": tech}).status == 200
    # When the job runs past the set time
    alerted = _run_realerts(sandbox, iso(began + timedelta(seconds=escalation_settings().escalation_realert_seconds + 1)))
    # Then no second alert goes out for it
    assert not [e for e in alerted if order_id in e]
