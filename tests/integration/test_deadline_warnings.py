"""Issue 7's deadline warnings in the sandbox: a workflow wait nearing its deadline is published once as
`order.deadline_approaching` and told to the people who can still act; a wait already answered, or the wait
of a cancelled order, is not. The job is invoked directly "as of" an instant near the real deadline, which
the waiting state itself (entered time + timeout) set."""

from __future__ import annotations

from datetime import datetime, timedelta

from orders.domain.steps import Step
from shared.clock import iso
from tests.conftest import wait_for
from tests.integration.test_notifications_and_webhooks import (
    accept_first_offer,
    documented_verifier,
    events_on_tap,
    register_webhook,
    tap_the_bus,
)
from tests.prices_flow import make_paid, order_on_site, with_extra_lamp

KIND = "order.deadline_approaching"
HOUR = 3600  # the waits under test: far longer than the 15-minute lead, and than any test


def run_job(sandbox, at: str) -> list[str]:
    """The deadline job as of `at` (what its schedule does every 5 minutes); the event ids it published."""
    return sandbox.aws.invoke("DeadlineWarnings", {"at": at})["warned"]


def registered(order_id: str, step: str):
    from orders.store import callbacks

    return wait_for(lambda: (w := callbacks.wait(order_id, step)) and w.deadline_at and w, what=f"the {step} wait")


def minutes_before(deadline_at: str, minutes: float) -> str:
    return iso(datetime.fromisoformat(deadline_at.replace("Z", "+00:00")) - timedelta(minutes=minutes))


def deadline_messages(world, user_id: str, role: str, order_id: str) -> list[dict]:
    messages = world.api.call(user_id, role, "GET", "/messages").body["messages"]
    return [m for m in messages if m["kind"] == KIND and m["order_id"] == order_id]


def test_a_completion_nearing_its_deadline_is_warned_once_to_the_technician_the_dispatcher_and_the_company_system(
    sandbox, world, observe, receiver, timeouts
):
    # Given an assigned order whose completion wait lasts an hour, and a company system listening for warnings
    timeouts(completion=HOUR)
    secret = register_webhook(world, receiver.url, events=[KIND])["secret"]
    tap = tap_the_bus(sandbox)
    tech = world.add_technician()
    order_id = world.order()["order_id"]
    accept_first_offer(world, observe, tech, order_id)
    wait = registered(order_id, Step.COMPLETION)
    started = datetime.fromisoformat(wait.entered_at.replace("Z", "+00:00"))
    assert wait.deadline_at == iso(started + timedelta(seconds=HOUR)), "the state's own timeout, from when it began"
    # When the job runs 20 minutes before the deadline, nothing is due yet (the lead is 15 minutes)
    assert not [e for e in run_job(sandbox, minutes_before(wait.deadline_at, 20)) if order_id in e]
    # Then 10 minutes before, it warns; later runs (and a rerun of the same instant) warn no more
    warned = [e for e in run_job(sandbox, minutes_before(wait.deadline_at, 10)) if order_id in e]
    assert warned == [f"evt_deadline_{order_id}_completion_{''.join(c for c in wait.deadline_at if c.isalnum())}"]
    for minutes in (10, 5, 1):
        assert not [e for e in run_job(sandbox, minutes_before(wait.deadline_at, minutes)) if order_id in e]
    # And it was published once, saying which wait runs out when
    on_bus = [e for e in events_on_tap(sandbox, tap, order_id) if e["type"] == KIND]
    assert len(on_bus) == 1
    event = on_bus[0]
    assert (event["event_id"], event["deadline_step"], event["deadline_at"]) == (warned[0], Step.COMPLETION, wait.deadline_at)
    assert event["company_id"] == world.company_id and event["order"]["status"] == "assigned"
    # And the technician and the company's dispatcher were told, in Chinese first; the resident was not
    [to_tech] = wait_for(lambda: deadline_messages(world, tech, "technician", order_id), what="the technician's warning")
    assert to_tech["text_zh"].startswith("【邻里】您负责的订单须在") and to_tech["text_en"].startswith("[Linli]")
    [to_dispatcher] = wait_for(
        lambda: deadline_messages(world, world.dispatcher_id, "dispatcher", order_id), what="the dispatcher's warning"
    )
    assert order_id in to_dispatcher["text_zh"]
    assert deadline_messages(world, world.resident_id, "resident", order_id) == []
    # And the company's system received it once, signed
    [delivery] = wait_for(lambda: receiver.for_order(order_id), what="the webhook delivery")
    assert documented_verifier()(secret, delivery.headers, delivery.body)
    assert delivery.event["event_id"] == warned[0] and "order_code" not in delivery.event["order"]


