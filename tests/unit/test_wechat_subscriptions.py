"""WeChat subscription messages, on in-memory fakes: the templates' field rules (fit and check), which message goes
by which template, consent accounting, the shared access token under concurrency, and the fallback to SMS."""

from __future__ import annotations

import threading
import time

import pytest

from notify.domain.wechat_templates import (
    KINDS,
    SANDBOX_TEMPLATE_IDS,
    TEMPLATES,
    FieldType,
    MessageFacts,
    beijing_time,
    fill,
    fit,
    kinds_for,
    page_of,
    problem,
    yuan,
)
from notify.service.wechat_token import TokenSource
from notify.store import CachedToken
from notify.store.memory import MemoryStore

T = FieldType

# --- Field rules -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (T.THING, ["灯不亮", "a" * 20, "王奶奶家的厨房水管漏水了请尽快来修理好吗"], ["", "一" * 21]),
        (T.CHARACTER_STRING, ["LL-4821", "A" * 32, "ord_01J#x"], ["", "A" * 33, "订单4821", "two words"]),
        (T.PHRASE, ["已处理", "正在赶来", "监管人员介"], ["", "已处理完毕了", "done", "已处理1"]),
        (
            T.TIME,
            ["15:01", "2026年12月4日 15:01", "2026-12-04 15:01", "2026年12月4日 14:00~2026年12月4日 16:00", "2026年12月4日"],
            ["", "3pm", "25:00", "2026年12月4日 15:01:00", "15:01~"],
        ),
        (T.AMOUNT, ["128.5元", "¥128.50", "0元", "9999999999元"], ["", "一百元", "12345678901元", "¥¥5", "5 元"]),
    ],
)
def test_each_field_type_takes_what_wechat_takes(kind, good, bad):
    assert [problem(kind, v) for v in good] == [None] * len(good)
    assert all(problem(kind, v) for v in bad), [v for v in bad if not problem(kind, v)]


def test_values_are_cut_to_fit_their_type():
    assert fit(T.THING, "一" * 25) == "一" * 19 + "…" and len(fit(T.THING, "一" * 25)) == 20
    assert fit(T.THING, "一" * 20) == "一" * 20
    assert fit(T.CHARACTER_STRING, "订单 LL-4821") == "LL-4821"
    assert fit(T.CHARACTER_STRING, "x" * 40) == "x" * 32
    assert fit(T.PHRASE, "师傅正在赶来路上") == "师傅正在赶"
    assert fit(T.AMOUNT, yuan(128.5)) == "128.5元" and yuan(None) == "0元" and yuan(12.345) == "12.35元"
    with pytest.raises(ValueError):
        fit(T.TIME, "tomorrow")


def test_times_are_in_beijing_time():
    assert beijing_time("2026-12-04T07:01:00Z") == "2026年12月4日 15:01"
    assert beijing_time("2026-12-04T16:30:00+00:00", "2026-12-04T17:30:00Z") == "2026年12月5日 00:30~2026年12月5日 01:30"


def test_every_template_fills_every_field_within_the_rules_even_from_long_values():
    facts = MessageFacts(
        order_id="ord_" + "9" * 40,
        code="",
        what="公区报事：" + "楼道灯" * 10,
        technician="赵" * 30,
        arrival=beijing_time("2026-12-04T07:00:00Z", "2026-12-04T09:00:00Z"),
        at=beijing_time("2026-12-04T07:01:00Z"),
        extra=35.0,
        total=1234567.891,
    )
    assert set(KINDS) == set(SANDBOX_TEMPLATE_IDS) == {
        "order_accepted", "technician_en_route", "extra_charge", "repair_done", "rating_reminder",
        "public_area_handled", "escalation",
    }  # fmt: skip
    for template in TEMPLATES.values():
        data = fill(template, facts)
        assert set(data) == {f.key for f in template.fields}
        assert {k: problem(FieldType(k.rstrip("0123456789")), v["value"]) for k, v in data.items()} == dict.fromkeys(data)
    accepted = fill(TEMPLATES["order_accepted"], facts)
    assert accepted["time4"]["value"] == "2026年12月4日 15:00~2026年12月4日 17:00"
    assert len(accepted["character_string1"]["value"]) == 32 and len(accepted["thing3"]["value"]) == 20
    assert fill(TEMPLATES["repair_done"], facts)["amount3"]["value"] == "1234567.89元"


def test_the_templates_use_only_the_five_field_types_and_unique_keys():
    for template in TEMPLATES.values():
        keys = [f.key for f in template.fields]
        assert len(set(keys)) == len(keys) and all(f.type in FieldType for f in template.fields)


