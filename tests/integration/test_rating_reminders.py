"""The rating reminder in the sandbox: a resident who has not rated a day (Settings.rating_reminder_after_seconds)
after the repair was done is reminded once by the DeadlineWarnings job, by WeChat with a `rating_reminder`
consent (GET /dev/wechat/sent), else by SMS (GET /dev/outbox); reruns remind no more, a rated order not at all.
The job is invoked "as of" an instant after the reminder fell due, which the rating wait itself set."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from notify.domain.wechat_templates import SANDBOX_TEMPLATE_IDS as IDS
from orders.domain.steps import Step
from shared.clock import iso
from tests.conftest import wait_for
from tests.integration.test_deadline_warnings import registered
from tests.integration.test_wechat_subscriptions import _accept_first_offer, _get, _phones, _sms

DAY = 24 * 3600
KIND = "order.rating_reminder"


@pytest.fixture
def resident(sandbox, world):
    """The world's resident signs in with WeChat (an openid of her own) and has a phone for SMS."""
    from identity.store import accounts

    phone, openid = f"139{next(_phones):08d}", f"wx_{world.resident_id}"
    accounts.put_user(accounts.get_user(world.resident_id).model_copy(update={"phone": phone, "wechat_openid": openid}))
    return phone, openid


def _done(world, observe, tech: str) -> tuple[str, str]:
    order = world.order()
    order_id = order["order_id"]
    _accept_first_offer(world, observe, tech, order_id)
    for status in ("en_route", "on_site"):
        assert world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": status}).status == 200
    done = world.as_technician(tech, "POST", f"/orders/{order_id}/completion", {"lines": [], "note": "检查线路，已拧紧接头"})
    assert done.status == 200, done.body
    observe.wait_status(order_id, "completed")
    return order_id, order["order_code"]


def _run_after(sandbox, order_id: str, seconds: float) -> list[str]:
    """The job as of `seconds` after the rating wait began; the reminders it published for this order."""
    wait = registered(order_id, Step.RATING)
    at = iso(datetime.fromisoformat(wait.entered_at.replace("Z", "+00:00")) + timedelta(seconds=seconds))
    return [e for e in sandbox.aws.invoke("DeadlineWarnings", {"at": at})["reminded"] if order_id in e]


def _reminders(world, order_id: str) -> list[dict]:
    inbox = world.as_resident("GET", "/messages").body["messages"]
    return [m for m in inbox if m["order_id"] == order_id and m["kind"] == KIND]


def test_an_unrated_repair_is_reminded_once_a_day_later_by_sms_without_a_consent(sandbox, world, observe, resident, timeouts):
    phone, openid = resident
    timeouts(rating=7 * DAY)
    tech = world.add_technician()
    order_id, code = _done(world, observe, tech)
    # Not yet an hour before the day is out; then once, whatever reruns
    assert _run_after(sandbox, order_id, DAY - 3600) == []
    assert _run_after(sandbox, order_id, DAY + 60) == [f"evt_rating_reminder_{order_id}"]
    for later in (DAY + 120, DAY + 600, 2 * DAY):
        assert _run_after(sandbox, order_id, later) == []
    wait_for(lambda: "order_rating_reminder" in _sms(sandbox, phone, code), what="the reminder SMS")
    assert _sms(sandbox, phone, code).count("order_rating_reminder") == 1
    [message] = wait_for(lambda: _reminders(world, order_id), what="the reminder in her inbox")
    assert (message["channel"], message["template"]) == ("sms", "order_rating_reminder")
    assert code in message["text_zh"] and message["text_zh"].startswith("【邻里】") and code in message["text_en"]
    assert not [m for m in _get(sandbox, f"/dev/wechat/sent?openid={openid}") if m["template_id"] == IDS["rating_reminder"]]


def test_with_a_rating_reminder_consent_it_goes_by_wechat_and_a_rated_order_is_not_reminded(
    sandbox, world, observe, resident, timeouts
):
    phone, openid = resident
    timeouts(rating=7 * DAY)
    asked = [IDS["repair_done"], IDS["rating_reminder"]]
    assert world.as_resident("POST", "/me/wechat/subscriptions", {"template_ids": asked, "accepted": asked}).status == 200
    tech = world.add_technician()
    order_id, code = _done(world, observe, tech)
    wait_for(
        lambda: [m for m in _get(sandbox, f"/dev/wechat/sent?openid={openid}") if m["template_id"] == IDS["repair_done"]],
        what="the done message",
    )
    assert _run_after(sandbox, order_id, DAY + 60) == [f"evt_rating_reminder_{order_id}"]
    [sent] = wait_for(
        lambda: [m for m in _get(sandbox, f"/dev/wechat/sent?openid={openid}") if m["template_id"] == IDS["rating_reminder"]],
        what="the reminder by WeChat",
    )
    assert sent["page"] == f"pages/order/order?id={order_id}" and sent["data"]["character_string1"] == {"value": code}
    [message] = wait_for(lambda: _reminders(world, order_id), what="the reminder in her inbox")
    assert (message["channel"], message["template"]) == ("wechat", IDS["rating_reminder"])
    assert "order_rating_reminder" not in _sms(sandbox, phone, code)
    # A second order she rates at once is never reminded
    rated_id, _ = _done(world, observe, tech)
    assert world.as_resident("POST", f"/orders/{rated_id}/rating", {"stars": 5}).status in (200, 201)
    # rated, then closed by the workflow's last state at once: the poll may see either, so wait for the end
    observe.wait_status(rated_id, "closed")
    assert _run_after(sandbox, rated_id, DAY + 60) == []
    assert _reminders(world, rated_id) == []
