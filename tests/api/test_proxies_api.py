"""Acting for a resident (issue 6) through the gateway: linking with the resident's consent (a code sent by SMS,
read here from the resident's outbox), its refusals, revoking, and orders placed on the resident's behalf."""

from __future__ import annotations

import re

import pytest

from orders.store import proxy_links
from tests.conftest import reload_settings, wait_for


def _error(result) -> str:
    return result.body["error"]["code"]


@pytest.fixture
def family(world):
    """The world's resident with a phone number, and a helper (a community worker) who does not act for her yet."""
    from identity.domain.records import User
    from identity.store import accounts

    resident = accounts.get_user(world.resident_id)
    accounts.put_user(resident.model_copy(update={"name": f"王奶奶{world.n}", "phone": f"137{world.n:08d}"}))
    helper = f"res_w{world.n}_helper"
    accounts.put_user(User(user_id=helper, role="resident", name=f"社区工作者{world.n}", phone=f"136{world.n:08d}"))
    return world, helper


def _as(world, user_id: str, method: str, path: str, body=None):
    return world.api.call(user_id, "resident", method, path, body)


def _messages(world, user_id: str, kind: str | None = None) -> list[dict]:
    found = _as(world, user_id, "GET", "/messages").body["messages"]
    return [m for m in found if kind is None or m["kind"] == kind]


def _code(world) -> str:
    [message] = _messages(world, world.resident_id, "proxy.consent_code")
    return re.search(r"验证码 (\d{6})", message["text_zh"]).group(1)


def _ask(world, helper: str, phone: str | None = None, relation: str = "社区工作者"):
    body = {"phone": phone or f"137{world.n:08d}", "relation": relation, "relation_en": "community worker"}
    return _as(world, helper, "POST", "/proxy-requests", body)


def _link(world, helper: str) -> None:
    asked = _ask(world, helper)
    assert asked.status == 202, asked.body
    done = _as(world, helper, "POST", f"/proxy-requests/{asked.body['request_id']}/confirm", {"code": _code(world)})
    assert done.status == 201, done.body


@pytest.mark.parametrize("relation", ["女儿 http://t.cn/x7", "www.example.cn", "加微信领红包", "boss"])
def test_a_relation_outside_the_fixed_list_is_refused_and_nothing_is_sent(family, relation):
    world, helper = family
    asked = _ask(world, helper, relation=relation)
    assert asked.status == 400 and _error(asked) == "invalid_relation", asked.body
    assert "社区工作者" in asked.body["error"]["message"] and "community worker" in asked.body["error"]["message_en"]
    assert _messages(world, world.resident_id, "proxy.consent_code") == []


def test_a_relation_in_english_is_stored_as_its_pair(family):
    world, helper = family
    asked = _ask(world, helper, relation="daughter")
    assert asked.status == 202, asked.body
    from orders.store import proxy_requests

    stored = proxy_requests.get(helper)
    assert (stored.relation, stored.relation_en) == ("女儿", "daughter")