def test_an_approval_nearing_its_deadline_is_warned_to_the_resident_with_the_order_code(sandbox, world, observe, timeouts):
    # Given a bill beyond the quote waiting an hour for the resident's consent
    timeouts(approval=HOUR)
    make_paid(world)
    order_id, tech = order_on_site(world)
    with_extra_lamp(world, tech, order_id)
    wait = registered(order_id, Step.APPROVAL)
    # When the job runs 5 minutes before the deadline
    assert [e for e in run_job(sandbox, minutes_before(wait.deadline_at, 5)) if order_id in e]
    # Then the resident is told, with the order code and what happens without an answer; the technician is not
    code = observe.order(order_id).order_code
    [message] = wait_for(lambda: deadline_messages(world, world.resident_id, "resident", order_id), what="her warning")
    assert code in message["text_zh"] and "只收取报价内的费用" in message["text_zh"]
    assert code in message["text_en"]
    assert deadline_messages(world, tech, "technician", order_id) == []


def test_no_warning_for_a_wait_already_answered_nor_for_a_cancelled_order(sandbox, world, observe, timeouts):
    from orders.store import callbacks

    timeouts(completion=HOUR)
    tech = world.add_technician()
    # Given one order whose completion was answered, and one cancelled while its technician was on the way
    answered = world.order()["order_id"]
    accept_first_offer(world, observe, tech, answered)
    answered_wait = registered(answered, Step.COMPLETION)
    for status in ("en_route", "on_site"):
        assert world.as_technician(tech, "POST", f"/orders/{answered}/progress", {"status": status}).status == 200
    assert (
        world.as_technician(
            tech, "POST", f"/orders/{answered}/completion", {"lines": [], "note": "检查了线路，接头松了，已拧紧"}
        ).status
        == 200
    )
    observe.wait_status(answered, "completed")
    # Consumed: its token was claimed to resume the workflow (the item stays, marked, see callbacks.consume)
    wait_for(lambda: callbacks.token(answered, Step.COMPLETION) is None, what="the answered wait to be consumed")
    cancelled = world.order()["order_id"]
    accept_first_offer(world, observe, tech, cancelled)
    cancelled_wait = registered(cancelled, Step.COMPLETION)
    assert world.as_resident("POST", f"/orders/{cancelled}/cancel", {"reason": "已自行修好"}).status == 200
    observe.wait_status(cancelled, "cancelled")
    # When the job runs within the lead of both deadlines
    warned = run_job(sandbox, minutes_before(answered_wait.deadline_at, 5))
    warned += run_job(sandbox, minutes_before(cancelled_wait.deadline_at, 5))
    # Then neither is warned, and the cancelled order's leftover wait stays unwarned
    assert not [e for e in warned if answered in e or cancelled in e]
    assert callbacks.wait(cancelled, Step.COMPLETION).warned_at is None
    assert deadline_messages(world, tech, "technician", answered) == []
    assert deadline_messages(world, tech, "technician", cancelled) == []


def test_the_sandbox_runs_the_deadline_job_by_itself_and_on_request(sandbox):
    import json

    from local.pumps import SchedulePump

    def runs() -> int:
        return sum(1 for i in list(sandbox.aws.lambdas.invocations) if i.function_name == "DeadlineWarnings")

    # By itself: the sandbox's schedule pump runs the periodic jobs every few seconds
    before = runs()
    wait_for(lambda: runs() > before, timeout=60, what="the sandbox's own run of the deadline job")
    # A pump of its own runs them at its interval and stops when told
    pump = SchedulePump(sandbox.aws, interval=0.05)
    pump.start()
    started = runs()
    wait_for(lambda: runs() >= started + 2, what="two runs")
    pump.stop()
    assert pump._thread is not None and not pump._thread.is_alive()
    # On request, as of an instant (a date is the certificate job's, not this one's)
    now = sandbox.route("POST", "/dev/deadline-warnings", {}, b"{}")
    assert now.status == 200 and set(json.loads(now.body)) == {"at", "window_end", "due", "warned", "reminded"}
    bad = sandbox.route("POST", "/dev/deadline-warnings", {}, json.dumps({"at": "next tuesday"}).encode())
    assert bad.status == 400 and json.loads(bad.body)["error"]["code"] == "validation_error"
