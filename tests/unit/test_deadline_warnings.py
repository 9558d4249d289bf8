"""Deadline warnings (pure logic): which waits are warned, the event and its stable id, who is told, in
which words; and the webhook-only `credit.changed`."""

from __future__ import annotations

import pytest

from deploy.catalog import FUNCTIONS, Trigger, by_trigger
from notify.domain.reminders import deadline_drafts
from notify.domain.supervision import supervision_drafts
from orders.domain import deadlines
from orders.domain.steps import Step
from orders.store.callbacks import WorkflowWait
from shared.events import DomainEvent, EventType, SubjectSnapshot
from tests.unit.matching_fixtures import order

ENTERED = "2026-11-25T01:00:00.000Z"  # 09:00 in Beijing
NOW = "2026-11-25T08:50:00.000Z"  # 16:50 in Beijing


def _wait(step: Step = Step.COMPLETION, seconds: int = 8 * 3600, **changes) -> WorkflowWait:
    deadline = deadlines.deadline_of(ENTERED, seconds)
    return WorkflowWait(
        **{"order_id": "ord_1", "step": step, "registered_at": ENTERED, "entered_at": ENTERED, "deadline_at": deadline} | changes
    )


def _warning(step: str, status: str, **order_changes) -> DomainEvent:
    o = order(status=status, **order_changes)
    return deadlines.warning_event(o, _wait(step), at=NOW, company_id=o.company_id or "co")


def test_the_deadline_is_when_the_state_was_entered_plus_its_timeout():
    assert deadlines.deadline_of(ENTERED, 8 * 3600) == "2026-11-25T09:00:00.000Z"
    assert deadlines.deadline_of("2026-11-25T01:00:00.123456+00:00", 60) == "2026-11-25T01:01:00.123Z"


def test_dispatch_completion_and_approval_are_warned_but_not_the_rating_nor_a_wait_shorter_than_the_lead():
    lead = 15 * 60
    assert all(deadlines.worth_warning(_wait(step), lead) for step in (Step.DISPATCH, Step.COMPLETION, Step.APPROVAL))
    assert not deadlines.worth_warning(_wait(Step.RATING), lead), "no rating is a valid end: nobody is nagged"
    assert not deadlines.worth_warning(_wait(seconds=lead), lead), "announced when it began"
    assert deadlines.worth_warning(_wait(seconds=lead + 1), lead)
    assert not deadlines.worth_warning(_wait(deadline_at=None), lead), "registered without a timeout"


@pytest.mark.parametrize(
    ("step", "status", "waiting"),
    [
        (Step.COMPLETION, "on_site", True),
        (Step.COMPLETION, "awaiting_approval", False),  # answered: the token is being consumed
        (Step.COMPLETION, "cancelled", False),  # a cancelled order's wait is never consumed
        (Step.DISPATCH, "submitted", True),
        (Step.DISPATCH, "escalated", True),
        (Step.DISPATCH, "assigned", False),
        (Step.APPROVAL, "awaiting_approval", True),
        (Step.APPROVAL, "completed", False),
    ],
)
def test_only_an_order_still_waiting_for_the_step_is_warned(step, status, waiting):
    assert deadlines.still_waiting(step, status) is waiting


def test_the_company_concerned_is_the_orders_or_for_an_unacknowledged_public_area_report_the_contracted_one():
    assert deadlines.company_concerned(order(company_id="co1", status="on_site"), Step.COMPLETION, "co2") == "co1"
    report = order(order_type="public_area", status="submitted")
    assert deadlines.company_concerned(report, Step.DISPATCH, "co2") == "co2"
    assert deadlines.company_concerned(report.model_copy(update={"status": "escalated"}), Step.DISPATCH, "co2") is None
    assert deadlines.company_concerned(order(status="escalated"), Step.DISPATCH, None) is None