def test_a_helper_links_with_the_code_the_resident_was_sent(family):
    world, helper = family
    # When the helper asks to act for the resident with her phone number
    asked = _ask(world, helper)
    assert asked.status == 202, asked.body
    assert asked.body["phone_masked"] == f"137****{world.n:04d}"
    # Then she receives one SMS in plain Chinese: who asks, what they could do, what telling and ignoring mean
    [sms] = _messages(world, world.resident_id, "proxy.consent_code")
    assert sms["channel"] == "sms"
    for words in (f"社区工作者{world.n}", "替您下单", "告诉了验证码就是同意", "不用理这条短信"):
        assert words in sms["text_zh"], words
    assert sms["text_en"].startswith("[Linli]")
    # And the text message itself is the consent template, with the code and no name (no free text by SMS)
    from shared.sms import fake_outbox

    [sent] = [m for m in fake_outbox().messages(f"137{world.n:08d}") if m["template"] == "proxy_consent_code"]
    assert sent["params"] == {"relation": "社区工作者", "tail": f"{world.n:08d}"[-4:], "code": _code(world), "minutes": "10"}
    assert f"社区工作者{world.n}" not in sent["text"] and sent["text"].startswith("【邻里】您的社区工作者（手机尾号")
    # When the helper enters the code she tells them
    done = _as(world, helper, "POST", f"/proxy-requests/{asked.body['request_id']}/confirm", {"code": _code(world)})
    # Then the link is made, recorded with how she consented, and she is told by SMS
    assert done.status == 201, done.body
    assert done.body["resident_id"] == world.resident_id and done.body["relation"] == "社区工作者"

    link = proxy_links.get(world.resident_id, helper)
    assert link.status == "active" and link.consent == f"sms_code:{asked.body['request_id']}" and link.linked_at
    [linked] = _messages(world, world.resident_id, "proxy.linked")
    assert f"社区工作者{world.n}" in linked["text_zh"] and "取消" in linked["text_zh"]
    # And both see the link; the helper's profile offers her addresses
    mine = _as(world, helper, "GET", "/me/proxies").body
    theirs = _as(world, world.resident_id, "GET", "/me/proxies").body
    assert [p["resident_id"] for p in mine["acting_for"]] == [world.resident_id] and mine["proxies"] == []
    assert [p["proxy_id"] for p in theirs["proxies"]] == [helper]
    me = _as(world, helper, "GET", "/me").body
    assert me["acting_for"][0]["name"] == f"王奶奶{world.n}"
    assert [a["address_id"] for a in me["acting_for"][0]["addresses"]] == [world.address_id]
    # And the code is used up: the same request completes nothing again, and a new one is refused
    again = _as(world, helper, "POST", f"/proxy-requests/{asked.body['request_id']}/confirm", {"code": _code(world)})
    assert again.status == 410 and _error(again) == "request_expired"
    assert _ask(world, helper).status == 409 and _error(_ask(world, helper)) == "already_linked"


def test_the_code_is_stored_hashed_never_in_clear(family, sandbox):
    world, helper = family
    asked = _ask(world, helper)
    stored = sandbox.aws.stored_item(f"USER#{helper}", "PROXYREQ")
    assert stored["request_id"] == asked.body["request_id"] and _code(world) not in str(stored)
    assert int(stored["ttl"]) > 0 and len(stored["code_hash"]) == 64


def test_a_wrong_code_is_refused_and_counted(family):
    world, helper = family
    request_id = _ask(world, helper).body["request_id"]
    code = _code(world)
    wrong = "000000" if code != "000000" else "111111"
    refused = _as(world, helper, "POST", f"/proxy-requests/{request_id}/confirm", {"code": wrong})
    assert refused.status == 400 and _error(refused) == "wrong_code" and "4" in refused.body["error"]["message"]
    assert _messages(world, world.resident_id, "proxy.linked") == []
    # The right code still works after a slip
    assert _as(world, helper, "POST", f"/proxy-requests/{request_id}/confirm", {"code": code}).status == 201


def test_too_many_wrong_codes_void_the_request(family):
    world, helper = family
    request_id = _ask(world, helper).body["request_id"]
    code = _code(world)
    wrong = "000000" if code != "000000" else "111111"
    answers = [_as(world, helper, "POST", f"/proxy-requests/{request_id}/confirm", {"code": wrong}) for _ in range(5)]
    assert [_error(a) for a in answers] == ["wrong_code"] * 4 + ["too_many_attempts"]
    assert answers[-1].status == 429
    # Then even the right code completes nothing, and a new request must wait its turn
    late = _as(world, helper, "POST", f"/proxy-requests/{request_id}/confirm", {"code": code})
    assert late.status == 429 and _error(late) == "too_many_attempts"
    soon = _ask(world, helper)
    assert soon.status == 429 and _error(soon) == "request_too_soon"

    assert not proxy_links.is_proxy(world.resident_id, helper)


def test_an_expired_code_completes_nothing(family, monkeypatch):
    import time

    world, helper = family
    monkeypatch.setenv("LINLI_PROXY_CODE_SECONDS", "1")
    reload_settings()
    try:
        request_id = _ask(world, helper).body["request_id"]
        code = _code(world)
        time.sleep(1.2)
        late = _as(world, helper, "POST", f"/proxy-requests/{request_id}/confirm", {"code": code})
    finally:
        monkeypatch.delenv("LINLI_PROXY_CODE_SECONDS")
        reload_settings()
    assert late.status == 410 and _error(late) == "request_expired"

    assert not proxy_links.is_proxy(world.resident_id, helper)


def test_nobody_links_to_themself(family):
    world, helper = family
    own = _ask(world, helper, phone=f"136{world.n:08d}")
    assert own.status == 400 and _error(own) == "cannot_link_self"
    spaced = _ask(world, world.resident_id, phone=f"+86 137{world.n:08d}")
    assert spaced.status == 400 and _error(spaced) == "cannot_link_self"