def test_which_resident_message_goes_by_which_template():
    assert kinds_for("order.assigned", "emergency") == ("order_accepted",)
    assert kinds_for("order.en_route", "booking") == ("technician_en_route",)
    assert kinds_for("order.approval_needed", "emergency") == ("extra_charge",)
    assert kinds_for("order.deadline_approaching", "emergency", "approval") == ("extra_charge",)
    assert kinds_for("order.deadline_approaching", "emergency", "completion") == ()
    assert kinds_for("order.completed", "emergency") == ("repair_done", "rating_reminder")
    assert kinds_for("order.completed", "public_area") == ("public_area_handled",)
    assert kinds_for("order.escalated", "public_area") == ("escalation",)
    assert kinds_for("proxy.order_placed", "emergency") == kinds_for("order.cancelled", "emergency") == ()
    assert page_of("ord_1") == "pages/order/order?id=ord_1"


def test_each_template_falls_back_to_the_sms_its_message_has():
    from notify.domain.compose import _RESIDENT_SMS
    from shared.events import EventType

    sms_of = {event.value: template for event, (template, _, _) in _RESIDENT_SMS.items()}
    for draft_kind, order_type in [
        ("order.assigned", "emergency"), ("order.en_route", "emergency"), ("order.approval_needed", "emergency"),
        ("order.completed", "emergency"), ("order.completed", "public_area"), ("order.escalated", "emergency"),
    ]:  # fmt: skip
        for kind in kinds_for(draft_kind, order_type):
            assert TEMPLATES[kind].sms_template == sms_of[draft_kind], kind
    assert EventType.ORDER_ASSIGNED.value in sms_of


# --- Consents --------------------------------------------------------------------------------------------------


def test_consents_are_counted_per_resident_and_template_and_spent_one_at_a_time():
    store = MemoryStore()
    store.add_consents("res_a", ["t1", "t2", "t1"], now="2026-12-04T00:00:00Z")
    store.add_consents("res_b", ["t1"], now="2026-12-04T00:00:00Z")
    assert store.consents("res_a") == {"t1": 2, "t2": 1}
    assert [store.spend_consent("res_a", "t1") for _ in range(3)] == [True, True, False]
    assert store.consents("res_a")["t1"] == 0 and store.consents("res_b") == {"t1": 1}
    store.return_consent("res_a", "t1")
    store.clear_consents("res_a", "t2")
    assert store.consents("res_a") == {"t1": 1, "t2": 0}


def test_record_consents_checks_the_ids_and_the_subset(monkeypatch):
    from notify.service import subscriptions
    from shared.errors import ValidationFailed

    monkeypatch.setenv("LINLI_WECHAT_TEMPLATE_IDS", '{"order_accepted": "t-acc", "repair_done": "t-done"}')
    from tests.conftest import reload_settings

    reload_settings()
    try:
        store = MemoryStore()
        with pytest.raises(subscriptions.UnknownTemplate) as unknown:
            subscriptions.record_consents("res_a", ["t-acc", "t-nope"], ["t-acc"], store=store)
        assert unknown.value.code == "unknown_template" and "t-nope" in unknown.value.message_en
        with pytest.raises(subscriptions.AcceptedNotAsked) as stray:
            subscriptions.record_consents("res_a", ["t-acc"], ["t-acc", "t-done"], store=store)
        assert isinstance(stray.value, ValidationFailed) and stray.value.code == "accepted_not_asked"
        assert store.consents("res_a") == {}, "nothing recorded from a refused request"
        left = subscriptions.record_consents("res_a", ["t-acc", "t-done"], ["t-done", "t-done"], store=store)
        assert left == {"t-acc": 0, "t-done": 1}, "one consent per accepted template per request"
    finally:
        monkeypatch.undo()
        reload_settings()


# --- The shared access token -----------------------------------------------------------------------------------


class _Fetch:
    """stable_token as WeChat answers it: the same token until force_refresh, slowly (so callers overlap)."""

    def __init__(self, delay: float = 0.05, expires_in: float = 7200) -> None:
        self.calls: list[bool] = []
        self.delay, self.expires_in, self.n = delay, expires_in, 0
        self._lock = threading.Lock()

    def __call__(self, *, force_refresh: bool) -> tuple[str, float]:
        with self._lock:
            self.calls.append(force_refresh)
            if force_refresh or self.n == 0:
                self.n += 1
            token = f"token-{self.n}"
        time.sleep(self.delay)
        return token, self.expires_in