def test_the_warning_id_is_stable_per_order_step_and_deadline():
    first = _warning(Step.COMPLETION, "on_site", company_id="co", technician_id="t1")
    again = _warning(Step.COMPLETION, "on_site", company_id="co", technician_id="t1")
    assert first.event_id == again.event_id == "evt_deadline_ord_1_completion_20261125T090000000Z"
    later = deadlines.warning_event(order(status="on_site"), _wait(seconds=9 * 3600), at=NOW, company_id="co")
    assert later.event_id != first.event_id, "a new wait of the same step is a new warning"
    assert (first.type, first.deadline_step, first.deadline_at) == (
        EventType.ORDER_DEADLINE_APPROACHING,
        "completion",
        "2026-11-25T09:00:00.000Z",
    )


def test_a_completion_warning_goes_to_the_technician_and_the_dispatchers_in_chinese_first():
    event = _warning(Step.COMPLETION, "on_site", company_id="co", technician_id="t1")
    drafts = deadline_drafts(event, dispatchers=["d1", "d2"], supervisors=["s1"], proxies=["p1"])
    assert [d.recipient_id for d in drafts] == ["t1", "d1", "d2"]
    assert all(d.kind == "order.deadline_approaching" and d.order_id == "ord_1" for d in drafts)
    assert "今天 17:00" in drafts[0].text_zh and drafts[0].text_zh.startswith("【邻里】")
    assert "17:00 today (Beijing time)" in drafts[0].text_en
    assert "ord_1" in drafts[1].text_zh, "the dispatcher needs to know which order"


def test_an_approval_warning_tells_the_resident_the_order_code_and_what_happens_without_an_answer():
    event = _warning(Step.APPROVAL, "awaiting_approval", extra_total=35.0, technician_id="t1", company_id="co")
    drafts = deadline_drafts(event, dispatchers=["d1"], supervisors=["s1"], proxies=["p1"])
    assert [d.recipient_id for d in drafts] == ["r", "p1"]
    assert "123456" in drafts[0].text_zh and "35" in drafts[0].text_zh and "只收取报价内的费用" in drafts[0].text_zh
    assert "123456" not in drafts[1].text_zh, "the door code is the resident's"


def test_a_dispatch_warning_goes_to_the_company_or_once_escalated_to_the_supervisors():
    report = deadline_drafts(
        _warning(Step.DISPATCH, "submitted", order_type="public_area"), dispatchers=["d1"], supervisors=["s1"]
    )
    assert [d.recipient_id for d in report] == ["d1"] and "公区报事" in report[0].text_zh
    escalated = deadline_drafts(_warning(Step.DISPATCH, "escalated"), dispatchers=["d1"], supervisors=["s1", "s2"])
    assert [d.recipient_id for d in escalated] == ["s1", "s2"] and "人工派单" in escalated[0].text_zh


def test_a_deadline_on_another_day_shows_its_date():
    event = _warning(Step.COMPLETION, "on_site", technician_id="t1").model_copy(
        update={"deadline_at": "2026-11-25T17:30:00.000Z"}  # 01:30 the next day in Beijing
    )
    [draft] = deadline_drafts(event)
    assert "11月26日 01:30" in draft.text_zh and "Nov 26, 01:30" in draft.text_en


def test_a_credit_change_is_for_the_companys_system_only_not_a_message():
    event = DomainEvent(
        event_id="e",
        type=EventType.CREDIT_CHANGED,
        occurred_at=NOW,
        company_id="co",
        subject=SubjectSnapshot(company_id="co", credit_score=71.3, previous_credit_score=70.8),
    )
    assert supervision_drafts(event, dispatchers=["d1"], supervisors=["s1"]) == []


def test_the_deadline_job_runs_every_five_minutes_with_least_privilege():
    [job] = [f for f in FUNCTIONS if f.handler == "orders.handlers.deadlines.handler"]
    assert job in by_trigger(Trigger.SCHEDULE) and job.period_seconds == 300
    assert job.table == "read_update" and job.publishes_events and not job.workflow and not job.sends_to