def test_an_unknown_number_looks_the_same_and_reaches_nobody(family):
    from identity.domain.records import User
    from identity.store import accounts

    world, helper = family
    other_helper = f"{helper}2"  # a requester waits a minute between requests: a second one asks for the unknown number
    accounts.put_user(User(user_id=other_helper, role="resident", name="另一位", phone=f"135{world.n:08d}"))
    known, unknown = _ask(world, helper), _ask(world, other_helper, phone="13511112222")
    assert known.status == unknown.status == 202
    assert set(known.body) == set(unknown.body)
    assert known.body["message_zh"].replace(known.body["phone_masked"], "") == unknown.body["message_zh"].replace(
        unknown.body["phone_masked"], ""
    )
    # No code can complete it: every try is a wrong code, like a real request's
    tried = _as(world, other_helper, "POST", f"/proxy-requests/{unknown.body['request_id']}/confirm", {"code": "123456"})
    assert tried.status == 400 and _error(tried) == "wrong_code"


def test_an_order_placed_for_the_resident_is_hers_and_she_is_told(family):
    world, helper = family
    world.add_technician()
    _link(world, helper)
    body = {"type": "emergency", "category": "electrical", "description": "灯不亮了", "address_id": world.address_id}
    # When the helper orders for her
    placed = _as(world, helper, "POST", "/orders", {**body, "on_behalf_of": world.resident_id})
    assert placed.status == 201, placed.body
    order_id = placed.body["order_id"]
    # Then it is stored as hers, with who placed it
    from orders.store import orders

    stored = orders.get(order_id)
    assert stored.resident_id == world.resident_id and stored.placed_by == helper
    assert placed.body["placed_by"] == helper and placed.body["placed_by_name"] == f"社区工作者{world.n}"
    # And she is told by SMS: who, what, and the door code
    told = wait_for(lambda: _messages(world, world.resident_id, "proxy.order_placed"), what="the resident's SMS")
    assert told[0]["channel"] == "sms" and told[0]["order_id"] == order_id
    assert placed.body["order_code"] in told[0]["text_zh"] and f"社区工作者{world.n}" in told[0]["text_zh"]
    assert "电路" in told[0]["text_zh"]
    # And both follow it: in their order lists, and the helper is told of its progress
    assert order_id in [o["order_id"] for o in _as(world, helper, "GET", "/orders").body["orders"]]
    assert order_id in [o["order_id"] for o in world.as_resident("GET", "/orders").body["orders"]]
    wait_for(
        lambda: [m for m in _messages(world, helper) if m["order_id"] == order_id and m["kind"] == "order.offered"],
        what="the progress message to the helper",
    )
    # And the quote for her address is his to see too
    quote = {"category": "electrical", "description": "灯不亮", "address_id": world.address_id}
    assert _as(world, helper, "POST", "/quotes", quote).status == 400  # not his own address
    assert _as(world, helper, "POST", "/quotes", {**quote, "on_behalf_of": world.resident_id}).status == 200


def test_only_a_linked_proxy_orders_for_someone_and_only_at_their_address(family, api):
    from tests.conftest import make_world

    world, helper = family
    body = {"type": "emergency", "category": "electrical", "description": "灯不亮了", "address_id": world.address_id}
    stranger = _as(world, helper, "POST", "/orders", {**body, "on_behalf_of": world.resident_id})
    assert stranger.status == 403 and _error(stranger) == "forbidden"
    _link(world, helper)
    other = make_world(api)
    elsewhere = _as(world, helper, "POST", "/orders", {**body, "address_id": other.address_id, "on_behalf_of": world.resident_id})
    assert elsewhere.status == 400 and _error(elsewhere) == "validation_error"
    not_linked = _as(
        world, helper, "POST", "/orders", {**body, "address_id": other.address_id, "on_behalf_of": other.resident_id}
    )
    assert not_linked.status == 403
    from orders.store import orders

    assert orders.for_resident(world.resident_id) == [] and orders.for_resident(other.resident_id) == []