def _race(n: int, target) -> list:
    results: list = [None] * n
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = target()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


def test_concurrent_callers_share_one_token_fetched_once():
    store, fetch = MemoryStore(), _Fetch()
    # Each thread is a separate function instance: its own TokenSource, the one table
    tokens = _race(8, lambda: TokenSource(store, fetch=fetch, lease_seconds=5).token())
    assert tokens == ["token-1"] * 8 and fetch.calls == [False]
    assert store.lease is None, "the lease was given back"


def test_the_token_is_renewed_before_it_expires_and_meanwhile_the_old_one_is_used():
    now = [1000.0]
    store, fetch = MemoryStore(), _Fetch(delay=0)
    source = TokenSource(store, fetch=fetch, clock=lambda: now[0], lease_seconds=5, margin_seconds=300)
    assert source.token() == "token-1"
    assert store.token == CachedToken("token-1", 1000 + 7200 - 300, 1000 + 7200)
    now[0] += 7200 - 301
    assert TokenSource(store, fetch=fetch, clock=lambda: now[0]).token() == "token-1" and fetch.calls == [False]
    # Past the renewal time another instance holds the lease: the old token still lives, so it is used
    now[0] += 2
    assert store.take_lease("another instance", now=now[0], seconds=5)
    assert source.token() == "token-1" and fetch.calls == [False]
    store.release_lease("another instance")
    assert source.token() == "token-1" and fetch.calls == [False, False], "renewed (WeChat gives the same stable token)"
    assert store.token.renew_at == now[0] + 7200 - 300


def test_a_refused_token_is_replaced_once_however_many_callers_saw_it_refused():
    store, fetch = MemoryStore(), _Fetch()
    first = TokenSource(store, fetch=fetch).token()
    fresh = _race(6, lambda: TokenSource(store, fetch=fetch, lease_seconds=5).refreshed(first))
    assert fresh == ["token-2"] * 6 and fetch.calls == [False, True]


def test_a_renewer_that_died_holds_the_lease_only_until_it_runs_out():
    now = [1000.0]
    store, fetch = MemoryStore(), _Fetch(delay=0)

    def sleep(seconds: float) -> None:
        now[0] += seconds

    assert store.take_lease("a crashed instance", now=now[0], seconds=2)
    source = TokenSource(store, fetch=fetch, clock=lambda: now[0], sleep=sleep, lease_seconds=2)
    assert source.token() == "token-1" and now[0] >= 1002
    # A lease that is never freed within the wait: WeChat counts as unavailable
    assert store.take_lease("a stuck instance", now=now[0], seconds=1000)
    from shared.wechat import WeChatUnavailable

    with pytest.raises(WeChatUnavailable):
        TokenSource(store, fetch=fetch, clock=lambda: now[0], sleep=sleep, lease_seconds=2).refreshed("token-1")


# --- Sending, and the fallback to SMS ----------------------------------------------------------------------------


class _Source:
    def __init__(self) -> None:
        self.current, self.refreshes = "good", 0

    def token(self) -> str:
        return self.current

    def refreshed(self, stale: str) -> str:
        self.refreshes += 1
        self.current = "fresh"
        return self.current


def _completed_event():
    from shared.events import DomainEvent, EventType, OrderSnapshot

    order = OrderSnapshot(
        order_id="ord_1", order_type="emergency", category="plumbing", status="completed", order_code="4821",
        compound_id="c1", resident_id="res_a", bill_total=80,
    )  # fmt: skip
    return DomainEvent(event_id="evt_1", type=EventType.ORDER_COMPLETED, occurred_at="2026-12-04T07:00:00Z", order=order)


@pytest.fixture
def send_env(monkeypatch):
    """The service with WeChat's answers scripted: `answers` are errcodes (0 = taken), one per call."""
    from identity.domain.records import User
    from notify.domain.compose import Draft
    from notify.service import subscriptions
    from shared import wechat
    from tests.conftest import reload_settings

    monkeypatch.setenv("LINLI_WECHAT_TEMPLATE_IDS", '{"repair_done": "t-done", "rating_reminder": "t-rate"}')
    reload_settings()
    answers: list[int | None] = []
    calls: list[tuple[str, dict]] = []

    def post(path: str, body: dict, *, token: str) -> dict:
        calls.append((token, body))
        code = answers.pop(0) if answers else 0
        if code:
            raise wechat.WeChatUnavailable(code, f"errcode {code}")
        if code is None:
            raise wechat.WeChatUnavailable(None, "timeout")
        return {"errcode": 0}

    monkeypatch.setattr(wechat, "post", post)
    store, source = MemoryStore(), _Source()
    resident = User(user_id="res_a", role="resident", name="王奶奶", phone="13800000001", wechat_openid="o_res_a")
    draft = Draft("res_a", "order.completed", "ord_1", "完成", "done", "order_completed", {"total": "80"})

    def send():
        return subscriptions._by_wechat(draft, resident, _completed_event(), "evt_1.res_a.wechat", store, source)

    yield send, store, source, answers, calls
    monkeypatch.undo()
    reload_settings()


