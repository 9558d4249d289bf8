"""The rating reminder (pure logic and the job on fakes): when it falls due, its stable id, the resident's words
and SMS, which WeChat template carries it, and a job that reminds each order once whatever reruns and races."""

from __future__ import annotations

import pytest

from notify.domain.reminders import rating_reminder_drafts
from notify.domain.sms import template as sms_template
from notify.domain.wechat_templates import kinds_for
from notify.store.memory import MemoryStore
from orders.domain import deadlines
from orders.domain.steps import Step
from orders.store.callbacks import WorkflowWait
from shared import sms
from shared.events import EventType
from tests.unit.matching_fixtures import order

DONE = "2026-12-04T07:00:00.000Z"  # the rating wait began: the repair was done
DAY, WEEK = 24 * 3600, 7 * 24 * 3600


def test_the_reminder_falls_due_a_set_time_after_the_repair_was_done_only_for_a_rating_wait_that_lasts_longer():
    assert deadlines.rating_reminder_at(Step.RATING, DONE, WEEK, DAY) == "2026-12-05T07:00:00.000Z"
    assert deadlines.rating_reminder_at(Step.RATING, DONE, WEEK, 3600) == "2026-12-04T08:00:00.000Z"
    assert deadlines.rating_reminder_at(Step.RATING, DONE, DAY, DAY) is None, "the wait ends by then"
    assert deadlines.rating_reminder_at(Step.RATING, DONE, None, DAY) is None, "a wait without a timeout"
    for step in (Step.DISPATCH, Step.COMPLETION, Step.APPROVAL):
        assert deadlines.rating_reminder_at(step, DONE, WEEK, DAY) is None


def test_the_reminder_event_has_one_id_per_order():
    o = order(status="completed", order_code="4821")
    first = deadlines.rating_reminder_event(o, at="2026-12-05T07:01:00.000Z")
    again = deadlines.rating_reminder_event(o, at="2026-12-05T09:00:00.000Z")
    assert first.type == EventType.ORDER_RATING_REMINDER and first.event_id == again.event_id == "evt_rating_reminder_ord_1"
    assert first.deadline_step is None and first.company_id is None, "a message to the resident, not a webhook event"


def test_the_resident_is_asked_to_rate_in_chinese_first_and_the_sms_is_its_own_template():
    event = deadlines.rating_reminder_event(order(status="completed", order_code="4821"), at=DONE)
    [draft] = rating_reminder_drafts(event)
    assert draft.recipient_id == event.order.resident_id and draft.kind == "order.rating_reminder"
    assert draft.text_zh.startswith("【邻里】订单码 4821") and "评价" in draft.text_zh
    assert draft.text_en.startswith("[Linli] Order code 4821") and "rate" in draft.text_en
    assert draft.template == "order_rating_reminder" and dict(draft.params) == {"code": "4821"}
    sms.check_params(sms_template(draft.template), dict(draft.params))
    assert "4821" in sms_template(draft.template).render(dict(draft.params))
    other = deadlines.rating_reminder_event(order(status="completed"), at=DONE).model_copy(update={"type": EventType.ORDER_RATED})
    assert rating_reminder_drafts(other) == []


def test_only_the_rating_reminder_template_carries_it_never_a_repair_done_consent():
    assert kinds_for("order.rating_reminder", "emergency") == ("rating_reminder",)
    assert kinds_for("order.rating_reminder", "scheduled") == ("rating_reminder",)


@pytest.fixture
def reminder_env(monkeypatch):
    from identity.domain.records import User
    from notify.service import subscriptions
    from shared import wechat
    from tests.conftest import reload_settings

    monkeypatch.setenv("LINLI_WECHAT_TEMPLATE_IDS", '{"repair_done": "t-done", "rating_reminder": "t-rate"}')
    reload_settings()
    calls: list[dict] = []
    monkeypatch.setattr(wechat, "post", lambda path, body, *, token: calls.append(body) or {"errcode": 0})

    class Source:
        def token(self) -> str:
            return "good"

        def refreshed(self, stale: str) -> str:
            return "fresh"

    store = MemoryStore()
    resident = User(user_id="res_a", role="resident", name="王奶奶", phone="13800000001", wechat_openid="o_res_a")
    event = deadlines.rating_reminder_event(order(status="completed", order_code="4821", resident_id="res_a"), at=DONE)
    [draft] = rating_reminder_drafts(event)

    def send():
        return subscriptions._by_wechat(draft, resident, event, f"{event.event_id}.res_a.wechat", store, Source())

    assert subscriptions.by_wechat(draft, resident, event)
    yield send, store, calls
    monkeypatch.undo()
    reload_settings()