@pytest.mark.parametrize("who", ["resident", "proxy"])
def test_ending_the_link_cuts_access_at_once(family, who):
    world, helper = family
    _link(world, helper)
    body = {"type": "emergency", "category": "electrical", "description": "灯不亮了", "address_id": world.address_id}
    order_id = _as(world, helper, "POST", "/orders", {**body, "on_behalf_of": world.resident_id}).body["order_id"]
    assert _as(world, helper, "GET", f"/orders/{order_id}").status == 200
    # When the resident revokes the link (or the helper withdraws)
    if who == "resident":
        ended = _as(world, world.resident_id, "DELETE", f"/me/proxies/{helper}")
    else:
        ended = _as(world, helper, "DELETE", f"/me/acting-for/{world.resident_id}")
    assert ended.status == 200, ended.body
    # Then, at once, the helper sees and places nothing for her
    assert _as(world, helper, "GET", f"/orders/{order_id}").status == 403
    assert order_id not in [o["order_id"] for o in _as(world, helper, "GET", "/orders").body["orders"]]
    assert _as(world, helper, "POST", "/orders", {**body, "on_behalf_of": world.resident_id}).status == 403
    assert _as(world, helper, "GET", "/me").body["acting_for"] == []
    assert _as(world, helper, "GET", "/me/proxies").body["acting_for"] == []
    # And she is told by SMS; the link keeps who ended it and when
    [told] = _messages(world, world.resident_id, "proxy.revoked")
    assert told["channel"] == "sms" and f"社区工作者{world.n}" in told["text_zh"]

    link = proxy_links.get(world.resident_id, helper)
    assert link.status == "revoked" and link.revoked_by == (world.resident_id if who == "resident" else helper)
    # And a second revoke finds nothing to end
    again = _as(world, world.resident_id, "DELETE", f"/me/proxies/{helper}")
    assert again.status == 404 and _error(again) == "not_linked"


@pytest.fixture
def daily_limits(monkeypatch):
    """No minute between requests, and daily limits small enough to reach: 3 requests per requester, 2 codes per
    resident."""
    limits = {"PROXY_REQUEST_COOLDOWN_SECONDS": "0", "PROXY_REQUESTS_PER_DAY": "3", "PROXY_CODES_PER_RESIDENT_PER_DAY": "2"}
    for name, value in limits.items():
        monkeypatch.setenv(f"LINLI_{name}", value)
    reload_settings()
    yield
    for name in limits:
        monkeypatch.delenv(f"LINLI_{name}")
    reload_settings()


def test_a_requester_asks_at_most_the_daily_limit(family, daily_limits):
    from orders.store import proxy_requests

    world, helper = family
    unknown = [f"135{world.n:04d}{k:04d}" for k in range(4)]  # numbers of nobody: the limit counts every request
    assert [_ask(world, helper, phone).status for phone in unknown[:3]] == [202, 202, 202]
    last = proxy_requests.get(helper)
    # When the requester asks a 4th time that day
    refused = _ask(world, helper, unknown[3])
    # Then a 429 that says so, in both languages, and the pending request is still the last one made
    assert refused.status == 429 and _error(refused) == "daily_limit_reached"
    assert "明天" in refused.body["error"]["message"] and "tomorrow" in refused.body["error"]["message_en"]
    assert proxy_requests.get(helper).request_id == last.request_id


def test_a_resident_is_sent_at_most_the_daily_limit_of_codes_whoever_asks(family, daily_limits):
    from identity.domain.records import User
    from identity.store import accounts

    world, first = family
    others = [f"res_w{world.n}_helper{k}" for k in (2, 3)]
    for k, user_id in enumerate(others, start=2):
        accounts.put_user(User(user_id=user_id, role="resident", name=f"陌生人{k}", phone=f"13{k}{world.n:09d}"))
    # When three people ask to act for her on one day
    asked = [_ask(world, user_id) for user_id in [first, *others]]
    # Then each gets the same answer, but only the first two codes reach her phone
    assert [a.status for a in asked] == [202, 202, 202]
    assert {tuple(sorted(a.body)) for a in asked} == {tuple(sorted(asked[0].body))}
    assert len(_messages(world, world.resident_id, "proxy.consent_code")) == 2
    # And the third request completes with no code at all
    sent = _messages(world, world.resident_id, "proxy.consent_code")
    codes = [re.search(r"验证码 (\d{6})", m["text_zh"]).group(1) for m in sent]
    for code in codes:
        tried = _as(world, others[-1], "POST", f"/proxy-requests/{asked[-1].body['request_id']}/confirm", {"code": code})
        assert tried.status == 400 and _error(tried) == "wrong_code"
    assert not proxy_links.is_proxy(world.resident_id, others[-1])
