"""Escalations reach people at once, and again when nobody acts (pure rules and the use case on fakes)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from escalation.domain import realert
from escalation.service import realert as realert_service
from escalation.store.realerts import MemoryRealertStore
from notify.domain.compose import drafts_for
from notify.domain.escalation import Arrangers, resident_text, staff_alerts, unanswered_alerts
from notify.domain.events import order_events
from orders.domain.records import Order, Quote, TimelineEntry
from shared.clock import iso
from shared.events import EventType
from tests.unit.test_notify_compose import ORDER

ARRANGERS = Arrangers(
    company_id="co1",
    company_name="通苑物业服务有限公司",
    company_name_en="Tongyuan Property Services",
    dispatchers=("d1", "d2"),
    supervisors=("s1", "s2"),
    resident_has_phone=True,
)
REASONS = ["no_candidates", "completion_overdue", "company_dispatch_timeout", "task_failed"]
SUPERVISOR_KINDS = {
    "no_candidates": "order.escalated_alert",
    "completion_overdue": "order.escalated_alert",
    "company_dispatch_timeout": "public_area.escalated",
    "task_failed": "order.escalated_fault",
}


def _escalated(reason: str, **changes):
    order_type = "public_area" if reason == "company_dispatch_timeout" else "emergency"
    previous = {"no_candidates": "matching", "completion_overdue": "assigned", "task_failed": "offered"}.get(reason, "submitted")
    [event] = order_events(
        {**ORDER, "status": previous, "order_type": order_type},
        {**ORDER, "status": "escalated", "order_type": order_type, "escalation_reason": reason, **changes},
    )
    return event


@pytest.mark.parametrize("reason", REASONS)
def test_an_escalation_for_any_reason_tells_every_dispatcher_of_the_company_and_every_supervisor(reason):
    alerts = staff_alerts(_escalated(reason), ARRANGERS)
    assert [(a.recipient_id, a.kind) for a in alerts] == [
        ("d1", "order.escalated_company"),
        ("d2", "order.escalated_company"),
        ("s1", SUPERVISOR_KINDS[reason]),
        ("s2", SUPERVISOR_KINDS[reason]),
    ]
    for alert in alerts:
        assert "o1" in alert.text_zh and "o1" in alert.text_en
        assert alert.text_zh.startswith("【邻里】") and alert.text_en.startswith("[Linli]")
    to_company = alerts[0]
    assert "电话任务" in to_company.text_zh and "call tasks" in to_company.text_en
    assert "监管人员也已收到通知" in to_company.text_zh
    assert "通苑物业服务有限公司" in alerts[2].text_zh, "the supervisors learn the company was told"


@pytest.mark.parametrize(
    ("reason", "why"),
    [
        ("no_candidates", "暂时没有师傅接单"),
        ("completion_overdue", "师傅未能按时完成维修"),
        ("company_dispatch_timeout", "物业未按时受理您的报事"),
        ("task_failed", "系统出现故障，您的订单暂未处理"),
    ],
)
def test_the_resident_is_told_why_and_who_is_arranging_it(reason, why):
    event = _escalated(reason)
    [draft] = drafts_for(event, escalated_text=resident_text(event.order, ARRANGERS))
    assert (draft.recipient_id, draft.kind) == ("r1", "order.escalated")
    assert draft.text_zh.startswith(f"【邻里】{why}。")
    assert "通苑物业服务有限公司（物业）和区监管人员" in draft.text_zh and "物业会给您打电话" in draft.text_zh
    assert "246810" in draft.text_zh
    assert "Tongyuan Property Services" in draft.text_en and "supervisors" in draft.text_en and "phone you" in draft.text_en


def test_the_resident_is_promised_only_what_will_happen():
    order = _escalated("no_candidates").order
    # no number to call: no call promised
    zh, en = resident_text(order, Arrangers(**{**ARRANGERS.__dict__, "resident_has_phone": False}))
    assert "打电话" not in zh and "phone you" not in en and "通苑物业" in zh
    # a company with no dispatcher is not said to arrange anything
    zh, en = resident_text(order, Arrangers(**{**ARRANGERS.__dict__, "dispatchers": ()}))
    assert "物业" not in zh and "已通知区监管人员为您安排" in zh and "Tongyuan" not in en
    # nobody at all: said so, and where to turn
    zh, _ = resident_text(order, Arrangers(**{**ARRANGERS.__dict__, "dispatchers": (), "supervisors": ()}))
    assert "没有可以为您安排的人员" in zh and "请联系社区" in zh


def test_a_company_name_with_braces_is_text():
    event = _escalated("no_candidates")
    odd = Arrangers(**{**ARRANGERS.__dict__, "company_name": "{code}物业"})
    [draft] = drafts_for(event, escalated_text=resident_text(event.order, odd))
    assert "{code}物业" in draft.text_zh


def test_a_dispatcher_is_told_when_the_resident_has_no_number_to_call():
    [to_company, *_] = staff_alerts(_escalated("no_candidates"), Arrangers(**{**ARRANGERS.__dict__, "resident_has_phone": False}))
    assert "没有登记电话" in to_company.text_zh and "电话任务" not in to_company.text_zh


# --- The second alert ---------------------------------------------------------------------------------

ESCALATED_AT = "2026-11-25T10:00:00.000Z"


def _order(
    status: str = "escalated", *, escalations: tuple[str, ...] = (ESCALATED_AT,), created: str = "2026-11-25T09:50:00.000Z"
):
    timeline = [TimelineEntry(status="submitted", at=created, actor="r1")]
    timeline += [TimelineEntry(status="escalated", at=at, actor="workflow") for at in escalations]
    if status != "escalated":
        timeline.append(TimelineEntry(status=status, at="2026-11-25T10:05:00.000Z", actor="s1"))
    return Order(
        order_id="o1",
        order_type="emergency",
        category="electrical",
        description="灯不亮了",
        status=status,
        resident_id="r1",
        compound_id="cp1",
        address_label="1号楼101",
        lat=39.9,
        lng=116.6,
        quote=Quote(low=0, high=0, cap=0, free_service=True, note_zh="", note_en=""),
        order_code="246810",
        escalation_reason="no_candidates",
        timeline=timeline,
        created_at=created,
        updated_at=escalations[-1],
    )


def _at(minutes: float) -> datetime:
    return datetime.fromisoformat(ESCALATED_AT.replace("Z", "+00:00")) + timedelta(minutes=minutes)


def test_an_escalation_is_due_for_a_second_alert_only_while_still_escalated_after_the_set_time():
    assert realert.escalated_at(_order()) == ESCALATED_AT
    assert not realert.due(_order(), _at(29.9), 1800)
    assert realert.due(_order(), _at(30), 1800)
    assert not realert.due(_order("assigned"), _at(60), 1800), "dispatched: somebody acted"
    assert not realert.due(_order("cancelled"), _at(60), 1800)
    # escalated again later: counted from the latest escalation
    again = _order(escalations=(ESCALATED_AT, iso(_at(40))))
    assert realert.escalated_at(again) == iso(_at(40)) and not realert.due(again, _at(60), 1800)


def test_the_second_alert_goes_to_the_company_and_the_supervisors_saying_how_long_it_waited():
    event = realert.realert_event(_order(), escalated=ESCALATED_AT, at=iso(_at(31)), company_id="co1")
    assert event.type == EventType.ORDER_ESCALATION_UNANSWERED and event.event_id == "evt_realert_o1_20261125T100000000Z"
    alerts = unanswered_alerts(event, ARRANGERS)
    assert [(a.recipient_id, a.kind) for a in alerts] == [
        ("d1", "order.escalation_unanswered"),
        ("d2", "order.escalation_unanswered"),
        ("s1", "order.escalation_unanswered"),
        ("s2", "order.escalation_unanswered"),
    ]
    assert "31 分钟" in alerts[0].text_zh and "31 minutes" in alerts[0].text_en and "再次提醒" in alerts[0].text_zh
    assert drafts_for(event) == [], "the resident was told at the escalation; nothing new to tell her"


def _settle(monkeypatch, seconds: int) -> None:
    from shared.settings import reset_settings

    monkeypatch.setenv("LINLI_ESCALATION_REALERT_SECONDS", str(seconds))
    reset_settings()


def test_the_job_alerts_each_escalation_once_and_again_after_a_failed_publication(monkeypatch):
    _settle(monkeypatch, 1800)
    store, published = MemoryRealertStore(), []
    queue = [_order(), _order("assigned")]
    asked: list[str] = []

    def escalated_before(before: str):
        asked.append(before)
        return [o for o in queue if o.status == "escalated"]

    def run(minutes: float, publish=published.extend):
        return realert_service.run(
            _at(minutes), store=store, escalated_before=escalated_before, company_of=lambda o: "co1", publish=publish
        )

    assert run(20).alerted == [] and asked[-1] == iso(_at(-10)), "reads only orders created before now − the set time"

    def fail(_events):
        raise RuntimeError("EventBridge down")

    with pytest.raises(RuntimeError):
        run(31, publish=fail)
    assert store.claims == {}, "the failed claim was released"
    assert run(32).alerted == ["evt_realert_o1_20261125T100000000Z"]
    assert run(37).alerted == [] and run(32).alerted == [], "once per escalation"
    assert [e.company_id for e in published] == ["co1"] and published[0].escalated_at == ESCALATED_AT
    monkeypatch.delenv("LINLI_ESCALATION_REALERT_SECONDS")
    from shared.settings import reset_settings

    reset_settings()


def test_the_fake_store_claims_once_and_releases_only_its_own_claim():
    store = MemoryRealertStore()
    assert store.claim("o1", ESCALATED_AT, at="t1") and not store.claim("o1", ESCALATED_AT, at="t2")
    store.release("o1", ESCALATED_AT, at="t2")
    assert not store.claim("o1", ESCALATED_AT, at="t3"), "another caller's claim stays"
    store.release("o1", ESCALATED_AT, at="t1")
    assert store.claim("o1", ESCALATED_AT, at="t4")