def test_with_a_rating_reminder_consent_it_goes_by_wechat_and_spends_it(reminder_env):
    send, store, calls = reminder_env
    store.add_consents("res_a", ["t-rate"], now="")
    delivered = send()
    assert delivered is not None and delivered.template == "t-rate" and store.consents("res_a") == {"t-rate": 0}
    [body] = calls
    assert body["template_id"] == "t-rate" and body["page"] == "pages/order/order?id=ord_1"
    assert body["data"]["character_string1"] == {"value": "4821"} and body["data"]["thing3"] == {"value": "请为本次服务评价"}


def test_without_one_it_goes_by_sms_and_a_repair_done_consent_is_kept(reminder_env):
    send, store, calls = reminder_env
    store.add_consents("res_a", ["t-done"], now="")
    assert send() is None and calls == [], "no rating_reminder consent: the SMS"
    assert store.consents("res_a") == {"t-done": 1}


class _Job:
    """The job's reads and writes on fakes: rating waits, orders, the bus; the claim is a conditional write."""

    def __init__(self, monkeypatch, waits: list[WorkflowWait], statuses: dict[str, str]):
        from orders.handlers import deadlines as job

        self.waits, self.statuses, self.published, self.claimed = waits, statuses, [], {}
        fake = self

        class Callbacks:
            unwarned_due_between = staticmethod(lambda start, end: [])
            unreminded_ratings_between = staticmethod(
                lambda start, end: [w for w in fake.waits if (w.order_id, w.step) not in fake.claimed]
            )

            @staticmethod
            def claim_warning(order_id, step, deadline_at, *, at):
                if (order_id, step) in fake.claimed:
                    return False
                fake.claimed[(order_id, step)] = at
                return True

            @staticmethod
            def release_warning(order_id, step, *, at):
                fake.claimed.pop((order_id, step), None)

        class Orders:
            @staticmethod
            def get(order_id):
                status = fake.statuses.get(order_id)
                return order(order_id=order_id, status=status) if status else None

        class Events:
            @staticmethod
            def publish(events):
                fake.published += [e.event_id for e in events]

        monkeypatch.setattr(job, "callbacks", Callbacks)
        monkeypatch.setattr(job, "orders", Orders)
        monkeypatch.setattr(job, "events", Events)
        self.job = job


def _rating_wait(order_id: str) -> WorkflowWait:
    return WorkflowWait(
        order_id=order_id, step=Step.RATING, registered_at=DONE, entered_at=DONE, deadline_at=deadlines.deadline_of(DONE, WEEK)
    )


def test_the_job_reminds_each_unrated_order_once_and_skips_rated_closed_and_cancelled_ones(monkeypatch):
    from datetime import datetime

    fake = _Job(
        monkeypatch,
        [_rating_wait(o) for o in ("ord_a", "ord_rated", "ord_closed", "ord_cancelled", "ord_b")],
        {"ord_a": "completed", "ord_rated": "rated", "ord_closed": "closed", "ord_cancelled": "cancelled", "ord_b": "completed"},
    )
    at = datetime.fromisoformat("2026-12-05T07:01:00+00:00")
    result = fake.job.run(at)
    assert result.reminded == ["evt_rating_reminder_ord_a", "evt_rating_reminder_ord_b"] and result.warned == []
    assert fake.published == result.reminded
    assert fake.job.run(at).reminded == [] and fake.published == result.reminded, "a rerun reminds nobody again"


def test_a_reminder_that_could_not_be_published_is_released_for_the_next_run(monkeypatch):
    from datetime import datetime

    fake = _Job(monkeypatch, [_rating_wait("ord_a")], {"ord_a": "completed"})

    def down(events):
        raise RuntimeError("the bus is down")

    monkeypatch.setattr(fake.job.events, "publish", staticmethod(down))
    with pytest.raises(RuntimeError):
        fake.job.run(datetime.fromisoformat("2026-12-05T07:01:00+00:00"))
    assert fake.claimed == {}