def test_a_consent_is_spent_on_the_message_and_the_page_opens_the_order(send_env):
    send, store, _, _, calls = send_env
    store.add_consents("res_a", ["t-done"], now="")
    delivered = send()
    assert delivered is not None and delivered.template == "t-done" and store.consents("res_a") == {"t-done": 0}
    [(_, body)] = calls
    assert body["touser"] == "o_res_a" and body["page"] == "pages/order/order?id=ord_1" and body["lang"] == "zh_CN"
    assert body["data"]["amount3"] == {"value": "80元"} and body["data"]["character_string1"] == {"value": "4821"}
    assert body["miniprogram_state"] == "formal"


def test_no_consent_left_means_sms_and_the_next_fitting_template_is_tried_first(send_env):
    send, store, _, _, calls = send_env
    assert send() is None and calls == [], "no consent at all: SMS, WeChat not called"
    store.add_consents("res_a", ["t-rate"], now="")
    assert send().template == "t-rate", "repair done without its consent goes by the rating reminder"
    assert send() is None


def test_43101_clears_the_templates_consents_and_falls_back(send_env):
    send, store, _, answers, _ = send_env
    store.add_consents("res_a", ["t-done", "t-done", "t-done"], now="")
    answers.append(43101)
    assert send() is None
    assert store.consents("res_a") == {"t-done": 0} and store.dead_letters() == []


def test_a_spent_token_is_replaced_and_the_message_sent_again(send_env):
    send, store, source, answers, calls = send_env
    store.add_consents("res_a", ["t-done"], now="")
    answers.append(42001)
    assert send().template == "t-done"
    assert [token for token, _ in calls] == ["good", "fresh"] and source.refreshes == 1


@pytest.mark.parametrize(("errcode", "consent_back"), [(47003, False), (40037, False), (40003, False), (None, True), (-1, True)])
def test_any_other_refusal_is_a_dead_letter_and_sms(send_env, errcode, consent_back):
    send, store, _, answers, _ = send_env
    store.add_consents("res_a", ["t-done"], now="")
    answers.append(errcode)
    assert send() is None
    [letter] = store.dead_letters()
    assert (letter.errcode, letter.template_id, letter.kind, letter.fallback) == (errcode, "t-done", "repair_done", "sms")
    assert letter.message_id == "evt_1.res_a.wechat" and letter.order_id == "ord_1"
    assert store.consents("res_a") == {"t-done": 1 if consent_back else 0}


def test_a_field_numbered_otherwise_in_the_console_is_sent_under_its_key(send_env, monkeypatch):
    from tests.conftest import reload_settings

    send, store, _, _, calls = send_env
    monkeypatch.setenv("LINLI_WECHAT_TEMPLATE_KEYS", '{"repair_done": {"amount3": "amount7", "time4": "time1"}}')
    reload_settings()
    store.add_consents("res_a", ["t-done"], now="")
    assert send().template == "t-done"
    assert set(calls[0][1]["data"]) == {"character_string1", "thing2", "amount7", "time1"}


def test_a_key_of_another_type_is_refused_in_the_settings(monkeypatch):
    from pydantic import ValidationError

    from notify.domain.settings import NotifySettings

    monkeypatch.setenv("LINLI_WECHAT_TEMPLATE_KEYS", '{"repair_done": {"thing2": "name2"}}')
    with pytest.raises(ValidationError, match="different types"):
        NotifySettings()


def test_the_integrators_guide_lists_every_template_as_the_code_fills_it():
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "integrators.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in guide.splitlines() if line.startswith("| `")}
    for kind, template in TEMPLATES.items():
        fields = ", ".join(f"`{f.key}` {f.label}" for f in template.fields)
        assert f"| {template.title} |" in rows[kind] and f"| {fields} |" in rows[kind], kind
        assert f"| `{template.sms_template}` | `{SANDBOX_TEMPLATE_IDS[kind]}` |" in rows[kind], kind
